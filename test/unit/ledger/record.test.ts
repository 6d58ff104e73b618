import assert from 'node:assert/strict';
import { statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, describe, it } from 'node:test';
import { openLedger, withLedger } from '../../../src/ledger/db.ts';
import { openManualIncident, recordEvent, recordRun } from '../../../src/ledger/record.ts';
import { listIncidents, showIncident, updateIncident } from '../../../src/ledger/query.ts';
import { forgetSecrets, registerSecret } from '../../../src/core/redact.ts';
import { QUIET, result, scratchLedger } from './fixtures.ts';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000);
const withStatus = (id: string, status: 'pass' | 'fail' | 'unknown') => QUIET.map((r) => (r.id === id ? { ...r, status, evidence: `${id} now ${status}` } : r));

describe('ledger: the database', () => {
  it('is created root-only, in WAL mode, with incremental vacuum; a second open migrates nothing', () => {
    const s = scratchLedger();
    try {
      assert.equal(statSync(s.path).mode & 0o777, 0o600);
      assert.equal(statSync(dirname(s.path)).mode & 0o777, 0o700);
      assert.equal((s.l.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
      assert.equal((s.l.db.prepare('PRAGMA auto_vacuum').get() as { auto_vacuum: number }).auto_vacuum, 2);
      s.l.close();
      const again = openLedger(s.path);
      assert.deepEqual(again.notes, []);
      again.close();
    } finally {
      s.done();
    }
  });

  it('a file that is not a database is moved aside, a new ledger started, and the caller told', () => {
    const s = scratchLedger();
    try {
      s.l.close();
      writeFileSync(s.path, 'this is not sqlite '.repeat(300));
      const r = withLedger(s.path, at(0), (l) => recordRun(l, { at: at(0), profile: 'health', gate: 'pass', results: QUIET, durationMs: 5 }));
      assert.equal(r.value.runId, 1);
      assert.match(r.notes.join(), /could not be read .*moved to .*ledger\.db\.corrupt-/);
      assert.ok(readdirSync(dirname(s.path)).some((f) => f.startsWith('ledger.db.corrupt-')));
    } finally {
      s.done();
    }
  });

  it('a ledger from a newer clawops is refused with what to do, not rebuilt', () => {
    const s = scratchLedger();
    try {
      s.l.db.exec('PRAGMA user_version = 99');
      s.l.close();
      assert.throws(() => openLedger(s.path), /newer than this clawops.*upgrade clawops/);
      assert.ok(existsSync(s.path));
    } finally {
      s.done();
    }
  });
});

describe('ledger: check runs, transitions and incidents', () => {
  const s = scratchLedger();
  after(() => s.done());

  it('a quiet run records the run and first states, opens nothing; the same run again changes nothing', () => {
    const first = recordRun(s.l, { at: at(0), profile: 'health', gate: 'pass', results: QUIET, durationMs: 12 });
    assert.equal(first.transitions, QUIET.length);
    assert.deepEqual(first.opened, []);
    const second = recordRun(s.l, { at: at(1), profile: 'health', gate: 'pass', results: QUIET, durationMs: 12 });
    assert.equal(second.transitions, 0);
  });

  it('a critical failure opens one incident with its evidence bundle; failing on is one incident, not one a minute', () => {
    const bundles = new Map([['openclaw/service.active', 'Dec 03 openclaw[1]: exit 78 (config invalid: gateway.bind)']]);
    const r = recordRun(s.l, { at: at(2), profile: 'health', gate: 'fail', results: withStatus('service.active', 'fail'), durationMs: 12, bundles });
    assert.equal(r.opened.length, 1);
    assert.equal(r.transitions, 1);
    for (let m = 3; m < 10; m++) assert.deepEqual(recordRun(s.l, { at: at(m), profile: 'health', gate: 'fail', results: withStatus('service.active', 'fail'), durationMs: 12 }).opened, []);
    const open = listIncidents(s.l, { all: false, limit: 10 });
    assert.equal(open.length, 1);
    assert.equal(open[0]!.occurrences, 1);
    const d = showIncident(s.l, open[0]!.id);
    assert.deepEqual(d.evidence, { evidence: 'service.active now fail', remediation: 'fix service.active', journal: 'Dec 03 openclaw[1]: exit 78 (config invalid: gateway.bind)' });
  });

  it('passing again clears the condition; the incident stays open until resolved; failing again is another occurrence', () => {
    const r = recordRun(s.l, { at: at(10), profile: 'health', gate: 'pass', results: QUIET, durationMs: 12 });
    assert.equal(r.cleared, 1);
    let [i] = listIncidents(s.l, { all: false, limit: 10 });
    assert.equal(i!.state, 'open');
    assert.ok(i!.clearedAt);
    recordRun(s.l, { at: at(20), profile: 'health', gate: 'fail', results: withStatus('service.active', 'fail'), durationMs: 12 });
    [i] = listIncidents(s.l, { all: false, limit: 10 });
    assert.equal(i!.occurrences, 2);
    assert.equal(i!.clearedAt, null);
    const acked = updateIncident(s.l, i!.id, 'ack', 'on it', at(21));
    assert.equal(acked.state, 'acknowledged');
    const resolved = updateIncident(s.l, i!.id, 'resolve', 'bad config edit reverted by apply', at(22));
    assert.equal(resolved.state, 'resolved');
    assert.throws(() => updateIncident(s.l, i!.id, 'resolve', 'again', at(23)), /was resolved at/);
    assert.deepEqual(listIncidents(s.l, { all: false, limit: 10 }), []);
    assert.equal(listIncidents(s.l, { all: true, limit: 10 }).length, 1);
  });

  it('warnings and unknowns change state but open no incident', () => {
    const warn = QUIET.map((r) => (r.id === 'host.disk' ? { ...r, status: 'fail' as const } : r.id === 'network.gateway-health' ? { ...r, status: 'unknown' as const } : r));
    const r = recordRun(s.l, { at: at(30), profile: 'health', gate: 'fail', results: warn, durationMs: 12 });
    assert.equal(r.transitions, 3); // service.active fail -> pass, host.disk, gateway-health
    assert.deepEqual(r.opened, []);
  });

  it('a run that probed while another command changed the host opens no incident and does not fail its day', () => {
    const day = (d: string) => s.l.db.prepare("SELECT failed_runs FROM daily WHERE profile = 'health' AND day = ?").get(d) as { failed_runs: number };
    const before = day('2026-11-01').failed_runs;
    const r = recordRun(s.l, { at: at(35), profile: 'health', gate: 'fail', results: withStatus('network.gateway-health', 'fail'), durationMs: 12, duringChange: 'clawops apply' });
    assert.deepEqual(r.opened, []);
    assert.equal(r.transitions, 2); // host.disk passes again, gateway-health unknown -> fail: states are still recorded
    assert.equal(day('2026-11-01').failed_runs, before);
    // the same failure after the change is over is an incident
    assert.equal(recordRun(s.l, { at: at(36), profile: 'health', gate: 'fail', results: withStatus('network.gateway-health', 'fail'), durationMs: 12 }).opened.length, 1);
    recordRun(s.l, { at: at(37), profile: 'health', gate: 'pass', results: QUIET, durationMs: 12 });
  });

  it('a failed backup opens an incident once; a good one clears it', () => {
    const a = recordEvent(s.l, { at: at(40), kind: 'backup', ok: false, summary: 'restic: repository locked' });
    assert.ok(a.opened);
    assert.equal(recordEvent(s.l, { at: at(41), kind: 'backup', ok: false, summary: 'restic: repository locked' }).opened, undefined);
    recordEvent(s.l, { at: at(42), kind: 'backup', ok: true, summary: 'snapshot 1234' });
    const i = showIncident(s.l, a.opened!.id);
    assert.equal(i.occurrences, 2);
    assert.ok(i.clearedAt);
    assert.equal(recordEvent(s.l, { at: at(43), kind: 'apply', ok: false, summary: 'step 3 failed' }).opened, undefined);
  });

  it('a secret in evidence, a summary or a note is redacted before it is written', () => {
    const secret = 'canary-' + 'x'.repeat(40);
    registerSecret(secret);
    try {
      const leaky = withStatus('service.enabled', 'fail').map((r) => (r.id === 'service.enabled' ? { ...r, evidence: `token=${secret}` } : r));
      const r = recordRun(s.l, { at: at(50), profile: 'health', gate: 'fail', results: leaky, durationMs: 1 });
      recordEvent(s.l, { at: at(51), kind: 'apply', ok: true, summary: `wrote ${secret}` });
      updateIncident(s.l, r.opened[0]!.id, 'ack', `rotated ${secret}`, at(52));
      const dump = JSON.stringify(['transitions', 'incidents', 'events'].map((t) => s.l.db.prepare(`SELECT * FROM ${t}`).all()));
      assert.ok(!dump.includes(secret));
      assert.match(dump, /REDACTED|<secret /);
    } finally {
      forgetSecrets();
    }
  });
});

describe('ledger: incidents a person (or contain) opens', () => {
  it('one per key while open, a new one after it is resolved; secrets in its words are redacted', () => {
    const s = scratchLedger();
    registerSecret('sk-manual-canary-0123456789');
    try {
      const a = openManualIncident(s.l, { at: at(0), key: 'emergency.contained.20261103', title: 'host contained: saw sk-manual-canary-0123456789', severity: 'critical', evidence: 'steps' });
      const b = openManualIncident(s.l, { at: at(1), key: 'emergency.contained.20261103', title: 'again', severity: 'critical', evidence: '' });
      assert.deepEqual([a.opened, b.opened, b.id], [true, false, a.id]);
      const d = showIncident(s.l, a.id);
      assert.equal(d.title, 'host contained: saw [REDACTED]');
      assert.equal(d.severity, 'critical');
      assert.equal(listIncidents(s.l, { all: false, limit: 10 }).length, 1);
      updateIncident(s.l, a.id, 'resolve', 'recovered', at(2));
      const c = openManualIncident(s.l, { at: at(3), key: 'emergency.contained.20261103', title: 'later', severity: 'warn', evidence: '' });
      assert.equal(c.opened, true);
      assert.notEqual(c.id, a.id);
    } finally {
      forgetSecrets();
      s.done();
    }
  });
});
