/**
 * The alertmanager sink against a real Prometheus Alertmanager (Debian's prometheus-alertmanager)
 * on loopback, routing to a webhook receiver this test owns: a failing check reaches the receiver
 * through Alertmanager as firing, with the check, host and instance as labels; a reminder does not
 * make a second notification (Alertmanager deduplicates by labels); the pass is one resolved
 * notification. Measured: dispatch to notification.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatchAlerts } from '../../src/alerts/dispatch.ts';
import type { CheckResult } from '../../src/checks/types.ts';
import { resolveSpec, type ResolvedSpec } from '../../src/desired/resolve.ts';
import { Spec } from '../../src/desired/schema.ts';
import { localExecutor } from '../../src/exec/local.ts';
import { freePort, httpReceiver, type HttpReceiver } from '../helpers/loopback.ts';

const BIN = '/usr/bin/prometheus-alertmanager';
const skip = spawnSync(BIN, ['--version'], { stdio: 'ignore' }).status === 0 ? false : `${BIN} missing (apt-get install prometheus-alertmanager)`;

interface Notification { status: string; alerts: { status: string; labels: Record<string, string> }[] }

describe('alertmanager sink: a real Alertmanager on loopback', { skip }, () => {
  let dir: string;
  let am: ChildProcess | undefined;
  let hook: HttpReceiver;
  let spec: ResolvedSpec;
  const got = (): Notification[] => hook.got.map((g) => JSON.parse(g.body) as Notification);
  const waitFor = async (n: number, ms = 20_000) => {
    for (const end = Date.now() + ms; got().length < n && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
    assert.ok(got().length >= n, `${n} notification(s) within ${ms} ms, got ${got().length}`);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawops-am-'));
    hook = await httpReceiver();
    const port = await freePort();
    writeFileSync(join(dir, 'am.yml'), [
      'route: { receiver: hook, group_by: [alertname, check, host], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }',
      `receivers: [{ name: hook, webhook_configs: [{ url: "${hook.url}/alert", send_resolved: true }] }]`,
      '',
    ].join('\n'));
    am = spawn(BIN, [`--config.file=${join(dir, 'am.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=', `--web.external-url=http://127.0.0.1:${port}`], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    spec = resolveSpec(Spec.parse({ stateDir: join(dir, 'state'), monitoring: { alerts: [{ type: 'alertmanager', url: `http://127.0.0.1:${port}/` }], alerting: { remindHours: 1 / 3600 } } }));
  });
  after(async () => {
    if (am?.pid) am.kill('SIGTERM');
    await hook?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const check = (status: CheckResult['status']): CheckResult => ({ id: 'service.active', instance: 'openclaw', title: 'the gateway runs', area: 'service', severity: 'critical', status, evidence: status === 'pass' ? 'active' : 'inactive (exit 78)', remediation: 'clawops apply', durationMs: 1 });
  // Alertmanager judges endsAt by its own clock: real time here, reminders after 1 s
  const run = (status: CheckResult['status']) =>
    dispatchAlerts(localExecutor(), spec, [check(status)], { now: new Date(), env: {}, profile: 'health', gate: status === 'pass' ? 'pass' : 'fail' });

  it('firing through Alertmanager with the check as labels; a reminder is deduplicated; one resolved', async (t) => {
    const t0 = performance.now();
    const r = await run('fail');
    assert.deepEqual(r.sinks, [{ sink: 'alertmanager#1', ok: true }]);
    await waitFor(1);
    t.diagnostic(`dispatch -> Alertmanager -> webhook: ${Math.round(performance.now() - t0)} ms`);
    assert.equal(got()[0]?.status, 'firing');
    assert.deepEqual(got()[0]?.alerts.map((a) => [a.labels.check, a.labels.openclaw_instance, a.labels.severity, a.labels.host !== undefined]), [['service.active', 'openclaw', 'critical', true]]);
    await new Promise((res) => setTimeout(res, 1100));
    const reminder = await run('fail');
    assert.deepEqual(reminder.events.map((e) => e.kind), ['reminder']);
    await new Promise((res) => setTimeout(res, 2000));
    assert.equal(got().length, 1, 'the reminder refreshes the alert, Alertmanager does not notify again');
    const done = await run('pass');
    assert.deepEqual(done.events.map((e) => e.kind), ['resolved']);
    await waitFor(2);
    assert.equal(got()[1]?.status, 'resolved');
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal(got().length, 2, 'exactly one resolved notification');
  });
});
