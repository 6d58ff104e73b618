import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.ts';
import { memoryRuntime } from '../../src/cli/runtime.ts';
import { VERSION } from '../../src/cli/version.ts';

async function cli(...argv: string[]) {
  const rt = memoryRuntime({ NO_COLOR: '1' });
  const code = await runCli(argv, rt);
  return { code, out: rt.stdout, err: rt.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'clawops-cli-'));
const bad = join(tmp, 'bad.yaml');
writeFileSync(bad, 'bogus: true\ngateway:\n  bind: loopback\nfirewall:\n  confirmTimeoutSec: "60"\n');

test('--help lists global options and exit codes; exit 0', async () => {
  const r = await cli('--help');
  assert.equal(r.code, 0);
  for (const s of ['--spec', '--target', '--json', '--no-color', '--debug', 'Exit codes: 0 ok, 1 error']) assert.ok(r.out.includes(s), s);
});

test('--version prints the package version', async () => {
  const r = await cli('--version');
  assert.equal(r.code, 0);
  assert.equal(r.out.trim(), VERSION);
});

test('subcommands have their own --help', async () => {
  const r = await cli('spec', 'validate', '--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /Usage: clawops spec validate/);
});

test('an unknown command is a usage error: exit 1 with a pointer to --help', async () => {
  const r = await cli('frobnicate');
  assert.equal(r.code, 1);
  assert.match(r.err, /unknown command 'frobnicate'/);
});

test('spec validate on a bad spec exits 1 and names every path', async () => {
  const r = await cli('spec', 'validate', '-f', bad);
  assert.equal(r.code, 1);
  assert.match(r.err, /bogus \(line 1\): unknown key "bogus"/);
  assert.match(r.err, /firewall\.confirmTimeoutSec \(line 5\): Invalid input: expected number, received string/);
});

test('spec validate --json is a stable contract', async () => {
  const r = await cli('--json', 'spec', 'validate', '-f', bad);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.out) as { schemaVersion: number; valid: boolean; problems: { path: string }[] };
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.valid, false);
  assert.deepEqual(j.problems.map((p) => p.path).sort(), ['bogus', 'firewall.confirmTimeoutSec']);
});

test('spec validate with no file validates the embedded defaults', async () => {
  const r = await cli('spec', 'validate');
  assert.equal(r.code, 0);
  assert.match(r.out, /valid: \(embedded defaults\) \(1 instance: openclaw@127\.0\.0\.1:18789 as openclaw-svc\)/);
});

test('a missing spec file is one line saying what to do next', async () => {
  const r = await cli('spec', 'validate', '-f', join(tmp, 'nope.yaml'));
  assert.equal(r.code, 1);
  assert.match(r.err, /^clawops: error: cannot read spec .*nope\.yaml: ENOENT\n {2}next: /);
});

test('spec init output passes spec validate', async () => {
  const init = await cli('spec', 'init');
  const f = join(tmp, 'init.yaml');
  writeFileSync(f, init.out);
  const r = await cli('spec', 'validate', '-f', f);
  assert.equal(r.code, 0, r.err);
});

test('an invalid --target is an error with a hint', async () => {
  const { executorFor } = await import('../../src/exec/target.ts');
  assert.throws(() => executorFor('ftp://x'), /unknown --target ftp:\/\/x/);
});
