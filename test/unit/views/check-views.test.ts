import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateRun, planRun, summarize } from '../../../src/checks/run.ts';
import { factsFile } from '../../../src/facts/file.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import { CHECK_SCHEMA_VERSION, type CheckReport } from '../../../src/views/check-report.ts';
import { renderHuman } from '../../../src/views/check-human.ts';
import { renderJunit } from '../../../src/views/check-junit.ts';
import { renderProm } from '../../../src/views/check-prom.ts';
import { style } from '../../../src/views/style.ts';
import { runCli } from '../../../src/cli/program.ts';
import { memoryRuntime } from '../../../src/cli/runtime.ts';
import { hardenedRaw, hardenedSpec, NOW } from '../checks/hardened-facts.ts';

const spec = hardenedSpec();

function report(): CheckReport {
  const raw = hardenedRaw(spec);
  raw.set('ufw', { t: 'cmd', exitCode: 0, stdout: 'Status: inactive\n', stderr: '', timedOut: false, durationMs: 1 });
  const results = evaluateRun(planRun({ spec, profile: 'go-live', now: NOW }), raw);
  return { schemaVersion: CHECK_SCHEMA_VERSION, target: 'recorder', profile: 'go-live', startedAt: NOW.toISOString(), durationMs: 12, failOn: 'warn', allowUnknown: false, facts: 'live', waivers: '(none)', summary: summarize(results, 'warn', false), results };
}

describe('check views', () => {
  it('human: grouped by area with counts, failures with their fix, gate line', () => {
    const text = renderHuman(report(), style(false)).join('\n');
    assert.match(text, /^firewall \(\d+ pass, 1 fail, 3 unknown/m);
    assert.match(text, /FAIL\s+critical firewall\.ufw\.active/);
    assert.match(text, /fix: clawops apply \(firewall step/);
    assert.match(text, /Gate: FAILED — \d+ blocking .*firewall\.ufw\.active/);
  });
  it('junit: failures and unknowns as failure/error elements', () => {
    const x = renderJunit(report());
    assert.match(x, /<testsuite name="firewall" tests="\d+" failures="1" errors="3"/);
    assert.match(x, /<failure type="critical" message="Status: inactive">/);
    assert.ok(x.startsWith('<?xml'));
  });
  it('prom: one series per check and status, gate gauge', () => {
    const p = renderProm(report());
    assert.match(p, /clawops_check_status\{id="firewall.ufw.active",instance_name="",severity="critical",area="firewall",profile="go-live",status="fail"\} 1/);
    assert.match(p, /clawops_gate_passed\{profile="go-live",fail_on="warn"\} 0/);
    assert.ok(p.split('\n').filter((l) => l && !l.startsWith('#')).every((l) => /^[a-z_]+\{.*\} [\d.]+$/.test(l)), 'valid exposition lines');
  });
  it('prom: the health textfile carries the gateway numbers and the ledger gauges; other profiles never (no duplicate series)', () => {
    const extra = {
      gateway: [{ instance: 'openclaw', restarts: 3, memoryBytes: 123_456_789, healthProbeMs: 84 }],
      ledger: { transitions: 0, opened: [], cleared: 0, openIncidents: 2, burninDays: 5, burninTarget: 7 },
    };
    const health = renderProm({ ...report(), profile: 'health', ...extra });
    assert.match(health, /# TYPE clawops_gateway_restarts_total counter\nclawops_gateway_restarts_total\{instance_name="openclaw"\} 3\n/);
    assert.match(health, /clawops_gateway_memory_bytes\{instance_name="openclaw"\} 123456789\n/);
    assert.match(health, /clawops_gateway_health_probe_seconds\{instance_name="openclaw"\} 0\.084\n/);
    assert.match(health, /\nclawops_burnin_days 5\nclawops_burnin_target_days|clawops_burnin_days 5\n/);
    assert.match(health, /clawops_incidents_open 2\n/);
    const goLive = renderProm({ ...report(), ...extra });
    assert.doesNotMatch(goLive, /clawops_burnin_days|clawops_incidents_open/);
    // a number systemd did not give is left out, never written as 0
    assert.doesNotMatch(renderProm({ ...report(), profile: 'health', gateway: [{ instance: 'openclaw', restarts: 1, memoryBytes: null, healthProbeMs: null }] }), /clawops_gateway_memory_bytes/);
  });
});

describe('clawops check --facts (offline) and checks list', () => {
  it('evaluates a recorded facts file: json view, exit code, schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawops-facts-'));
    try {
      const f = join(dir, 'facts.json');
      writeFileSync(f, JSON.stringify(factsFile('nspawn:x', NOW, 'go-live', spec, hardenedRaw(spec))));
      const rt = memoryRuntime();
      const code = await runCli(['check', '--facts', f, '--format', 'json', '--allow-unknown'], rt);
      const out = JSON.parse(rt.stdout) as CheckReport;
      assert.equal(out.schemaVersion, 1);
      assert.equal(out.target, 'nspawn:x');
      assert.equal(out.summary.gate, 'pass');
      assert.equal(code, 0);
      for (const k of ['id', 'title', 'severity', 'status', 'evidence', 'remediation', 'durationMs']) assert.ok(k in out.results[0]!, k);
      const strict = memoryRuntime();
      assert.equal(await runCli(['check', '--facts', f], strict), 2, 'the channel pairing stays unknown: strict gate fails');
      assert.match(strict.stdout, /access\.channel\.paired/);
      const junit = memoryRuntime();
      await runCli(['check', '--facts', f, '--format', 'junit', '--profile', 'health'], junit);
      assert.match(junit.stdout, /<testsuites name="clawops check health"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('checks list --json has id, title, severity, profiles, runbook, remediation', async () => {
    const rt = memoryRuntime();
    assert.equal(await runCli(['checks', 'list', '--json'], rt), 0);
    const { checks } = JSON.parse(rt.stdout) as { checks: { id: string; runbook: string }[] };
    assert.ok(checks.length >= 50);
    assert.ok(checks.some((c) => c.id === 'firewall.docker-user' && c.runbook.includes('1.6')));
  });
  it('a bad facts file is a clear error (exit 1)', async () => {
    const rt = memoryRuntime();
    assert.equal(await runCli(['check', '--facts', '/nonexistent/facts.json'], rt), 1);
    assert.match(rt.stderr, /cannot read facts file.*\n.*next: record one with `clawops facts --out FILE`/);
  });
});

describe('render grafana-dashboard', () => {
  it('is a dashboard JSON whose every query reads a series clawops writes (health textfile, backup, drill)', async () => {
    const { renderGrafanaDashboard } = await import('../../../src/render/monitoring.ts');
    const { backupMetrics, drillMetrics, parseBackupRecord, parseDrillRecord } = await import('../../../src/backup/records.ts');
    const d = JSON.parse(renderGrafanaDashboard()) as { title: string; panels: { title: string; targets: { expr: string }[] }[]; templating?: unknown };
    assert.ok(d.title && d.panels.length >= 6, 'a titled dashboard with its panels');
    const written = new Set([
      renderProm({ ...report(), profile: 'health', gateway: [{ instance: 'openclaw', restarts: 1, memoryBytes: 1, healthProbeMs: 1 }], ledger: { transitions: 0, opened: [], cleared: 0, openIncidents: 0, burninDays: 1, burninTarget: 7 } }),
      backupMetrics(parseBackupRecord(JSON.stringify({ schemaVersion: 1, kind: 'backup', ok: true, startedAt: NOW.toISOString(), finishedAt: NOW.toISOString(), lastSuccessAt: NOW.toISOString(), durationMs: 1, host: 'h', repository: 'r', instances: [] }))!),
      drillMetrics(parseDrillRecord(JSON.stringify({ schemaVersion: 1, kind: 'drill', ok: true, startedAt: NOW.toISOString(), finishedAt: NOW.toISOString(), lastSuccessAt: NOW.toISOString(), host: 'h', instance: 'openclaw', steps: [] }))!),
    ].flatMap((text) => [...text.matchAll(/^(clawops_[a-z_]+)[{ ]/gm)].map((m) => m[1]!)));
    for (const p of d.panels) {
      assert.ok(p.targets.length > 0, `${p.title}: a query`);
      for (const t of p.targets) for (const m of t.expr.matchAll(/clawops_[a-z_]+/g)) assert.ok(written.has(m[0]), `${p.title}: ${m[0]} is a series clawops writes`);
    }
  });
});
