/**
 * `clawops report` on a ledger holding a year of minute-by-minute health runs (each with its
 * gateway's numbers), hourly restart watches, nightly backups and weekly drills, on a scratch file:
 * the data (gate, calendar, incidents, plots over the whole year) and the HTML page. Beside it what
 * an operator would otherwise run for the plots alone: the `sqlite3` shell grouping the same
 * samples. Goals: under 2 s and a page under 2 MB.
 *
 *   node bench/report.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '../src/ledger/db.ts';
import { recordEvent, recordRun } from '../src/ledger/record.ts';
import { renderHtml } from '../src/report/html.ts';
import { buildReport } from '../src/report/model.ts';
import { fixtureCheck } from '../test/helpers/report-fixture.ts';
import { QUIET } from '../test/unit/ledger/fixtures.ts';
import { report } from './lib.ts';

const dir = mkdtempSync(join(tmpdir(), 'clawops-report-bench-'));
let ok = true;
try {
  const path = join(dir, 'ledger.db');
  const l = openLedger(path);
  const MIN = 60_000;
  const y0 = Date.UTC(2026, 0, 1);
  const w = performance.now();
  for (let m = 0; m < 365 * 1440; m++) {
    const at = new Date(y0 + m * MIN);
    recordRun(l, { at, profile: 'health', gate: 'pass', results: QUIET, durationMs: 40, gateway: [{ instance: 'openclaw', restarts: Math.floor(m / 40_000), memoryBytes: 300_000_000 + (m % 1440) * 50_000, healthProbeMs: 20 + (m % 13) }] });
    if (m % 60 === 0) recordRun(l, { at, profile: 'restart', gate: 'pass', results: QUIET.slice(0, 4), durationMs: 30 });
    if (m % 1440 === 120) recordEvent(l, { at, kind: 'backup', ok: true, summary: 'backup: openclaw snapshot 0123abcd', detail: { bytesAdded: 6_000_000 + (m % 7) * 1_000_000, bytesProcessed: 90_000_000, durationMs: 9000 } });
    if (m % 10_080 === 180) recordEvent(l, { at, kind: 'drill', ok: true, summary: 'drill passed', detail: { rtoSeconds: 45 } });
  }
  l.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  console.log(`   a year of minute-by-minute runs written in ${((performance.now() - w) / 1000).toFixed(1)} s`);
  const now = new Date(y0 + 365 * 1440 * MIN - MIN);
  const input = {
    now, host: 'gw-prod-1', check: fixtureCheck(now), ledger: l, burnin: { days: 7, maxGapMinutes: 15, backupRequired: true },
    targets: { rpoHours: 24, rtoHours: 2 }, clawopsVersion: '0.1.0', knownGood: [], frozen: undefined,
  };
  const time = (days: number) => {
    buildReport({ ...input, days }); // warm: the first call pays for the page cache
    const t0 = performance.now();
    const html = renderHtml(buildReport({ ...input, days }));
    return { ms: performance.now() - t0, bytes: Buffer.byteLength(html) };
  };
  const month = time(30);
  const year = time(366);
  l.close();
  // the operator's way to the same plot numbers: the sqlite3 shell grouping the year's samples
  const from = now.getTime() - 366 * 1440 * MIN;
  const sql = `SELECT instance, min(at), avg(health_ms), max(memory_bytes), max(restarts) FROM samples WHERE at >= ${from} GROUP BY instance, (at - ${from}) / ${Math.ceil((366 * 1440 * MIN) / 120)};`;
  const s0 = performance.now();
  const r = spawnSync('sqlite3', ['-readonly', path, sql], { encoding: 'utf8' });
  const theirs = performance.now() - s0;
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  ok = report('report over a year of ledger (data + page) against sqlite3 grouping the plot samples alone', year.ms, theirs, 'ms', { max: 3 }) && ok;
  for (const [what, t] of [['30 days', month], ['a whole year', year]] as const) {
    const pass = t.ms < 2000 && t.bytes < 2 * 1024 * 1024;
    console.log(`${pass ? 'PASS' : 'MISS'} report over ${what}: ${t.ms.toFixed(0)} ms, page ${(t.bytes / 1024).toFixed(0)} KB (goal < 2 s, < 2 MB)`);
    ok = ok && pass;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
