/** The spec on the target: rendered with every default, read back to the same spec; an equivalent file is kept. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fingerprint, sha256 } from '../../../src/engine/hash.ts';
import { planSpecFile, renderTargetSpec, specFileMeaning, type SpecFileState } from '../../../src/resources/self-spec.ts';
import type { Executor } from '../../../src/exec/types.ts';
import { isUnknown, type Raw } from '../../../src/facts/types.ts';

/** The spec-meaning fact of this text, through its real probe and parser. */
async function meaning(text: string): Promise<string | null> {
  const raw = (await specFileMeaning.probe!({ readFile: async () => Buffer.from(text) } as unknown as Executor, PATH)) as Raw;
  const v = specFileMeaning.parse(raw, PATH);
  assert.ok(!isUnknown(v));
  return v.fingerprint;
}
const saysTheSame = async (text: string, spec: ReturnType<typeof specOf>) => (await meaning(text)) === fingerprint(spec);
import { parseSpec } from '../../../src/desired/parse.ts';
import { renderTimers } from '../../../src/openclaw/timers.ts';

const EXAMPLE = new URL('../../../examples/clawops.yaml', import.meta.url).pathname;
const PATH = '/etc/clawops/clawops.yaml';

const specOf = (text: string) => {
  const r = parseSpec(text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
};

const SPECS: Record<string, string> = {
  defaults: '{}',
  example: readFileSync(EXAMPLE, 'utf8'),
  awkward: `
instances: [{ name: openclaw }, { name: second, port: 19000, home: "/srv/two words" }]
gateway: { mdns: off, redactPatterns: ["sk-[A-Za-z0-9]+", "'quoted'"] }
tools: { elevated: { enabled: true, allowFrom: { telegram: ["123", "no"] } } }
monitoring:
  schedules: { health: "*:0/2", backup: "Mon..Fri 02:00" }
  alerts: [{ type: webhook, url: { env: ALERT_URL } }, { type: command, argv: [logger, "-t", "yes"] }]
docker: { daemon: { "log-opts": { max-size: 10m }, "no-new-privileges": true, "default-ulimits": null } }
backup: { password: { file: /etc/clawops/restic-password } }
`,
};

describe('the spec written to the target', () => {
  for (const [name, text] of Object.entries(SPECS)) {
    test(`${name}: the rendered file validates to the same resolved spec`, async () => {
      const spec = specOf(text);
      const rendered = renderTargetSpec(spec);
      assert.equal(fingerprint(specOf(rendered)), fingerprint(spec));
      assert.ok(await saysTheSame(rendered, spec));
      assert.ok(!rendered.includes('resolved:'), 'derived values are not written');
    });
  }

  test('it names secret files, never secrets', () => {
    const rendered = renderTargetSpec(specOf(SPECS.awkward!));
    assert.match(rendered, /password:\n\s+file: \/etc\/clawops\/restic-password/);
    assert.match(rendered, /url:\n\s+env: ALERT_URL/);
  });

  test('another spec is not the same', async () => {
    assert.equal(await saysTheSame(SPECS.example!, specOf('{}')), false);
    assert.equal(await saysTheSame('instances: [', specOf('{}')), false, 'invalid YAML is never the same');
  });

  const file = (text: string, mode = 0o600): SpecFileState['file'] => ({ exists: true, type: 'file', mode, owner: 'root', group: 'root', sha256: sha256(text), text });

  test('plan: absent -> add, 0600 root', () => {
    const out = planSpecFile(PATH, 'a: 1\n', { file: { exists: false }, sameSpec: false });
    assert.ok('changes' in out);
    assert.equal(out.changes[0]?.action, 'add');
    assert.match(out.changes[0]!.summary, /create \/etc\/clawops\/clawops\.yaml \(0600 root:root\)/);
  });

  test("plan: the operator's equivalent file is kept (comments and all); only a wrong mode is put right", () => {
    const mine = '# my comments\ninstances: [{ name: openclaw }]\n';
    const same = planSpecFile(PATH, 'rendered\n', { file: file(mine), sameSpec: true });
    assert.deepEqual(same, { noop: `${PATH} holds the same spec (kept as written)` });
    const loose = planSpecFile(PATH, 'rendered\n', { file: file(mine, 0o644), sameSpec: true });
    assert.ok('changes' in loose);
    assert.match(loose.changes[0]!.summary, /0644 root:root -> 0600 root:root/);
    assert.equal((loose.changes[0]!.data as { content: string }).content, mine);
  });

  test('plan: a different spec is replaced, with a diff', () => {
    const out = planSpecFile(PATH, 'new: 1\n', { file: file('old: 1\n'), sameSpec: false });
    assert.ok('changes' in out);
    assert.match(out.changes[0]!.diff ?? '', /-old: 1\n\+new: 1/);
  });

  test('the check timers read that file, cache the validated spec and write their prom textfile', () => {
    const spec = specOf(SPECS.example!);
    const services = renderTimers(spec).filter((f) => f.path.endsWith('.service') && !f.path.includes('@'));
    assert.equal(services.length, 6);
    for (const s of services) {
      assert.match(s.content, /^CacheDirectory=clawops$/m, s.path);
      assert.match(s.content, new RegExp(`^ExecStart=/usr/local/bin/clawops -f ${PATH} check --profile \\w+ --format prom --alert$`, 'm'), s.path);
      assert.match(s.content, /^ExecStartPre=\+\/bin\/mkdir -p -- \/var\/lib\/node_exporter\/textfile_collector$/m, s.path);
      assert.match(s.content, /^ReadWritePaths=.*-\/var\/lib\/node_exporter\/textfile_collector( |$)/m, s.path);
    }
  });
});
