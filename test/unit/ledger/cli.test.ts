/** The ledger's commands on this host's ledger (a scratch stateDir; nothing else on the machine is read or written). */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { alertStorePath, emptyStore } from '../../../src/alerts/store.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/program.ts';
import { memoryRuntime } from '../../../src/cli/runtime.ts';
import { withLedger } from '../../../src/ledger/db.ts';
import { ledgerPath } from '../../../src/ledger/paths.ts';
import { recordEvent, recordRun } from '../../../src/ledger/record.ts';
import { QUIET } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'clawops-ledger-cli-'));
const stateDir = join(dir, 'state');
const spec = join(dir, 'clawops.yaml');
writeFileSync(spec, `stateDir: ${stateDir}\ndocker: { enabled: false }\n`);
const cli = async (...argv: string[]) => {
  const rt = memoryRuntime();
  const code = await runCli(['--spec', spec, '--target', 'local', ...argv], rt);
  return { code, out: rt.stdout, err: rt.stderr };
};

describe('clawops incident | burnin | ledger on the host', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty ledger: no incidents, burn-in day 0 (exit 2), info says where it is', async () => {
    const list = await cli('incident', 'list');
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /no open incidents/);
    const b = await cli('burnin', 'status');
    assert.equal(b.code, 2);
    assert.match(b.out, /burn-in: day 0 of 7/);
    const info = await cli('--json', 'ledger', 'info');
    assert.equal(info.code, 0, info.err);
    const j = JSON.parse(info.out) as { ledger: { path: string; runs: number }; limits: { maxMB: number } };
    assert.equal(j.ledger.path, join(stateDir, 'ledger.db'));
    assert.equal(j.limits.maxMB, 50);
    assert.match(info.err, /no ledger at .*ledger\.db yet/);
    // reading never starts a ledger: the state dir is still not there
    assert.equal(existsSync(stateDir), false);
  });

  it('incidents: list, show with the evidence bundle, ack, resolve; a bad id or an empty note is a clear error', async () => {
    const now = new Date();
    withLedger(join(stateDir, 'ledger.db'), now, (l) => {
      recordRun(l, { at: now, profile: 'health', gate: 'fail', results: QUIET.map((r) => (r.id === 'service.active' ? { ...r, status: 'fail' as const, evidence: 'inactive (dead), exit 78' } : r)), durationMs: 9 });
      recordEvent(l, { at: now, kind: 'drill', ok: false, summary: 'restore drill: snapshot unreadable' });
    });
    const list = await cli('--json', 'incident', 'list');
    const rows = (JSON.parse(list.out) as { incidents: { id: number; title: string; state: string }[] }).incidents;
    assert.deepEqual(rows.map((r) => r.state), ['open', 'open']);
    assert.match(rows[1]!.title, /^service\.active\[openclaw\]/);
    assert.match(rows[0]!.title, /^drill failed/);
    const show = await cli('incident', 'show', String(rows[1]!.id));
    assert.match(show.out, /evidence:\n {2}inactive \(dead\), exit 78/);
    assert.match(show.out, /remediation:/);
    assert.equal((await cli('incident', 'ack', String(rows[1]!.id), '--note', 'looking')).code, 0);
    const resolved = await cli('incident', 'resolve', String(rows[1]!.id), '--note', 'config reverted');
    assert.match(resolved.out, /resolved/);
    assert.deepEqual((JSON.parse((await cli('--json', 'incident', 'list')).out) as { incidents: unknown[] }).incidents.length, 1);
    assert.equal((JSON.parse((await cli('--json', 'incident', 'list', '--all')).out) as { incidents: unknown[] }).incidents.length, 2);
    const bad = await cli('incident', 'show', 'x1');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /not an incident id: "x1"/);
    const missing = await cli('incident', 'show', '999');
    assert.match(missing.err, /no incident 999 .*\n.*incident list --all/);
    const empty = await cli('incident', 'resolve', String(rows[0]!.id), '--note', '  ');
    assert.match(empty.err, /--note is empty/);
  });

  it('status: the last run of each profile, open incidents, burn-in, sign-off, last events, sinks; exit 2 with an incident open', async () => {
    const st = await cli('--json', 'status');
    assert.equal(st.code, 2, st.err);
    const j = JSON.parse(st.out) as { ok: boolean; runs: { profile: string; gate: string }[]; incidents: { title: string }[]; burnin: { streak: number }; events: { kind: string; ok: boolean }[]; sinks: { sink: string; ok: boolean }[]; signedOff: null };
    assert.deepEqual(j.runs.map((r) => `${r.profile} ${r.gate}`), ['health fail']);
    assert.equal(j.incidents.length, 1);
    assert.deepEqual(j.events.map((e) => `${e.kind} ${e.ok}`), ['drill false']);
    assert.deepEqual(j.sinks.map((x) => `${x.sink} ${x.ok}`), ['journal#1 true']);
    assert.equal(j.signedOff, null);
    const human = await cli('status');
    assert.match(human.out, /health +FAIL +\d+ min ago/);
    assert.match(human.out, /incidents: 1 open\n {2}#\d+ +open/);
    assert.match(human.out, /burn-in: +day 0 of 7/);
    assert.match(human.out, /last drill +FAILED/);
  });

  it('status: a sink that keeps failing is shown failing, with how often and its last error', async () => {
    const store = { ...emptyStore(), sinks: { 0: { sinkType: 'journal', failures: 3, lastError: 'systemd-cat: socket gone', lastErrorAt: '2026-12-03T10:00:00.000Z' } } };
    writeFileSync(alertStorePath(stateDir), JSON.stringify(store), { mode: 0o600 });
    const st = await cli('--json', 'status');
    const sinks = (JSON.parse(st.out) as { sinks: { sink: string; ok: boolean; failures: number; lastError?: string }[] }).sinks;
    assert.deepEqual(sinks.map((x) => `${x.sink} ${x.ok} ${x.failures} ${x.lastError}`), ['journal#1 false 3 systemd-cat: socket gone']);
    assert.match((await cli('status')).out, /FAIL journal#1: 3 failure\(s\) in a row, last 2026-12-03T10:00:00\.000Z: systemd-cat: socket gone/);
  });

  it('signoff through the CLI on a host that is not ready: exit 2, each precondition named, nothing frozen', async () => {
    // the go-live gate reads this machine (read-only) and finds no gateway: the sign-off must refuse
    const r = await cli('--json', 'signoff', '--by', 'test', '--wait', '0');
    assert.equal(r.code, 2, r.err);
    const j = JSON.parse(r.out) as { signedOff: boolean; preconditions: { name: string; ok: boolean; detail: string }[] };
    assert.equal(j.signedOff, false);
    const failing = j.preconditions.filter((p) => !p.ok).map((p) => p.name);
    for (const name of ['burn-in', 'go-live gate']) assert.ok(failing.includes(name), `${name} named: ${JSON.stringify(j.preconditions)}`);
    assert.match(j.preconditions.find((p) => p.name === 'burn-in')!.detail, /day \d+ of 7/);
    assert.match(j.preconditions.find((p) => p.name === 'go-live gate')!.detail, /service\.active\[openclaw\]/);
    assert.ok(!existsSync(join(stateDir, 'frozen.json')), 'a refused sign-off freezes nothing');
  });
});

describe('clawops incident open', () => {
  const d = mkdtempSync(join(tmpdir(), 'clawops-incident-open-'));
  const s = join(d, 'clawops.yaml');
  writeFileSync(s, `stateDir: ${join(d, 'state')}\ndocker: { enabled: false }\n`);
  const run = async (...argv: string[]) => {
    const rt = memoryRuntime();
    const code = await runCli(['--spec', s, '--target', 'local', ...argv], rt);
    return { code, out: rt.stdout, err: rt.stderr };
  };
  after(() => rmSync(d, { recursive: true, force: true }));

  it('starts the ledger when there is none; the same key while open is that incident; bad input is exit 1', async () => {
    const first = await run('--json', 'incident', 'open', '--title', 'odd outbound traffic', '--key', 'seen.1', '--evidence', 'ss -tnp showed it');
    assert.equal(first.code, 0, first.err);
    const a = JSON.parse(first.out) as { opened: boolean; incident: { id: number; state: string; title: string } };
    assert.deepEqual([a.opened, a.incident.state, a.incident.title], [true, 'open', 'odd outbound traffic']);
    assert.ok(existsSync(ledgerPath(join(d, 'state'))), 'the ledger file exists now');
    const again = await run('incident', 'open', '--title', 'again', '--key', 'seen.1');
    assert.match(again.out, new RegExp(`^already open: #${a.incident.id} `));
    assert.equal((await run('incident', 'open', '--title', 'x', '--key', 'Bad Key')).code, 1);
    assert.equal((await run('incident', 'open', '--title', 'x', '--severity', 'minor')).code, 1);
    const list = await run('incident', 'list');
    assert.match(list.out, /odd outbound traffic/);
  });
});
