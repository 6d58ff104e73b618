/**
 * The alerting round against real loopback receivers (a webhook, a healthchecks-style ping
 * endpoint) and a command sink, on a simulated clock: firing once, silence while failing, the
 * webhook down (spooled, the sink itself reported through the others after three failures), back
 * (the spooled alert delivered exactly once, the sink alert resolved), resolved. The URLs carry
 * a canary that never reaches the state file or the report.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatchAlerts } from '../../../src/alerts/dispatch.ts';
import { alertStorePath } from '../../../src/alerts/store.ts';
import type { CheckResult } from '../../../src/checks/types.ts';
import { resolveSpec, type ResolvedSpec } from '../../../src/desired/resolve.ts';
import { Spec } from '../../../src/desired/schema.ts';
import { localExecutor } from '../../../src/exec/local.ts';
import { runCli } from '../../../src/cli/program.ts';
import { memoryRuntime } from '../../../src/cli/runtime.ts';
import { httpReceiver, type HttpReceiver } from '../../helpers/loopback.ts';

const CANARY = 'canary-hook-token-5f1c0e7a9b';

const fail = (id: string, instance?: string): CheckResult => ({ id, title: `${id} works`, area: 'service', severity: 'critical', status: 'fail', evidence: `${id} broke`, remediation: `fix ${id}`, durationMs: 1, ...(instance ? { instance } : {}) });
const pass = (id: string, instance?: string): CheckResult => ({ ...fail(id, instance), status: 'pass', evidence: 'fine' });
const at = (min: number) => new Date(Date.UTC(2026, 11, 3, 12, min));

describe('alert dispatch (loopback webhook and ping receivers, a command sink, simulated clock)', () => {
  let dir: string;
  let hook: HttpReceiver;
  let pings: HttpReceiver;
  let spec: ResolvedSpec;
  const ex = localExecutor();
  const cmdOut = () => readFileSync(join(dir, 'cmd.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; check: string });
  const hookEvents = () => hook.got.map((g) => JSON.parse(g.body) as { kind: string; check: string; key: string });
  const run = (min: number, results: CheckResult[], profile = 'health') =>
    dispatchAlerts(ex, spec, results, { now: at(min), env: { PING_URL: `${pings.url}/ping/${CANARY}` }, profile, gate: results.every((r) => r.status === 'pass') ? 'pass' : 'fail', timeoutMs: 2000 });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawops-alerts-'));
    [hook, pings] = await Promise.all([httpReceiver(), httpReceiver()]);
    writeFileSync(join(dir, 'hook-url'), `${hook.url}/hook/${CANARY}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'cmd.jsonl'), '');
    spec = resolveSpec(Spec.parse({
      stateDir: join(dir, 'state'),
      monitoring: {
        alerts: [
          { type: 'webhook', url: { file: join(dir, 'hook-url') } },
          { type: 'command', argv: ['sh', '-c', 'cat >> "$0"', join(dir, 'cmd.jsonl')] },
          { type: 'ping', url: { env: 'PING_URL' } },
        ],
        alerting: { remindHours: 1 },
      },
    }));
  });
  after(async () => {
    await Promise.all([hook?.down(), pings?.down()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('firing once, silent while failing, pinged with the outcome', async () => {
    const r = await run(0, [fail('service.active', 'openclaw'), pass('network.gateway-health', 'openclaw')]);
    assert.deepEqual(r.events.map((e) => `${e.kind} ${e.key}`), [`firing ${r.host}/openclaw/service.active`]);
    assert.equal(r.delivered, 2);
    await run(1, [fail('service.active', 'openclaw')]);
    assert.deepEqual(hookEvents().map((e) => `${e.kind} ${e.check}`), ['firing service.active']);
    assert.deepEqual(cmdOut().map((e) => `${e.kind} ${e.check}`), ['firing service.active']);
    assert.deepEqual(pings.got.map((g) => g.path), [`/ping/${CANARY}/fail`, `/ping/${CANARY}/fail`]);
    assert.equal(statSync(alertStorePath(spec.stateDir)).mode & 0o777, 0o600);
  });

  it('the webhook down: spooled; three failures in a row are an alert through the other sinks; back: delivered once, resolved', async () => {
    await hook.down();
    const r2 = await run(2, [fail('service.active', 'openclaw'), fail('backup.recent')], 'backup');
    assert.equal(r2.spooled, 1);
    assert.match(r2.sinks.find((s) => s.sink === 'webhook#1')?.error ?? '', /^curl: \(7\) Failed to connect to 127\.0\.0\.1 port \d+/);
    await run(3, [fail('backup.recent')], 'backup'); // retry due (1 min backoff): fails again
    assert.deepEqual(cmdOut().map((e) => `${e.kind} ${e.check}`), ['firing service.active', 'firing backup.recent']);
    const r5 = await run(5, [fail('backup.recent')], 'backup'); // due again (2 min): the third failure
    assert.deepEqual(r5.events.map((e) => `${e.kind} ${e.key.split('/').slice(1).join('/')}`), ['firing -/alerts.sink[webhook#1]']);
    assert.deepEqual(cmdOut().map((e) => `${e.kind} ${e.check}`).slice(-1), ['firing alerts.sink[webhook#1]']);
    await hook.up();
    const r20 = await run(20, [fail('backup.recent')], 'backup');
    assert.equal(r20.retried, 1);
    assert.deepEqual(hookEvents().map((e) => `${e.kind} ${e.check}`), ['firing service.active', 'firing backup.recent', 'resolved alerts.sink[webhook#1]']);
    await run(21, [fail('backup.recent')], 'backup');
    assert.equal(hookEvents().filter((e) => e.check === 'backup.recent').length, 1, 'delivered exactly once');
    assert.deepEqual(cmdOut().map((e) => `${e.kind} ${e.check}`).slice(-1), ['resolved alerts.sink[webhook#1]']);
  });

  it('a reminder after remindHours, one resolved message each when they pass', async () => {
    const r = await run(62, [fail('service.active', 'openclaw'), fail('backup.recent')]);
    assert.deepEqual(r.events.map((e) => `${e.kind} ${e.key.split('/').pop()}`), ['reminder service.active', 'reminder backup.recent']);
    await run(63, [pass('service.active', 'openclaw'), pass('backup.recent')]);
    await run(64, [pass('service.active', 'openclaw'), pass('backup.recent')]);
    assert.deepEqual(hookEvents().slice(-4).map((e) => `${e.kind} ${e.check}`), ['reminder service.active', 'reminder backup.recent', 'resolved service.active', 'resolved backup.recent']);
    assert.equal(pings.got.at(-1)?.path, `/ping/${CANARY}`, 'a passing health run pings the URL itself');
  });

  it('a body with quotes, backslashes, tabs and newlines reaches the webhook intact (curl config quoting)', async () => {
    const odd = 'a "quoted" C:\\path\ttab\nnew line $HOME `x`';
    await run(67, [{ ...fail('files.config', 'openclaw'), evidence: odd }]);
    const got = hook.got.map((g) => JSON.parse(g.body) as { check: string; evidence: string }).filter((e) => e.check === 'files.config');
    assert.deepEqual(got.map((e) => e.evidence), [odd]);
  });

  it('the URLs (their token) are never in the state file or a report', async () => {
    const state = readFileSync(alertStorePath(spec.stateDir), 'utf8');
    assert.ok(!state.includes(CANARY));
    assert.ok(!cmdOut().some((e) => JSON.stringify(e).includes(CANARY)));
    const r = await run(65, [pass('service.active', 'openclaw')]);
    assert.ok(!JSON.stringify(r).includes(CANARY));
  });

  it('alert status shows the open alerts and each sink; alert test reaches every sink (exit 2 when one does not)', async () => {
    const file = join(dir, 'clawops.yaml');
    writeFileSync(file, [
      `stateDir: ${join(dir, 'state')}`,
      'monitoring:',
      '  alerts:',
      `    - { type: webhook, url: { file: ${join(dir, 'hook-url')} } }`,
      `    - { type: command, argv: [sh, -c, 'cat >> "$0"', ${join(dir, 'cmd.jsonl')}] }`,
      '    - { type: ping, url: { env: PING_URL } }',
      '',
    ].join('\n'));
    await run(70, [fail('service.active', 'openclaw')]);
    const rt = memoryRuntime({ PING_URL: `${pings.url}/ping/${CANARY}` });
    assert.equal(await runCli(['--spec', file, '--target', 'local', '--json', 'alert', 'status'], rt), 0, rt.stderr);
    const st = JSON.parse(rt.stdout) as { open: { check: string }[]; spool: unknown[] };
    assert.deepEqual(st.open.map((a) => a.check).sort(), ['files.config', 'service.active']);
    const tested = memoryRuntime({ PING_URL: `${pings.url}/ping/${CANARY}` });
    assert.equal(await runCli(['--spec', file, '--target', 'local', 'alert', 'test'], tested), 0, tested.stdout + tested.stderr);
    assert.match(tested.stdout, /^ok {3}webhook#1\nok {3}command#2\nok {3}ping#3$/m);
    assert.equal(hookEvents().at(-1)?.check, 'alerts.test');
    await hook.down();
    const down = memoryRuntime({ PING_URL: `${pings.url}/ping/${CANARY}` });
    assert.equal(await runCli(['--spec', file, '--target', 'local', 'alert', 'test'], down), 2);
    assert.match(down.stdout, /^FAIL webhook#1: curl: \(7\) Failed to connect/m);
    assert.ok(!(down.stdout + down.stderr).includes(CANARY));
    await hook.up();
  });

  it('a state file that does not read back starts anew, and says so', async () => {
    writeFileSync(alertStorePath(spec.stateDir), '{ half');
    const r = await run(66, [fail('service.active', 'openclaw')]);
    assert.match(r.notes.join(), /could not be read back: alert state started anew/);
    assert.deepEqual(r.events.map((e) => e.kind), ['firing']);
  });
});
