import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import type { Snapshot } from '../../../src/backup/restic-parse.ts';
import { CHOWN_BY_NAME, CLEAR_FOREIGN_LEASES, parseChownCounts } from '../../../src/backup/adopt.ts';
import { gateChecks, pickSnapshot, PRIMARY_ONLY_CHECKS, replacedToPrune, rpoOf, standbyRecordPath, versionProblem } from '../../../src/standby/plan.ts';
import { parseStandbyRecord, standbyMetrics, type StandbyRecord } from '../../../src/standby/record.ts';

const snap = (id: string, time: string, hostname: string, instance = 'oc'): Snapshot => ({
  id: id.padEnd(64, '0'), shortId: id.slice(0, 8), time, hostname, paths: ['/var/lib/clawops/backup/staging/oc'], tags: ['clawops', `instance=${instance}`, `host=${hostname}`],
});
const SNAPS = [
  snap('aaaaaaaa', '2026-11-20T01:00:00Z', 'primary'),
  snap('bbbbbbbb', '2026-11-21T01:00:00Z', 'primary'),
  snap('cccccccc', '2026-11-21T05:00:00Z', 'standby'),
  snap('dddddddd', '2026-11-21T03:00:00Z', 'old-primary'),
  snap('eeeeeeee', '2026-11-21T06:00:00Z', 'primary', 'other'),
];
const O = { instance: 'oc', standbyHost: 'standby', repository: 'sftp:repo:/r' };

describe('standby: which snapshot goes live', () => {
  it('the newest of the instance from another host; the standby\'s own are never picked (and counted)', () => {
    const p = pickSnapshot(SNAPS, O);
    assert.ok(p.ok);
    assert.equal(p.snapshot.shortId, 'dddddddd');
    assert.equal(p.skippedOwn, 1);
  });
  it('--from-host pins the primary', () => {
    const p = pickSnapshot(SNAPS, { ...O, fromHost: 'primary' });
    assert.ok(p.ok && p.snapshot.shortId === 'bbbbbbbb');
  });
  it('refusals say what exists and what to do', () => {
    const none = pickSnapshot([], O);
    assert.ok(!none.ok);
    assert.equal(none.message, 'no clawops snapshot of instance oc in sftp:repo:/r');
    assert.match(none.hint, /clawops backup run` on the primary/);
    const onlyOwn = pickSnapshot([SNAPS[2]!], O);
    assert.ok(!onlyOwn.ok);
    assert.equal(onlyOwn.message, 'no snapshot of instance oc from another host in sftp:repo:/r (snapshots from: standby)');
    const wrongHost = pickSnapshot(SNAPS, { ...O, fromHost: 'primry' });
    assert.ok(!wrongHost.ok);
    assert.match(wrongHost.hint, /one of primary, standby, old-primary/);
  });
});

describe('standby: version guard, gate checks, RPO, pruning, record', () => {
  it('a snapshot from a newer OpenClaw is refused; same or older is fine', () => {
    assert.match(versionProblem('2026.9.6', '2026.2.9')?.message ?? '', /taken on OpenClaw 2026\.9\.6 but the standby runs 2026\.2\.9/);
    assert.match(versionProblem('2026.9.6', '2026.2.9')?.hint ?? '', /clawops upgrade 2026\.9\.6/);
    assert.equal(versionProblem('2026.9.6', '2026.9.6'), undefined);
    assert.equal(versionProblem('2026.2.9', '2026.9.6'), undefined);
    assert.equal(versionProblem(undefined, '2026.9.6'), undefined);
  });
  it('the default gate is go-live without the primary-only backup checks; --checks is taken as given', () => {
    const ids = gateChecks();
    assert.ok(ids.includes('service.active') && ids.includes('identity.baseline'));
    for (const id of PRIMARY_ONLY_CHECKS) assert.ok(!ids.includes(id), id);
    assert.deepEqual(gateChecks(['service.active']), ['service.active']);
  });
  it('RPO: the snapshot\'s age against the target', () => {
    assert.deepEqual(rpoOf('2026-11-21T00:00:00Z', new Date('2026-11-21T06:30:00Z'), 24), { ageHours: 6.5, targetHours: 24, ok: true });
    assert.equal(rpoOf('2026-11-19T00:00:00Z', new Date('2026-11-21T00:00:01Z'), 24).ok, false);
  });
  it('keeps the newest N replaced states, never touching other paths', () => {
    const s = '/home/u/.openclaw';
    const paths = [`${s}.replaced-20261119T010000`, `${s}.replaced-20261121T010000`, `${s}.replaced-20261120T010000`, `${s}.replaced-notes`, `${s}.clawops-restore-ab12`];
    assert.deepEqual(replacedToPrune(paths, s, 2), [`${s}.replaced-20261119T010000`]);
    assert.deepEqual(replacedToPrune(paths, s, 0).length, 3);
    assert.deepEqual(replacedToPrune(paths, s, 5), []);
  });
  it('record path, parse and metrics', () => {
    assert.equal(standbyRecordPath('/var/lib/clawops'), '/var/lib/clawops/backup/standby.json');
    const rec: StandbyRecord = {
      schemaVersion: 1, kind: 'standby', ok: true, startedAt: '2026-11-21T06:00:00.000Z', finishedAt: '2026-11-21T06:01:00.000Z', durationMs: 60_000,
      host: 'standby', target: 'ssh://root@standby:22', repository: 'sftp:repo:/r', lastSuccessAt: '2026-11-21T06:01:00.000Z',
      instances: [{ name: 'oc', ok: true, rpo: { ageHours: 5, targetHours: 24, ok: true }, durationMs: 50_000 }],
    };
    assert.deepEqual(parseStandbyRecord(JSON.stringify(rec)), rec);
    assert.equal(parseStandbyRecord('{"kind":"drill","schemaVersion":1}'), undefined);
    assert.equal(parseStandbyRecord('not json'), undefined);
    const m = standbyMetrics(rec);
    assert.match(m, /^clawops_standby_last_sync_ok 1$/m);
    assert.match(m, /^clawops_standby_last_success_timestamp_seconds 1795240860$/m);
    assert.match(m, /^clawops_standby_snapshot_age_hours\{instance_name="oc"\} 5$/m);
    assert.match(m, /^clawops_standby_sync_duration_seconds 60\.000$/m);
  });
});

describe('standby: ownership by name (the real script on a temp tree)', { skip: process.getuid?.() !== 0 ? 'needs root (chown)' : undefined }, () => {
  it('uid/gid 0 stay root, every other owner becomes the service user; TMPDIR recreated 0700', () => {
    const d = mkdtempSync(join(tmpdir(), 'clawops-chown-'));
    try {
      const state = join(d, 'state');
      mkdirSync(join(state, 'workspace'), { recursive: true });
      writeFileSync(join(state, 'workspace', 'SOUL.md'), 'x');
      writeFileSync(join(state, 'openclaw.json'), '{}');
      spawnSync('chown', ['-R', '4242:4243', state]);
      spawnSync('chown', ['0:4243', join(state, 'workspace', 'SOUL.md')]);
      // 'nobody' exists on every Debian host; its primary group is nogroup
      const r = spawnSync('sh', ['-c', CHOWN_BY_NAME, 'chown-by-name', state, 'nobody', join(state, 'tmp')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(parseChownCounts(r.stdout), { owners: 3, groups: 4 });
      const st = spawnSync('stat', ['-c', '%n %U:%G', state, join(state, 'openclaw.json'), join(state, 'workspace', 'SOUL.md'), join(state, 'tmp')], { encoding: 'utf8' }).stdout;
      assert.equal(st.replaceAll(`${d}/`, ''), 'state nobody:nogroup\nstate/openclaw.json nobody:nogroup\nstate/workspace/SOUL.md root:nogroup\nstate/tmp nobody:nogroup\n');
      assert.equal(spawnSync('stat', ['-c', '%a', join(state, 'tmp')], { encoding: 'utf8' }).stdout, '700\n');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('standby: the primary\'s gateway owner lease (real sqlite3 on a state DB shaped like 2026.9.x)', () => {
  it('removes leases owned by another host only; no DB or no table is a no-op', () => {
    const d = mkdtempSync(join(tmpdir(), 'clawops-lease-'));
    try {
      const run = () => spawnSync('sh', ['-c', CLEAR_FOREIGN_LEASES, 'clear-leases', d], { encoding: 'utf8' });
      assert.equal(run().stdout, '0\n', 'no state DB');
      mkdirSync(join(d, 'state'));
      const db = new DatabaseSync(join(d, 'state', 'openclaw.sqlite'));
      db.exec('CREATE TABLE other (x)');
      assert.equal(run().stdout, '0\n', 'no state_leases table');
      db.exec(`CREATE TABLE state_leases (scope TEXT NOT NULL, lease_key TEXT NOT NULL, owner TEXT NOT NULL, expires_at INTEGER, heartbeat_at INTEGER,
        payload_json TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (scope, lease_key)) STRICT`);
      const ins = db.prepare('INSERT INTO state_leases VALUES (?, ?, ?, ?, NULL, ?, 0, 0)');
      const far = Date.now() + 300_000;
      ins.run('gateway-owner', 'global', 'u1', far, JSON.stringify({ owner: { pid: 4242, host: "primary's-host", startedAt: 1 }, port: 18789, mode: 'supervised' }));
      ins.run('gateway-owner', 'mine', 'u2', far, JSON.stringify({ owner: { pid: 1, host: hostname(), startedAt: 1 } }));
      ins.run('other', 'nohost', 'u3', far, null);
      db.close();
      const r = run();
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '1\n');
      const left = new DatabaseSync(join(d, 'state', 'openclaw.sqlite'), { readOnly: true });
      assert.deepEqual(left.prepare('SELECT lease_key FROM state_leases ORDER BY lease_key').all().map((x) => (x as { lease_key: string }).lease_key), ['mine', 'nohost']);
      left.close();
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
