/**
 * Crash alerts on the converged whole-spec testbed (apply-openclaw-suite.ts, newest OpenClaw):
 * a webhook receiver inside the testbed (loopback), the spec's alert sink pointed at it by a
 * reference file, one apply. SIGKILL of the gateway: the crash alert arrives from the unit's own
 * hook (ExecStopPost= -> clawops-alert@<instance>:crash.service), not from a timer; killed until
 * the start limit latches: the latch alert (OnFailure=); fixed: the next health run sends one
 * resolved message per alert, and a second run none; the host's ledger holds both as incidents with
 * the journal attached; OpenClaw's file log survives every restart and stays private. The delays are
 * measured and printed. Then a binary dropped into /usr/local/bin: the integrity timer's run alerts
 * (AIDE), and resolves once it is gone.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Executor } from '../../src/exec/types.ts';
import { clawops } from './apply-cli.ts';
import type { Testbed } from '../helpers/testbed.ts';

const PORT = 18999;
const LOG = '/root/clawops-hook.jsonl';
const RECEIVER = `import http.server, json, time
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('content-length', 0)))
        with open('${LOG}', 'a') as f:
            f.write(json.dumps({'t': time.time(), 'body': json.loads(body)}) + '\\n')
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(('127.0.0.1', ${PORT}), H).serve_forever()
`;

interface Got { t: number; body: { kind: string; check: string; instance: string | null; evidence: string } }

export interface AlertsTarget {
  tb(): Testbed;
  /** the suite's spec file */
  spec(): string;
  converged(): boolean;
}

const sh = async (ex: Executor, script: string) => (await ex.run(['sh', '-c', script], { timeoutMs: 120_000 })).stdout;

export function crashAlertTests(on: AlertsTarget): void {
  test('alerts: a crash and the start-limit latch reach the webhook in seconds from the unit itself; fixed, one resolved each', { timeout: 900_000 }, async (t) => {
    if (!on.converged()) return t.skip('the fresh apply did not converge and pass the gate');
    const ex = on.tb().executor;
    await ex.writeFile('/root/clawops-hook.py', RECEIVER, { mode: 0o600 });
    await sh(ex, `rm -f ${LOG}; systemd-run --unit clawops-test-hook python3 /root/clawops-hook.py; for i in $(seq 50); do ss -Htln | grep -q :${PORT} && exit 0; sleep 0.1; done; exit 1`);
    await ex.writeFile('/etc/clawops/hook-url', `http://127.0.0.1:${PORT}/hook\n`, { mode: 0o600, owner: 'root', group: 'root' });
    const spec = on.spec().replace(/\.yaml$/, '-alerts.yaml');
    writeFileSync(spec, `${readFileSync(on.spec(), 'utf8')}monitoring:\n  alerts:\n    - { type: webhook, url: { file: /etc/clawops/hook-url } }\n    - { type: journal }\n`);
    const applied = await clawops(['apply', '--yes', '--target', `nspawn:${on.tb().name}`, '-f', spec], {}, 600_000);
    assert.equal(applied.code, 0, `${applied.stdout}\n${applied.stderr}`);
    const test = await clawops(['alert', 'test', '--target', `nspawn:${on.tb().name}`, '-f', spec]);
    assert.equal(test.code, 0, test.stdout + test.stderr);

    const got = async (): Promise<Got[]> => (await sh(ex, `cat ${LOG} 2>/dev/null; true`)).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Got);
    const waitFor = async (pred: (g: Got) => boolean, ms: number): Promise<Got | undefined> => {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
        const hit = (await got()).find(pred);
        if (hit) return hit;
      }
      return undefined;
    };
    const show = async () => Object.fromEntries((await sh(ex, 'systemctl show openclaw.service -p MainPID,ActiveState,NRestarts,Result')).trim().split('\n').map((l) => l.split('=') as [string, string]));

    // OpenClaw's file log: kept across every restart below, not readable by other users
    const LOGFILE = '/var/log/openclaw/openclaw/gateway.log';
    const logBefore = await sh(ex, `stat -c '%a %U' /var/log/openclaw/openclaw ${LOGFILE}; head -n 1 ${LOGFILE}; wc -c < ${LOGFILE}`);
    const [dirMode, fileMode, firstLine, size] = logBefore.trim().split('\n');
    assert.equal(dirMode, '750 openclaw-svc');
    assert.match(fileMode ?? '', /^[67][04]0 openclaw-svc$/, `${LOGFILE} is not world-readable`);
    assert.ok((firstLine ?? '').length > 0, 'the gateway writes its file log');

    // the incidents the drift rounds opened (what the timers saw of each breakage) are resolved first: an
    // incident still open for a check takes a new failure of it as another occurrence, not a new incident
    const onHost = (...argv: string[]) => clawops(['--json', ...argv, '--target', `nspawn:${on.tb().name}`]);
    const earlier = (JSON.parse((await onHost('incident', 'list')).stdout) as { incidents: { id: number }[] }).incidents;
    for (const i of earlier) assert.equal((await onHost('incident', 'resolve', String(i.id), '--note', 'drift table: broken on purpose')).code, 0);

    // what the book still held from the rounds before (a check failing while the gateway was broken on
    // purpose) is resolved by one health run now; only the messages after it are this test's
    await sh(ex, 'systemctl start clawops-health.service || true');
    const mark = (await got()).length;
    const since = async () => (await got()).slice(mark);

    // the first crash (the every-minute health timer is paused: a run between two kills would see the
    // gateway active, resolve, and the next kill fire again; the book's dedup is test/unit/alerts)
    await sh(ex, 'systemctl stop clawops-health.timer; systemctl reset-failed openclaw.service; systemctl is-active -q openclaw.service');
    const t0 = Date.now() / 1000;
    await sh(ex, 'systemctl kill --kill-who=main -s SIGKILL openclaw.service');
    const crash = await waitFor((g) => g.body.kind === 'firing' && g.body.check === 'service.active', 60_000);
    assert.ok(crash, `no crash alert; received: ${JSON.stringify(await got())}`);
    assert.match(crash.body.evidence, /crashed: main process killed with status 9/);
    t.diagnostic(`crash alert ${(crash.t - t0).toFixed(1)} s after the SIGKILL`);
    assert.ok(crash.t - t0 < 10, `the crash alert within 10 s of the crash (${(crash.t - t0).toFixed(1)} s)`);

    // killed each time it is back, until the start limit latches
    let s = await show();
    let latchedAt = 0;
    for (let kills = 1; kills < 12 && s.ActiveState !== 'failed'; kills++) {
      for (const end = Date.now() + 60_000; Date.now() < end && !(s.ActiveState === 'failed' || (s.ActiveState === 'active' && s.MainPID !== '0')); s = await show()) await new Promise((r) => setTimeout(r, 200));
      if (s.ActiveState === 'failed') break;
      await sh(ex, 'systemctl kill --kill-who=main -s SIGKILL openclaw.service || true');
      for (const end = Date.now() + 20_000; Date.now() < end && s.ActiveState === 'active'; s = await show()) await new Promise((r) => setTimeout(r, 100));
    }
    for (const end = Date.now() + 20_000; Date.now() < end && s.ActiveState !== 'failed'; s = await show()) await new Promise((r) => setTimeout(r, 200));
    latchedAt = Date.now() / 1000;
    assert.equal(s.ActiveState, 'failed', JSON.stringify(s));
    const latch = await waitFor((g) => g.body.kind === 'firing' && g.body.check === 'service.start-limit', 60_000);
    assert.ok(latch, `no latch alert; received: ${JSON.stringify((await got()).map((g) => `${g.body.kind} ${g.body.check}`))}`);
    t.diagnostic(`latch alert ${(latch.t - latchedAt).toFixed(1)} s after the latch was seen (${s.NRestarts} restarts)`);
    assert.ok(latch.t - latchedAt < 10, `the latch alert within 10 s of the latch (${(latch.t - latchedAt).toFixed(1)} s)`);
    assert.equal((await got()).filter((g) => g.body.kind === 'firing' && g.body.check === 'service.active').length, 1, 'repeated crashes are one alert');

    // fixed: the next health runs resolve each alert once
    await sh(ex, 'systemctl reset-failed openclaw.service; systemctl start openclaw.service');
    const healthy = await clawops(['check', '--profile', 'health', '--target', `nspawn:${on.tb().name}`, '-f', spec], {}, 300_000);
    for (let i = 0; i < 60 && !/Gate: PASSED/.test((await clawops(['check', '--profile', 'health', '--only', 'network.gateway-health', '--target', `nspawn:${on.tb().name}`, '-f', spec])).stdout); i++) await new Promise((r) => setTimeout(r, 2000));
    t.diagnostic(`health before the timer run: exit ${healthy.code}`);
    for (let i = 0; i < 2; i++) await sh(ex, 'systemctl start clawops-health.service || true');
    const resolved = (await since()).filter((g) => g.body.kind === 'resolved').map((g) => g.body.check).sort();
    assert.deepEqual(resolved, ['service.active', 'service.start-limit'], JSON.stringify((await since()).map((g) => `${g.body.kind} ${g.body.check}`)));
    const logAfter = await sh(ex, `head -n 1 ${LOGFILE}; wc -c < ${LOGFILE}`);
    assert.equal(logAfter.split('\n')[0], firstLine, 'the lines from before the restarts are still there');
    assert.ok(Number(logAfter.trim().split('\n').pop()) > Number(size), 'the restarted gateways append to the same file');
    const journal = await sh(ex, 'journalctl --no-pager -o cat -t clawops-alert | tail -n 20');
    assert.match(journal, /\[FIRING\] critical service\.start-limit\[openclaw\]/, 'the journal sink too');

    // the host's ledger, read through the clawops installed there: the crash and the latch are
    // incidents with the gateway's journal attached, their condition cleared by the health runs
    const listed = await onHost('incident', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    const incidents = (JSON.parse(listed.stdout) as { incidents: { id: number; check: string; instance: string; clearedAt: string | null; state: string }[] }).incidents;
    assert.deepEqual(incidents.map((i) => `${i.check}[${i.instance}] ${i.state} ${i.clearedAt ? 'cleared' : 'failing'}`).sort(),
      ['service.active[openclaw] open cleared', 'service.start-limit[openclaw] open cleared']);
    const crashIncident = incidents.find((i) => i.check === 'service.active')!;
    const shown = JSON.parse((await onHost('incident', 'show', String(crashIncident.id))).stdout) as { incident: { evidence: { evidence: string; journal?: string } } };
    assert.match(shown.incident.evidence.evidence, /crashed: main process killed with status 9/);
    assert.match(shown.incident.evidence.journal ?? '', /openclaw\.service/, 'the journal excerpt is attached');
    for (const i of incidents) assert.equal((await onHost('incident', 'resolve', String(i.id), '--note', 'test: killed on purpose')).code, 0);
    const info = JSON.parse((await onHost('ledger', 'info')).stdout) as { ledger: { runs: number; openIncidents: number } };
    assert.ok(info.ledger.runs > 0 && info.ledger.openIncidents === 0, JSON.stringify(info));
    t.diagnostic(`ledger: ${earlier.length} incidents from the drift rounds and ${incidents.length} from this test, resolved by hand; ${info.ledger.runs} check runs recorded by the timers`);

    // file integrity: a binary dropped into /usr/local/bin is an alert from the next integrity timer run; gone, it resolves
    const aideMark = (await got()).length;
    await ex.writeFile('/usr/local/bin/helper', '#!/bin/sh\necho helper\n', { mode: 0o755, owner: 'root', group: 'root' });
    await sh(ex, 'systemctl start clawops-integrity.service || true');
    const aide = (await got()).slice(aideMark).find((g) => g.body.kind === 'firing' && g.body.check === 'host.baseline.aide');
    assert.ok(aide, `no AIDE alert from the integrity run: ${JSON.stringify((await got()).slice(aideMark).map((g) => `${g.body.kind} ${g.body.check}`))}`);
    assert.match(aide.body.evidence, /added: \/usr\/local\/bin\/helper/);
    await sh(ex, 'rm -f /usr/local/bin/helper; systemctl start clawops-integrity.service || true');
    assert.ok((await got()).slice(aideMark).some((g) => g.body.kind === 'resolved' && g.body.check === 'host.baseline.aide'), 'resolved once the binary is gone');
    for (const i of (JSON.parse((await onHost('incident', 'list')).stdout) as { incidents: { id: number }[] }).incidents) {
      assert.equal((await onHost('incident', 'resolve', String(i.id), '--note', 'test: a binary dropped on purpose')).code, 0);
    }
    t.diagnostic(`AIDE alert from the integrity timer's service: ${aide.body.evidence.slice(0, 120)}`);

    // back to the suite's spec (apply starts the health timer again)
    await sh(ex, 'systemctl stop clawops-test-hook.service || true');
    assert.equal((await clawops(['apply', '--yes', '--target', `nspawn:${on.tb().name}`, '-f', on.spec()], {}, 600_000)).code, 0);
  });
}
