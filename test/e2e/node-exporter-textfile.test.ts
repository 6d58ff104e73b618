/**
 * The textfiles the check timers, backups and drills write, read by a real node_exporter
 * (Debian's prometheus-node-exporter, textfile collector only, on loopback, stopped by its PID):
 * every file parses (node_textfile_scrape_error 0, which a malformed line or a series repeated
 * across two files would make 1), and the series the rendered rules use come out as written.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { evaluateRun, planRun, summarize } from '../../src/checks/run.ts';
import { backupMetrics, drillMetrics } from '../../src/backup/records.ts';
import { renderProm } from '../../src/views/check-prom.ts';
import { CHECK_SCHEMA_VERSION, type CheckReport } from '../../src/views/check-report.ts';
import { hardenedRaw, hardenedSpec, NOW } from '../unit/checks/hardened-facts.ts';
import { freePort } from '../helpers/loopback.ts';

const BIN = 'prometheus-node-exporter';
const skip = spawnSync(BIN, ['--version'], { stdio: 'ignore' }).status === 0 ? false : `${BIN} missing (apt-get install prometheus-node-exporter)`;
const spec = hardenedSpec();

function report(profile: 'health' | 'go-live' | 'security'): CheckReport {
  const results = evaluateRun(planRun({ spec, profile, now: NOW }), hardenedRaw(spec, '2026.9.6', profile));
  return {
    schemaVersion: CHECK_SCHEMA_VERSION, target: 'local', profile, startedAt: NOW.toISOString(), durationMs: 840, failOn: 'warn', allowUnknown: false,
    facts: 'live', waivers: '(none)', summary: summarize(results, 'warn', false), results,
    // what check.ts adds on the host: every profile records in the ledger, only health computes the gateway numbers
    ledger: { transitions: 0, opened: [], cleared: 0, openIncidents: 1, burninDays: 4, burninTarget: 7 },
    ...(profile === 'health' ? { gateway: [{ instance: 'openclaw', restarts: 2, memoryBytes: 412_000_000, healthProbeMs: 61 }] } : {}),
  };
}

describe('the textfiles under a real node_exporter', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-textfile-'));
  let pid: number | undefined;
  after(() => {
    if (pid) process.kill(pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('every file parses; the series the rules use are there', { timeout: 60_000 }, async () => {
    for (const p of ['health', 'go-live', 'security'] as const) writeFileSync(join(dir, `clawops-${p}.prom`), renderProm(report(p)));
    const at = NOW.toISOString();
    writeFileSync(join(dir, 'clawops_backup.prom'), backupMetrics({ schemaVersion: 1, kind: 'backup', ok: true, startedAt: at, finishedAt: at, lastSuccessAt: at, durationMs: 1500, host: 'h', repository: '/r', instances: [{ name: 'openclaw', ok: true, durationMs: 1400, bytesAdded: 10, bytesProcessed: 100 }] }));
    writeFileSync(join(dir, 'clawops_drill.prom'), drillMetrics({ schemaVersion: 1, kind: 'drill', ok: true, startedAt: at, finishedAt: at, lastSuccessAt: at, host: 'h', instance: 'openclaw', steps: [] }));
    const port = await freePort();
    const child = spawn(BIN, [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${dir}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    pid = child.pid;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let body = '';
    for (let i = 0; i < 100 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(body, `node_exporter did not answer: ${stderr}`);
    assert.match(body, /^node_textfile_scrape_error 0$/m, `${stderr.split('\n').filter((l) => /error|textfile/i.test(l)).join('\n')}`);
    for (const f of ['clawops-health.prom', 'clawops-go-live.prom', 'clawops-security.prom', 'clawops_backup.prom', 'clawops_drill.prom']) {
      assert.match(body, new RegExp(`node_textfile_mtime_seconds\\{file="${join(dir, f).replaceAll('.', '\\.')}"\\}`), f);
    }
    assert.match(body, /^clawops_gateway_restarts_total\{instance_name="openclaw"\} 2$/m);
    assert.match(body, /^clawops_gateway_memory_bytes\{instance_name="openclaw"\} 4\.12e\+08$/m);
    assert.match(body, /^clawops_burnin_days 4$/m);
    assert.match(body, /^clawops_incidents_open 1$/m);
    assert.match(body, /^clawops_check_last_run_timestamp_seconds\{profile="health"\} \d/m);
    assert.match(body, /^clawops_backup_last_success_timestamp_seconds \d/m);
    assert.match(body, /^clawops_drill_last_success_timestamp_seconds\{instance_name="openclaw"\} \d/m);
  });
});
