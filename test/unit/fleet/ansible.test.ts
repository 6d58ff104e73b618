/** The Ansible modules: generated files up to date, arguments checked, and the CLI's exit codes and JSON mapped to module results. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MODULES_DIR, collectionVersion } from '../../../scripts/gen-ansible.ts';
import { MODULES, moduleDef, type ModuleDef } from '../../../src/fleet/ansible-modules.ts';
import { renderDoc, renderShim } from '../../../src/fleet/ansible-render.ts';
import { parseArgs, runModule, type Ran } from '../../../src/fleet/ansible-run.ts';

const def = (n: string): ModuleDef => moduleDef(n) as ModuleDef;
const scratch = mkdtempSync(join(tmpdir(), 'clawops-ansible-unit-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A runner that answers by the first command word after the global options, and records every call. */
function fake(answers: Record<string, Ran>) {
  const calls: string[][] = [];
  const run = async (argv: readonly string[]): Promise<Ran> => {
    calls.push([...argv]);
    const word = argv.find((a, i) => !a.startsWith('-') && argv[i - 1] !== '-f') ?? '';
    const a = answers[word];
    if (!a) throw new Error(`unexpected clawops ${argv.join(' ')}`);
    return a;
  };
  return { run, calls };
}

const result = (id: string, status: string, severity = 'critical') => ({ id, title: id, area: 'user', severity, status, evidence: `${id} evidence`, remediation: `${id} fix`, durationMs: 1 });
const report = (results: ReturnType<typeof result>[], gate: 'pass' | 'fail') => JSON.stringify({
  schemaVersion: 1, target: 'local', profile: 'go-live', failOn: 'critical', allowUnknown: false, results,
  summary: { total: results.length, byStatus: { pass: results.filter((r) => r.status === 'pass').length, fail: results.filter((r) => r.status === 'fail').length }, blocking: 0, gate },
});
const plan = (add: number, change: number) => JSON.stringify({
  schemaVersion: 1, target: 'local', specHash: 'sha256:0123456789abcdef0123', specSource: 'x', createdAt: 'now', clawopsVersion: '0',
  resources: [{ id: 'file:/etc/x', kind: 'file', changes: change ? [{ resourceId: 'file:/etc/x', kind: 'file', action: 'change', summary: 'update /etc/x (content)' }] : [] }],
  summary: { add, change, remove: 0 },
});

describe('the collection files', () => {
  it('the committed shims and ansible-doc sidecars are what src/fleet/ansible-modules.ts generates', () => {
    for (const m of MODULES) {
      assert.equal(readFileSync(join(MODULES_DIR, `clawops_${m.name}.js`), 'utf8'), renderShim(m), 'stale: run `npm run docs` and commit the result');
      assert.equal(readFileSync(join(MODULES_DIR, `clawops_${m.name}.yml`), 'utf8'), renderDoc(m, collectionVersion()), 'stale: run `npm run docs`');
    }
  });
  it('galaxy.yml carries the package version', () => {
    assert.match(readFileSync(join(MODULES_DIR, '../../galaxy.yml'), 'utf8'), new RegExp(`^version: ${collectionVersion().replaceAll('.', '\\.')}$`, 'm'));
  });
});

describe('module arguments', () => {
  it('types are coerced the way Ansible users write them, defaults filled', () => {
    const p = parseArgs(def('check'), { only: 'a, b', allow_unknown: 'yes', _ansible_check_mode: true, _ansible_diff: false });
    assert.deepEqual(p.errors, []);
    assert.deepEqual([p.args.only, p.args.allow_unknown, p.args.profile, p.checkMode, p.diff], [['a', 'b'], true, 'go-live', true, false]);
  });
  it('an unknown option, a missing required one, a wrong type and a value outside the choices are each named', () => {
    assert.deepEqual(parseArgs(def('upgrade'), { smoke: 'perhaps', nope: 1 }).errors, [
      'unsupported parameter nope (supported: spec, clawops_bin, version, instance, checks, smoke, health_timeout, npm_cache, wait)',
      'missing required parameter version',
      'smoke: expected bool, got "perhaps"',
    ]);
    assert.deepEqual(parseArgs(def('check'), { profile: 'all' }).errors, ['profile: "all" is not one of go-live, health, security, credentials, restart, backup, integrity']);
  });
  it('bad arguments fail the module without running clawops', async () => {
    const f = fake({});
    const r = await runModule(def('apply'), { wait: 'soon' }, f.run, scratch);
    assert.deepEqual([r.failed, r.msg, f.calls.length], [true, 'clawops_apply: wait: expected int, got "soon"', 0]);
  });
});

describe('clawops_check', () => {
  it('a passing gate: ok, not changed; check mode does not record known-good', async () => {
    const f = fake({ check: { code: 0, stdout: report([result('a', 'pass')], 'pass'), stderr: '' } });
    const r = await runModule(def('check'), { only: ['a'], _ansible_check_mode: true }, f.run, scratch);
    assert.deepEqual([r.changed, r.failed, r.gate, r.msg], [false, undefined, 'pass', 'the go-live gate passes (1 pass)']);
    assert.deepEqual(f.calls[0], ['--no-color', '-f', '/etc/clawops/clawops.yaml', 'check', '--format', 'json', '-p', 'go-live', '--fail-on', 'critical', '--only', 'a', '--no-record-known-good']);
  });
  it('a failing gate (exit 2): failed, each blocking check named with evidence and fix; a warn below fail_on is not blocking', async () => {
    const f = fake({ check: { code: 2, stdout: report([result('user.sudo', 'fail'), result('host.x', 'fail', 'warn'), result('b', 'pass')], 'fail'), stderr: '' } });
    const r = await runModule(def('check'), {}, f.run, scratch);
    assert.equal(r.failed, true);
    assert.equal(r.msg, 'the go-live gate fails on 1 check(s): user.sudo fail: user.sudo evidence (fix: user.sudo fix)');
    assert.deepEqual((r.blocking as { id: string }[]).map((b) => b.id), ['user.sudo']);
  });
  it('clawops itself failing (exit 1): failed with what it said', async () => {
    const f = fake({ check: { code: 1, stdout: '', stderr: 'error: spec: instances[0].port: too small\nhint: fix it\n' } });
    const r = await runModule(def('check'), {}, f.run, scratch);
    assert.deepEqual([r.failed, r.msg], [true, 'clawops check could not run: error: spec: instances[0].port: too small\nhint: fix it']);
  });
});

describe('clawops_apply', () => {
  it('check mode: plan only; changed exactly when it has changes; --diff is the plan as clawops prints it', async () => {
    const f = fake({ plan: { code: 0, stdout: plan(0, 1), stderr: '' } });
    const r = await runModule(def('apply'), { _ansible_check_mode: true, _ansible_diff: true }, f.run, scratch);
    assert.deepEqual([r.changed, r.msg, f.calls.length], [true, 'check mode: 0 to add, 1 to change, 0 to remove', 1]);
    assert.match(r.diff?.prepared ?? '', /update \/etc\/x \(content\)/);
  });
  it('nothing to change: not changed, apply not run', async () => {
    const f = fake({ plan: { code: 0, stdout: plan(0, 0), stderr: '' } });
    const r = await runModule(def('apply'), {}, f.run, scratch);
    assert.deepEqual([r.changed, r.journal_id, f.calls.length], [false, null, 1]);
  });
  it('changes: the saved plan is applied (what ran is what the diff showed); the journal id returned; spec_content is used as the spec', async () => {
    const f = fake({ plan: { code: 0, stdout: plan(1, 0), stderr: '' }, apply: { code: 0, stdout: JSON.stringify({ applied: true, journalId: 'J1', steps: [{}] }), stderr: '' } });
    const r = await runModule(def('apply'), { spec_content: 'version: 1\n', wait: 30 }, f.run, scratch);
    assert.deepEqual([r.changed, r.journal_id, r.steps], [true, 'J1', 1]);
    const spec = join(scratch, 'clawops.yaml');
    assert.equal(readFileSync(spec, 'utf8'), 'version: 1\n');
    assert.deepEqual(f.calls, [
      ['--no-color', '-f', spec, '--json', 'plan', '--out', join(scratch, 'plan.json')],
      ['--no-color', '-f', spec, '--json', 'apply', join(scratch, 'plan.json'), '--yes', '--wait', '30'],
    ]);
  });
  it('a failed apply: failed and changed (something may have been done; the journal undoes it)', async () => {
    const f = fake({ plan: { code: 0, stdout: plan(1, 0), stderr: '' }, apply: { code: 1, stdout: '', stderr: 'error: the target changed since plan.json was made' } });
    const r = await runModule(def('apply'), {}, f.run, scratch);
    assert.deepEqual([r.failed, r.changed], [true, true]);
    assert.match(r.msg, /^clawops apply failed \(1 to add, 0 to change, 0 to remove planned\): error: the target changed/);
  });
});

describe('clawops_upgrade and clawops_backup', () => {
  const rep = (o: object) => JSON.stringify({ schemaVersion: 1, kind: 'upgrade', instance: 'openclaw', from: '', to: '2026.9.6', steps: [], durationMs: 1, ...o });
  it('VERSION already runs: ok, not changed', async () => {
    const f = fake({ upgrade: { code: 1, stdout: rep({ outcome: 'failed', exitCode: 1, failedStep: 'preflight', error: 'openclaw 2026.9.6 is already the running version' }), stderr: '' } });
    const r = await runModule(def('upgrade'), { version: '2026.9.6' }, f.run, scratch);
    assert.deepEqual([r.changed, r.failed, r.outcome], [false, undefined, 'unchanged']);
  });
  it('rolled back: failed, rolled_back, the step and reason named', async () => {
    const f = fake({ upgrade: { code: 2, stdout: rep({ from: '2026.2.9', outcome: 'rolled-back', exitCode: 2, failedStep: 'gate', error: 'the gate failed', rollback: { to: '2026.2.9', ok: true, durationMs: 1, steps: [] } }), stderr: '' } });
    const r = await runModule(def('upgrade'), { version: '2026.9.6', smoke: true, checks: [] }, f.run, scratch);
    assert.deepEqual([r.failed, r.rolled_back, r.msg], [true, true, 'upgrade of openclaw to 2026.9.6 failed at gate: the gate failed; rolled back to 2026.2.9, which runs again']);
    assert.deepEqual(f.calls[0]?.slice(3), ['--json', 'upgrade', '2026.9.6', '--yes', '--checks', '', '--smoke', '--health-timeout', '180']);
  });
  it('check mode runs neither', async () => {
    const f = fake({});
    assert.equal((await runModule(def('upgrade'), { version: '2026.9.6', _ansible_check_mode: true }, f.run, scratch)).changed, true);
    assert.equal((await runModule(def('backup'), { _ansible_check_mode: true }, f.run, scratch)).changed, true);
    assert.equal(f.calls.length, 0);
  });
  it('a backup that failed for one instance fails the module with its error', async () => {
    const rec = { ok: false, instances: [{ name: 'a', ok: true, shortId: 'abcd1234' }, { name: 'b', ok: false, error: 'restic: repository locked' }] };
    const f = fake({ backup: { code: 1, stdout: JSON.stringify(rec), stderr: '' } });
    const r = await runModule(def('backup'), {}, f.run, scratch);
    assert.deepEqual([r.failed, r.changed, r.msg], [true, true, 'backup failed: b: restic: repository locked']);
    assert.deepEqual(f.calls[0]?.slice(3), ['--json', 'backup', 'run', '--no-maintenance']);
  });
});
