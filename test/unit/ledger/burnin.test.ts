/**
 * Burn-in with a simulated clock: days of health runs every 5 minutes and a nightly backup are
 * written into a real ledger (days stepped, not waited), then read back as the burn-in.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { recordEvent, recordRun } from '../../../src/ledger/record.ts';
import { readBurnin, type BurninPolicy } from '../../../src/ledger/query.ts';
import { compact } from '../../../src/ledger/compact.ts';
import { QUIET, scratchLedger } from './fixtures.ts';
import type { Ledger } from '../../../src/ledger/db.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-10-01T00:00:00Z');
const POLICY: BurninPolicy = { days: 7, maxGapMinutes: 15, backupRequired: true };
const failing = QUIET.map((r) => (r.id === 'network.gateway-health' ? { ...r, status: 'fail' as const } : r));

interface DayPlan {
  /** minutes of the day with no health run */
  gap?: [number, number];
  /** a critical failure at this minute (one run) */
  failAt?: number;
  backup?: boolean;
}

/** Writes day `n` (0 = START) as planned: a run every 5 minutes, the backup at 02:00. */
function day(l: Ledger, n: number, p: DayPlan = {}): void {
  for (let m = 0; m < 1440; m += 5) {
    if (p.gap && m >= p.gap[0] && m < p.gap[1]) continue;
    const at = new Date(START + n * DAY + m * 60_000);
    recordRun(l, { at, profile: 'health', gate: m === p.failAt ? 'fail' : 'pass', results: m === p.failAt ? failing : QUIET, durationMs: 40 });
  }
  if (p.backup !== false) recordEvent(l, { at: new Date(START + n * DAY + 120 * 60_000), kind: 'backup', ok: true, summary: 'snapshot' });
}
/** day `n`, two minutes in: its first run not written yet */
const early = (n: number) => new Date(START + n * DAY + 2 * 60_000);
const noon = (n: number) => new Date(START + n * DAY + 720 * 60_000);

describe('burn-in, days stepped', () => {
  const s = scratchLedger();
  after(() => s.done());

  it('a first partial day is not clean (monitoring started mid-day); clean days count from the next', () => {
    day(s.l, 0, { gap: [0, 600] });
    for (let n = 1; n <= 3; n++) day(s.l, n);
    const b = readBurnin(s.l, POLICY, early(4));
    assert.equal(b.streak, 3);
    assert.equal(b.complete, false);
    assert.match(b.days.at(-1)!.reasons.join(), /gap in health runs/);
    assert.ok(b.today.clean, JSON.stringify(b.today));
  });

  it('a gap day resets the count, and so does a day without a successful backup', () => {
    day(s.l, 4, { gap: [300, 400] });
    let b = readBurnin(s.l, POLICY, early(5));
    assert.equal(b.streak, 0);
    assert.match(b.days[0]!.reasons.join(), /a 105 min gap in health runs \(limit 15 min\)/);
    day(s.l, 5, { backup: false });
    day(s.l, 6);
    b = readBurnin(s.l, POLICY, early(7));
    assert.equal(b.streak, 1);
    assert.deepEqual(b.days[1]!.reasons, ['no successful backup']);
  });

  it('seven clean days complete it; a critical failure today resets it at once', () => {
    for (let n = 7; n <= 12; n++) day(s.l, n);
    let b = readBurnin(s.l, POLICY, early(13));
    assert.equal(b.streak, 7);
    assert.ok(b.complete);
    recordRun(s.l, { at: new Date(early(13).getTime() + 60_000), profile: 'health', gate: 'fail', results: failing, durationMs: 40 });
    b = readBurnin(s.l, POLICY, new Date(early(13).getTime() + 120_000));
    assert.equal(b.streak, 0);
    assert.match(b.today.reasons.join(), /critical check failing/);
  });

  it('monitoring that stopped shows as a gap on the day it stopped, and on every day after', () => {
    // day 13 ends at its failure (00:03); nothing after: day 14 has no run at all
    const b = readBurnin(s.l, POLICY, noon(15));
    assert.equal(b.streak, 0);
    assert.match(b.today.reasons.join(), /no health run recorded/);
    assert.match(b.days[0]!.reasons.join(), /no health run recorded/);
  });

  it('compaction keeps the days: runs older than the retention go, the burn-in reads the same', () => {
    const before = readBurnin(s.l, POLICY, early(12));
    const c = compact(s.l, { retentionDays: 7, maxBytes: 50 * 1024 * 1024 }, noon(15), true);
    assert.ok(c.ran && c.deletedRuns > 1000, JSON.stringify(c));
    assert.deepEqual(readBurnin(s.l, POLICY, early(12)), before);
  });

  it('over the size cap, the oldest runs go until it fits', () => {
    const c = compact(s.l, { retentionDays: 365, maxBytes: 112 * 1024 }, noon(15), true);
    assert.ok(c.ran && c.deletedRuns > 0, JSON.stringify(c));
    assert.ok(c.bytes <= 112 * 1024, `${c.bytes} bytes after compaction`);
    // the newest runs are what is left
    const left = s.l.db.prepare('SELECT count(*) AS n, min(at) AS oldest FROM runs').get() as { n: number; oldest: number };
    assert.ok(left.n > 0 && left.oldest > START + 7 * DAY, JSON.stringify(left));
  });
});
