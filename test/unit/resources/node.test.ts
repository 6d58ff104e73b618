import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlanProblemError } from '../../../src/engine/errors.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeVersion } from '../../../src/facts/system.ts';
import { cmdRaw } from '../../helpers/facts.ts';
import { nodeResources, planNode, renderNodesourceList, renderNodesourcePin, satisfies } from '../../../src/resources/node.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import type { ResolvedSpec } from '../../../src/desired/resolve.ts';

const spec = (yaml: string): ResolvedSpec => {
  const r = parseSpec(yaml);
  assert.ok(r.ok);
  return r.spec;
};

test('node: version parsing and comparison', () => {
  assert.deepEqual(nodeVersion.parse(cmdRaw('/usr/local/bin/node\nv24.21.0\n'), ''), { missing: false, path: '/usr/local/bin/node', version: '24.21.0', major: 24 });
  assert.deepEqual(nodeVersion.parse(cmdRaw('MISSING\n'), ''), { missing: true });
  assert.ok(satisfies('24.16.0', '24.16.0'));
  assert.ok(satisfies('24.21.0', '24.16.0'));
  assert.ok(!satisfies('22.22.3', '24.16.0'));
  assert.ok(!satisfies('20.19.2', '22.12.0'));
});

const REPO = 'node: {source: nodesource, repository: {url: "https://repo.invalid/", keyring: /nonexistent.gpg}}';
const cases: { name: string; yaml: string; node: string | null; expect: 'noop' | 'change' | 'add' | 'problem' }[] = [
  { name: 'system, testbed Node 24.21 for 2026.9.6 (needs 24.16) -> no-op', yaml: 'node: {source: system}', node: '24.21.0', expect: 'noop' },
  { name: 'system, Node 22 for 2026.9.6 -> plan-time problem at node.source', yaml: 'node: {source: system}', node: '22.22.0', expect: 'problem' },
  { name: 'system, Node 22.14 for 2026.2.9 (needs 22.12) -> no-op', yaml: 'node: {source: system, major: 22}\nopenclaw: {version: 2026.2.9}', node: '22.14.0', expect: 'noop' },
  { name: 'system, no node at all -> problem', yaml: 'node: {source: system}', node: null, expect: 'problem' },
  { name: 'nodesource, Ubuntu nodejs 20 -> change (nodejs + ufw in one transaction)', yaml: REPO, node: '20.19.2', expect: 'change' },
  { name: 'nodesource, no node -> add', yaml: REPO, node: null, expect: 'add' },
  { name: 'nodesource without node.repository, Node already right -> no-op (the embedded default plans)', yaml: 'node: {source: nodesource}', node: '24.21.0', expect: 'noop' },
];
for (const c of cases) {
  test(`node: ${c.name}`, () => {
    const s = spec(c.yaml);
    const cur = { path: c.node ? '/usr/bin/node' : null, version: c.node };
    if (c.expect === 'problem') {
      assert.throws(() => planNode(s, cur), (e: unknown) => e instanceof PlanProblemError && e.path === 'node.source' && /needs Node >= /.test(e.message));
      return;
    }
    const out = planNode(s, cur);
    if (c.expect === 'noop') return assert.ok('noop' in out);
    assert.ok('changes' in out);
    assert.equal(out.changes[0]?.action, c.expect);
    assert.deepEqual(out.changes[0]?.data, { packages: ['nodejs', 'ufw'] });
  });
}

test('node: NodeSource-style source and pin', () => {
  const s = spec('node: {source: nodesource, major: 24}');
  assert.equal(renderNodesourceList(s, 'https://repo.invalid/'), '# Managed by clawops (node.source: nodesource)\ndeb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://repo.invalid/node_24.x nodistro main\n');
  assert.match(renderNodesourcePin('https://repo.invalid'), /Package: nodejs\nPin: origin repo.invalid\nPin-Priority: 600\n/);
});

test('node: the repository and its keyring come from the spec; missing or unreadable ones fail at plan time, naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-node-'));
  try {
    const keyring = join(dir, 'nodesource.gpg');
    writeFileSync(keyring, Buffer.from([0x99, 0x01, 0x0d]));
    const ok = spec(`node: {source: nodesource, repository: {url: "https://repo.invalid/", keyring: "${keyring}"}}`);
    const ids = nodeResources(ok).map((r) => r.id);
    assert.deepEqual(ids.filter((id) => id.startsWith('file:')), ['file:/etc/apt/keyrings/nodesource.gpg', 'file:/etc/apt/sources.list.d/nodesource.list', 'file:/etc/apt/preferences.d/nodesource']);
    // no repository: nothing to write, and a refusal naming node.repository only once Node must be installed
    assert.deepEqual(nodeResources(spec('node: {source: nodesource}')).map((r) => r.id), ['node:runtime']);
    assert.throws(() => planNode(spec('node: {source: nodesource}'), { path: null, version: null }), (e: unknown) => e instanceof PlanProblemError && e.path === 'node.repository' && /node\.source: system/.test(e.hint ?? ''));
    assert.throws(
      () => nodeResources(spec(`node: {source: nodesource, repository: {url: "https://repo.invalid/", keyring: "${join(dir, 'missing.gpg')}"}}`)),
      (e: unknown) => e instanceof PlanProblemError && e.path === 'node.repository.keyring' && /ENOENT/.test(e.message),
    );
    assert.deepEqual(nodeResources(spec('node: {source: system}')).map((r) => r.id), ['node:runtime']);
    assert.equal(parseSpec('node: {repository: {url: "http://repo.invalid/", keyring: k}}').ok, false, 'plain http is refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
