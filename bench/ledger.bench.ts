/**
 * The ledger's cost, on a scratch file (nothing else is touched):
 *   1. per check run, as the health timer pays it every minute: open the ledger, record the run
 *      (its day, the state of each check), the hourly compaction test, close. Beside it what an
 *      operator would otherwise run to keep such a record: one `sqlite3 ledger.db "INSERT ..."` per
 *      run. Goal: under 5 ms a run.
 *   2. its size after a simulated year: a health run every minute, the restart watch hourly, the
 *      security audit every 6 hours, a nightly backup, with compaction (90 days of runs kept,
 *      older ones as daily summaries). Goal: under 50 MB.
 *
 *   node bench/ledger.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger, withLedger } from '../src/ledger/db.ts';
import { compact } from '../src/ledger/compact.ts';
import { recordEvent, recordRun } from '../src/ledger/record.ts';
import { QUIET } from '../test/unit/ledger/fixtures.ts';
import { report } from './lib.ts';

const dir = mkdtempSync(join(tmpdir(), 'clawops-ledger-bench-'));
const POLICY = { retentionDays: 90, maxBytes: 50 * 1024 * 1024 };
let ok = true;
try {
  // 1. per run, open to close
  const path = join(dir, 'ledger.db');
  const RUNS = 2000;
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 50; i++) withLedger(path, new Date(t0 + i * 60_000), (l) => recordRun(l, { at: new Date(t0 + i * 60_000), profile: 'health', gate: 'pass', results: QUIET, durationMs: 40 }));
  const started = performance.now();
  for (let i = 50; i < 50 + RUNS; i++) {
    const at = new Date(t0 + i * 60_000);
    withLedger(path, at, (l) => {
      recordRun(l, { at, profile: 'health', gate: 'pass', results: QUIET, durationMs: 40 });
      compact(l, POLICY, at);
    });
  }
  const ours = (performance.now() - started) / RUNS;
  const shell = join(dir, 'shell.db');
  spawnSync('sqlite3', [shell, 'CREATE TABLE runs (at INTEGER, profile TEXT, gate TEXT, results TEXT)']);
  const SHELL_RUNS = 200;
  const s0 = performance.now();
  for (let i = 0; i < SHELL_RUNS; i++) {
    spawnSync('sqlite3', [shell, `INSERT INTO runs VALUES (${t0 + i * 60_000}, 'health', 'pass', '${JSON.stringify(QUIET.map((r) => [r.id, r.status]))}')`]);
  }
  const theirs = (performance.now() - s0) / SHELL_RUNS;
  ok = report('ledger cost per check run (open, record, compaction test, close)', ours, theirs, 'ms', { max: 1 }) && ok;
  console.log(`${ours < 5 ? 'PASS' : 'MISS'} ledger cost per check run: ${ours.toFixed(2)} ms (goal < 5 ms)`);

  // 2. a simulated year
  const yearPath = join(dir, 'year.db');
  const l = openLedger(yearPath);
  const y0 = Date.UTC(2026, 0, 1);
  const MIN = 60_000;
  const y = performance.now();
  for (let m = 0; m < 365 * 1440; m++) {
    const at = new Date(y0 + m * MIN);
    recordRun(l, { at, profile: 'health', gate: 'pass', results: QUIET, durationMs: 40 });
    if (m % 60 === 0) {
      recordRun(l, { at, profile: 'restart', gate: 'pass', results: QUIET.slice(0, 4), durationMs: 30 });
      compact(l, POLICY, at);
    }
    if (m % 360 === 0) recordRun(l, { at, profile: 'security', gate: 'pass', results: QUIET, durationMs: 14_000 });
    if (m % 1440 === 120) recordEvent(l, { at, kind: 'backup', ok: true, summary: 'snapshot 0123abcd: 85 files' });
  }
  l.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  l.close();
  const mb = statSync(yearPath).size / 1024 / 1024;
  console.log(`   a simulated year (525,600 health runs + hourly, 6-hourly, daily) written in ${((performance.now() - y) / 1000).toFixed(1)} s`);
  const okSize = mb < 50;
  console.log(`${okSize ? 'PASS' : 'MISS'} ledger size after a simulated year: ${mb.toFixed(1)} MB (goal < 50 MB; 90 days of runs, the rest as daily summaries)`);
  ok = ok && okSize;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
