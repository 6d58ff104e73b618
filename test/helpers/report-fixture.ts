/**
 * A host's month as the report reads it, built through the ledger's own writers on a scratch file:
 * a health run every 10 minutes with the gateway's numbers, a bad afternoon (critical failures, an
 * incident opened, acknowledged and resolved), a gateway restart, nightly backups (one failed) and
 * weekly drills, a sign-off; plus a go-live check report with a failing, an unknown, a waived and a
 * skipped check. What was written is returned beside it, so tests compare the report to the source.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from '../../src/checks/types.ts';
import { summarize } from '../../src/checks/run.ts';
import { openLedger, type Ledger } from '../../src/ledger/db.ts';
import { updateIncident } from '../../src/ledger/query.ts';
import { recordEvent, recordRun, recordSignoff } from '../../src/ledger/record.ts';
import { CHECK_SCHEMA_VERSION, type CheckReport } from '../../src/views/check-report.ts';
import { QUIET } from '../unit/ledger/fixtures.ts';

const MIN = 60_000;
const DAY = 86_400_000;

export const FIXTURE_NOW = new Date('2026-11-30T18:00:00Z');
export const FIXTURE_HOST = 'gw-prod-1.example.internal';

const r = (id: string, area: CheckResult['area'], status: CheckResult['status'], evidence: string, extra: Partial<CheckResult> = {}): CheckResult => ({
  id, title: `the ${id} check`, area, severity: 'critical', status, evidence, remediation: `clawops apply (fixes ${id})`, durationMs: 3, ...extra,
});

export function fixtureCheck(now = FIXTURE_NOW): CheckReport {
  const results: CheckResult[] = [
    r('host.node.version', 'host', 'pass', 'node v24.11.1 satisfies >=22.16'),
    r('host.openclaw.version', 'host', 'pass', 'openclaw 2026.9.6 (pinned 2026.9.6)'),
    r('files.config', 'files', 'fail', '/home/openclaw-svc/.openclaw/openclaw.json file 644; expected at most 600', { remediation: 'clawops apply (file modes step), or: chmod 600 /home/openclaw-svc/.openclaw/openclaw.json', instance: 'openclaw' }),
    r('service.exposure', 'service', 'pass', 'systemd-analyze security: 2.1 OK', { severity: 'warn', instance: 'openclaw' }),
    r('network.gateway-loopback', 'network', 'pass', 'listening on 127.0.0.1:18789 only; host address 203.0.113.7 has nothing on 18789', { instance: 'openclaw' }),
    r('firewall.ufw.active', 'firewall', 'pass', 'Status: active'),
    r('access.tailscale.up', 'access', 'waived', 'tailscale: not installed on the target', { waiver: { reason: 'no tailnet on the lab host', expires: '2026-12-31', expired: false } }),
    r('credentials.llm-provider', 'access', 'unknown', 'no LLM provider configured (agents.defaults.model.primary unset)', { remediation: 'set a provider key (Phase 3)' }),
    r('backup.drill', 'backup', 'skipped', 'backup.enabled is false'),
  ];
  return {
    schemaVersion: CHECK_SCHEMA_VERSION, target: 'local', profile: 'go-live', startedAt: now.toISOString(), durationMs: 21_000,
    failOn: 'warn', allowUnknown: false, facts: 'live', waivers: '/etc/clawops/waivers.yaml', summary: summarize(results, 'warn', false), results,
  };
}

export interface WrittenSample {
  at: number;
  healthMs: number;
  memoryBytes: number;
  restarts: number;
}

export interface ReportFixture {
  ledger: Ledger;
  path: string;
  samples: WrittenSample[];
  backups: { at: number; ok: boolean; bytesAdded: number; durationMs: number }[];
  drills: { at: number; rtoSeconds: number }[];
  done(): void;
}

/** `days` days up to `now` in a scratch ledger (kept open: call done()). */
export function reportFixture(days = 30, now = FIXTURE_NOW, everyMin = 10): ReportFixture {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-report-'));
  const path = join(dir, 'ledger.db');
  const ledger = openLedger(path);
  // on the sampling grid (whole 10 minutes), so that 02:00 and 03:00 are sample times whatever `now` is
  const start = Math.ceil((now.getTime() - days * DAY) / (everyMin * MIN)) * everyMin * MIN;
  const samples: WrittenSample[] = [];
  const backups: ReportFixture['backups'] = [];
  const drills: ReportFixture['drills'] = [];
  let restarts = 0;
  const badFrom = start + (days - 9) * DAY;
  const badTo = badFrom + 3 * 3_600_000;
  for (let at = start; at <= now.getTime(); at += everyMin * MIN) {
    const i = samples.length;
    if (at === badTo) restarts++;
    const bad = at >= badFrom && at < badTo;
    const s = { at, healthMs: 20 + (i % 7) + (bad ? 400 : 0), memoryBytes: 300 * 1_048_576 + (i % 288) * 65_536, restarts };
    samples.push(s);
    const results = bad ? QUIET.map((q) => (q.id === 'network.gateway-health' ? { ...q, status: 'fail' as const, evidence: 'GET /healthz: timed out after 5 s' } : q)) : QUIET;
    recordRun(ledger, { at: new Date(at), profile: 'health', gate: bad ? 'fail' : 'pass', results, durationMs: 40, gateway: [{ instance: 'openclaw', restarts: s.restarts, memoryBytes: s.memoryBytes, healthProbeMs: s.healthMs }] });
    if (at === badTo) recordEvent(ledger, { at: new Date(at), kind: 'restart', ok: false, summary: 'openclaw.service restarted' });
    // nightly backup at 02:00, the one 12 days ago failed; a drill every Sunday at 03:00
    const d = new Date(at);
    if (d.getUTCHours() === 2 && d.getUTCMinutes() === 0) {
      const ok = Math.round((now.getTime() - at) / DAY) !== 12;
      const b = { at, ok, bytesAdded: (5 + (i % 11)) * 1_048_576, durationMs: 8_000 + (i % 5) * 1000 };
      backups.push(b);
      recordEvent(ledger, { at: d, kind: 'backup', ok, summary: ok ? 'backup: openclaw snapshot 0123abcd' : 'backup FAILED: repository locked', ...(ok ? { detail: { bytesAdded: b.bytesAdded, bytesProcessed: b.bytesAdded * 20, durationMs: b.durationMs } } : {}) });
    }
    if (d.getUTCDay() === 0 && d.getUTCHours() === 3 && d.getUTCMinutes() === 0) {
      const rto = 40 + drills.length * 3;
      drills.push({ at, rtoSeconds: rto });
      recordEvent(ledger, { at: d, kind: 'drill', ok: true, summary: `drill passed: openclaw, RTO ${rto} s`, detail: { rtoSeconds: rto, rpoHours: 1 } });
    }
  }
  const incident = ledger.db.prepare('SELECT id FROM incidents WHERE check_id = \'network.gateway-health\'').get() as { id: number } | undefined;
  if (incident) {
    updateIncident(ledger, incident.id, 'ack', 'looking: provider outage upstream', new Date(badFrom + 20 * MIN));
    updateIncident(ledger, incident.id, 'resolve', 'recovered on its own after the restart', new Date(badTo + 30 * MIN));
  }
  recordSignoff(ledger, new Date(now.getTime() - DAY), 'alice', { 'openclaw.json[openclaw]': 'sha256:aa11', 'unit[openclaw]': 'sha256:bb22' });
  return { ledger, path, samples, backups, drills, done: () => { if (ledger.db.isOpen) ledger.close(); rmSync(dir, { recursive: true, force: true }); } };
}
