import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlanProblemError } from '../../../src/engine/errors.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { keyringKeys, normalizeFingerprint } from '../../../src/core/openpgp.ts';
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

const FPR = '1F89 983E 0081 FDE0 18F3  CC96 73A4 F27B 8DD4 7936';
const REPO = `node: {source: nodesource, repository: {url: "https://repo.invalid/", keyring: /nonexistent.gpg, fingerprint: "${FPR}"}}`;
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

/** A keyring of one key: the first key (and its packets up to the next key) of the Debian archive keyring, when this machine has it. */
const DEBIAN = '/usr/share/keyrings/debian-archive-keyring.gpg';
function firstKey(buf: Buffer): Buffer {
  const starts: number[] = [];
  for (let at = 0; at < buf.length; ) {
    const h = buf[at]!;
    const tag = h & 0x40 ? h & 0x3f : (h >> 2) & 0x0f;
    let len: number;
    let body: number;
    if (h & 0x40) {
      const b1 = buf[at + 1]!;
      [len, body] = b1 < 192 ? [b1, at + 2] : b1 < 224 ? [((b1 - 192) << 8) + buf[at + 2]! + 192, at + 3] : [buf.readUInt32BE(at + 2), at + 6];
    } else {
      const lt = h & 3;
      [len, body] = lt === 0 ? [buf[at + 1]!, at + 2] : lt === 1 ? [buf.readUInt16BE(at + 1), at + 3] : [buf.readUInt32BE(at + 1), at + 5];
    }
    if (tag === 6) starts.push(at);
    at = body + len;
  }
  return buf.subarray(0, starts[1] ?? buf.length);
}

test('keyring fingerprints are what gpg prints (v4, SHA-1 over the key packet)', { skip: existsSync(DEBIAN) ? false : `${DEBIAN} not here` }, () => {
  const keys = keyringKeys(readFileSync(DEBIAN));
  assert.ok(keys.length >= 2);
  const gpg = spawnSync('gpg', ['--show-keys', '--with-colons', DEBIAN], { encoding: 'utf8' });
  if (gpg.status === 0) {
    // the first fpr: line after each pub: line (rvk: lines may come between)
    const want: string[] = [];
    let inPub = false;
    for (const l of gpg.stdout.split('\n')) {
      if (l.startsWith('pub:')) inPub = true;
      else if (l.startsWith('sub:')) inPub = false;
      else if (l.startsWith('fpr:') && inPub) {
        want.push(l.split(':')[9] ?? '');
        inPub = false;
      }
    }
    assert.deepEqual(keys.map((k) => k.fingerprint), want);
  }
  assert.equal(keys[0]!.fingerprint, normalizeFingerprint(FPR));
  assert.throws(() => keyringKeys(Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----')), /armored\? run gpg --dearmor/);
});

test('node: the repository, its keyring and its fingerprint come from the spec; a missing, unreadable or other key fails at plan time, naming the key', { skip: existsSync(DEBIAN) ? false : `${DEBIAN} not here` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-node-'));
  try {
    const keyring = join(dir, 'nodesource.gpg');
    writeFileSync(keyring, firstKey(readFileSync(DEBIAN)));
    const repo = (path: string, fpr = FPR) => spec(`node: {source: nodesource, repository: {url: "https://repo.invalid/", keyring: "${path}", fingerprint: "${fpr}"}}`);
    const ids = nodeResources(repo(keyring)).map((r) => r.id);
    assert.deepEqual(ids.filter((id) => id.startsWith('file:')), ['file:/etc/apt/keyrings/nodesource.gpg', 'file:/etc/apt/sources.list.d/nodesource.list', 'file:/etc/apt/preferences.d/nodesource']);
    // another key than the spec names, or more keys than it: refused
    assert.throws(() => nodeResources(repo(keyring, '0'.repeat(40))), (e: unknown) => e instanceof PlanProblemError && e.path === 'node.repository.fingerprint' && /holds 1F89983E0081FDE018F3CC9673A4F27B8DD47936, not only 0{40}/.test(e.message));
    assert.throws(() => nodeResources(repo(DEBIAN)), (e: unknown) => e instanceof PlanProblemError && e.path === 'node.repository.fingerprint' && /, .*not only/.test(e.message));
    // no repository: nothing to write, and a refusal naming node.repository only once Node must be installed
    assert.deepEqual(nodeResources(spec('node: {source: nodesource}')).map((r) => r.id), ['node:runtime']);
    assert.throws(() => planNode(spec('node: {source: nodesource}'), { path: null, version: null }), (e: unknown) => e instanceof PlanProblemError && e.path === 'node.repository' && /node\.source: system/.test(e.hint ?? ''));
    assert.throws(() => nodeResources(repo(join(dir, 'missing.gpg'))), (e: unknown) => e instanceof PlanProblemError && e.path === 'node.repository.keyring' && /ENOENT/.test(e.message));
    assert.deepEqual(nodeResources(spec('node: {source: system}')).map((r) => r.id), ['node:runtime']);
    assert.equal(parseSpec(`node: {repository: {url: "http://repo.invalid/", keyring: k, fingerprint: "${FPR}"}}`).ok, false, 'plain http is refused');
    assert.equal(parseSpec('node: {repository: {url: "https://repo.invalid/", keyring: k}}').ok, false, 'no fingerprint is refused');
    assert.equal(parseSpec('node: {repository: {url: "https://repo.invalid/", keyring: k, fingerprint: "0D6C 9793"}}').ok, false, 'a short key id is refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
