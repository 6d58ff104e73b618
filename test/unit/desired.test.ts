import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSpec } from '../../src/desired/parse.ts';
import { exampleSpec } from '../../src/desired/example.ts';
import { specJsonSchema } from '../../src/desired/json-schema.ts';

test('an empty spec is a complete default deployment of one instance', () => {
  const r = parseSpec('{}');
  assert.ok(r.ok);
  assert.deepEqual(
    r.spec.resolved.map((i) => [i.name, i.user, i.port, i.home, i.unit]),
    [['openclaw', 'openclaw-svc', 18789, '/home/openclaw-svc', 'openclaw.service']],
  );
  assert.equal(r.spec.gateway.bind, 'loopback');
  assert.equal(r.spec.sandbox.mode, 'all');
  assert.deepEqual(r.spec.backup.password, { file: '/etc/clawops/restic-password' });
});

test('unknown keys and wrong types are reported together, each with its path and line', () => {
  const r = parseSpec('gateway:\n  port: 1\n  bind: loopback\nfirewall:\n  confirmTimeoutSec: soon\nbogus: 1\n');
  assert.equal(r.ok, false);
  if (r.ok) return;
  const byPath = Object.fromEntries(r.problems.map((p) => [p.path, p]));
  assert.match(byPath['bogus']?.message ?? '', /unknown key "bogus"/);
  assert.equal(byPath['bogus']?.line, 6);
  assert.match(byPath['gateway.port']?.message ?? '', /unknown key/);
  assert.equal(byPath['gateway.port']?.line, 2);
  assert.match(byPath['firewall.confirmTimeoutSec']?.message ?? '', /expected number/);
  assert.equal(byPath['firewall.confirmTimeoutSec']?.line, 5);
});

test('cross-field rules name their path', () => {
  const r = parseSpec(`instances:
  - name: a
    port: 18789
  - name: b
    port: 18789
tools:
  elevated:
    enabled: true
    allowFrom: { telegram: ["*"] }
openclaw:
  version: 2026.1.5
`);
  assert.equal(r.ok, false);
  if (r.ok) return;
  const paths = r.problems.map((p) => p.path).sort();
  assert.deepEqual(paths, ['instances[1].port', 'openclaw.version', 'tools.elevated.allowFrom.telegram[0]']);
});

test('secrets can only be references', () => {
  const r = parseSpec('backup:\n  password: hunter2hunter2\n');
  assert.equal(r.ok, false);
  const r2 = parseSpec('backup:\n  password: { env: RESTIC_PASSWORD }\n');
  assert.ok(r2.ok);
});

test('YAML syntax errors are problems, not crashes', () => {
  const r = parseSpec('gateway: [unclosed\n');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.problems[0]?.message ?? '', /^YAML:/);
});

test('spec init output validates and equals the defaults', () => {
  const r = parseSpec(exampleSpec());
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.deepEqual(r.spec, (parseSpec('{}') as { spec: unknown }).spec);
});

test('the committed JSON Schema matches the one generated from the validator', () => {
  const committed: unknown = JSON.parse(readFileSync(new URL('../../schema/clawops.schema.json', import.meta.url), 'utf8'));
  assert.deepEqual(committed, specJsonSchema(), 'schema/clawops.schema.json is stale: run `npm run schema`');
});

test('docs/spec.md is generated from the validator and up to date', async () => {
  const { specReference } = await import('../../src/desired/reference.ts');
  const committed = readFileSync(new URL('../../docs/spec.md', import.meta.url), 'utf8');
  assert.equal(committed, specReference(), 'docs/spec.md is stale: run `npm run docs`');
});
