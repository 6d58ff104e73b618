/**
 * Real restic and sqlite3 on a temp repository: back up while a writer keeps committing to the
 * WAL-mode state DB, restore into a fresh dir, integrity_check ok and every batch complete;
 * the drill passes, then fails naming the one file whose staged copy was tampered with.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runBackup } from '../../src/backup/run.ts';
import { restoreTo } from '../../src/backup/restore.ts';
import { runDrill } from '../../src/backup/drill.ts';
import { listSnapshots } from '../../src/backup/list.ts';
import { parseBackupRecord, parseDrillRecord } from '../../src/backup/records.ts';
import { inspectDb, makeBackupEnv, Writer, type BackupEnv } from './backup-env.ts';

describe('backup round trip (real restic + sqlite3, temp dirs)', () => {
  let env: BackupEnv;
  before(() => {
    env = makeBackupEnv();
  });
  after(() => env?.cleanup());

  test('backup while writing, restore to a fresh dir: integrity ok, batches complete', async () => {
    const writer = new Writer(env.db);
    for (let i = 0; i < 20; i++) writer.write();
    writer.start();
    let rec;
    try {
      rec = await runBackup(env.ctx);
    } finally {
      writer.stop();
    }
    const during = writer.batches;
    writer.close();
    assert.equal(rec.ok, true, rec.error);
    assert.equal(rec.initializedRepository, true);
    assert.ok(env.logs.some((l) => /initialising/.test(l)), 'says it initialised the repository');
    const inst = rec.instances[0];
    assert.ok(inst?.snapshotId && inst.snapshotId.length === 64);
    assert.equal(inst.sqlite, 2, 'both SQLite DBs captured online');
    assert.ok(rec.check?.ok, 'restic check ran and passed');
    assert.equal(rec.check?.subset, '1/4');
    assert.equal(rec.retention?.ok, true);
    // recorded for the gate, with metrics
    const last = parseBackupRecord(readFileSync(join(env.stateDir, 'backup', 'last.json'), 'utf8'));
    assert.equal(last?.lastSuccessAt, rec.finishedAt);
    assert.match(readFileSync(join(env.textfileDir, 'clawops_backup.prom'), 'utf8'), /^clawops_backup_last_run_ok 1$/m);
    // staging and password temp files are gone
    assert.deepEqual(readdirSync(join(env.stateDir, 'backup')).filter((f) => f !== 'cache').sort(), ['last.json', 'staging']);
    assert.deepEqual(readdirSync(join(env.stateDir, 'backup', 'staging')), []);

    const to = join(env.root, 'restored');
    const r = await restoreTo(env.ctx, 'latest', to);
    assert.equal(r.verify.ok, true, JSON.stringify(r.verify));
    assert.ok(r.verify.checked >= 8);
    const db = inspectDb(join(to, 'instance/oc/state/state/openclaw.sqlite'));
    assert.equal(db.integrity, 'ok');
    assert.equal(db.incomplete, 0, 'every committed batch is complete');
    assert.ok(db.batches >= 20 && db.batches <= during, `restored ${db.batches} batches, ${during} written by the end`);
    assert.equal(db.rows, db.batches * 50);
    // the rest of the layout
    for (const f of ['manifest.json', 'instance/oc/state/openclaw.json', 'instance/oc/state/gateway.systemd.env', 'instance/oc/state/workspace/SOUL.md', 'instance/oc/units/oc.service', 'clawops/spec.yaml', 'clawops/state/baselines/identity.json']) {
      assert.ok(existsSync(join(to, f)), f);
    }
    assert.ok(!existsSync(join(to, 'clawops/state/backup')), 'clawops backup scratch is not backed up');
    assert.ok(!existsSync(join(to, 'instance/oc/state/tmp')), 'OpenClaw\'s tmp/ (its live gateway lock) is not backed up');
    assert.equal(statSync(join(to, 'instance/oc/state/gateway.systemd.env')).mode & 0o777, 0o600, 'modes kept');
    // a second restore into a non-empty dir is refused, leaving it alone
    await assert.rejects(restoreTo(env.ctx, 'latest', to), /is not empty: a restore goes into a fresh directory/);
  });

  test('backup list shows the snapshot within the RPO', async () => {
    const list = await listSnapshots(env.ctx);
    assert.equal(list.snapshots.length, 1);
    assert.equal(list.instances[0]?.withinRpo, true);
    assert.equal(list.snapshots[0]?.instance, 'oc');
  });

  test('drill passes: restore, verify, integrity; gateway step skipped without OpenClaw; RTO/RPO recorded', async () => {
    const rec = await runDrill(env.ctx);
    assert.equal(rec.ok, true, rec.error);
    const byName = Object.fromEntries(rec.steps.map((s) => [s.name, s]));
    assert.equal(byName.restore?.status, 'pass');
    assert.equal(byName.verify?.status, 'pass');
    assert.equal(byName.integrity?.status, 'pass');
    assert.match(byName.integrity?.detail ?? '', /ok on 2 database/);
    assert.equal(byName.gateway?.status, 'skipped');
    assert.match(byName.gateway?.detail ?? '', /not installed/);
    assert.equal(rec.rto?.targetHours, 2);
    assert.ok(rec.rto?.ok && rec.rto.seconds > 0 && rec.rto.seconds < 60);
    assert.equal(rec.rpo?.targetHours, 24);
    assert.ok(rec.rpo?.ok && rec.rpo.ageHours < 1);
    const saved = parseDrillRecord(readFileSync(join(env.stateDir, 'backup', 'drill.json'), 'utf8'));
    assert.equal(saved?.lastSuccessAt, rec.finishedAt);
    assert.ok(!readdirSync(join(env.stateDir, 'backup', 'scratch')).length, 'scratch cleaned up');
  });

  test('drill fails naming the file whose content differs from the manifest', async () => {
    const before = parseDrillRecord(readFileSync(join(env.stateDir, 'backup', 'drill.json'), 'utf8'));
    await runBackup(env.ctx, {
      afterStage: async (_inst, dir) => appendFileSync(join(dir, 'instance/oc/state/workspace/SOUL.md'), 'tampered after hashing\n'),
    });
    const rec = await runDrill(env.ctx);
    assert.equal(rec.ok, false);
    const verify = rec.steps.find((s) => s.name === 'verify');
    assert.equal(verify?.status, 'fail');
    assert.match(verify?.detail ?? '', /hash differs: instance\/oc\/state\/workspace\/SOUL\.md$/);
    assert.match(rec.error ?? '', /SOUL\.md/);
    assert.equal(rec.lastSuccessAt, before?.lastSuccessAt, 'the last passing drill time is carried forward');
    assert.match(readFileSync(join(env.textfileDir, 'clawops_drill.prom'), 'utf8'), /^clawops_drill_last_run_ok\{instance_name="oc"\} 0$/m);
  });
});
