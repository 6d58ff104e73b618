import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  classifyResticError,
  fatalLine,
  parseBackupJsonl,
  parseCheck,
  parseForget,
  parseSnapshots,
} from '../../../src/backup/restic-parse.ts';
import {
  describeVerifyFailure,
  manifestDigest,
  manifestFiles,
  parseManifest,
  parseSha256sums,
  parseSizes,
  serializeManifest,
  verifyAgainst,
  type Manifest,
} from '../../../src/backup/manifest.ts';
import { backupMetrics, parseBackupRecord, parseDrillRecord, type BackupRecord } from '../../../src/backup/records.ts';
import { summarize } from '../../../src/backup/list.ts';

const sample = (f: string) => readFileSync(new URL(`../../fixtures/samples/${f}`, import.meta.url), 'utf8');
const fx = (f: string) => readFileSync(new URL(`../../fixtures/backup/${f}`, import.meta.url), 'utf8');

test('backup --json: the summary line, status lines ignored', () => {
  const s = parseBackupJsonl(sample('restic-backup.jsonl'));
  assert.equal(s?.snapshotId, 'c0a1ae2e');
  assert.equal(s?.totalFilesProcessed, 221);
  assert.equal(s?.dataAdded, 53318160);
  assert.equal(s?.totalBytesProcessed, 53238632);
  assert.ok(s && s.durationSec > 0.4 && s.durationSec < 0.5);
  assert.equal(parseBackupJsonl(fx('restic-backup-quiet.jsonl'))?.snapshotId, 'eaee4c48');
  assert.equal(parseBackupJsonl('{"message_type":"status"}\nnot json\n'), undefined);
});

test('snapshots --json', () => {
  const [s, ...rest] = parseSnapshots(sample('restic-snapshots.json'));
  assert.equal(rest.length, 0);
  assert.equal(s?.shortId, 'c0a1ae2e');
  assert.equal(s?.id.length, 64);
  assert.deepEqual(s?.tags, ['feas']);
  assert.equal(s?.hostname, 'vm');
  assert.deepEqual(parseSnapshots(''), []);
  assert.throws(() => parseSnapshots('{}'), /not an array/);
});

test('forget --json, with and without a prune report after it', () => {
  const kept = parseForget(fx('restic-forget-prune.json'));
  assert.deepEqual({ kept: kept.kept, removed: kept.removed }, { kept: 1, removed: [] });
  // the full ids of the kept snapshots (restic < 0.17 prints only the short id in the backup summary)
  assert.equal(kept.keptIds.length, 1);
  assert.match(kept.keptIds[0] ?? '', /^[0-9a-f]{64}$/);
  const r = parseForget(fx('restic-forget-prune-removed.txt'));
  assert.equal(r.kept, 1);
  assert.equal(r.removed.length, 2);
  assert.ok(r.removed.every((id) => /^[0-9a-f]{8}$/.test(id)));
});

test('check: ok with the subset read; errors are not ok', () => {
  const ok = parseCheck(fx('restic-check-subset.txt'), 0, '1/5');
  assert.deepEqual(ok, { ok: true, subset: '1/5', packsRead: 1 });
  assert.equal(parseCheck(sample('restic-check.txt'), 0).ok, true);
  const bad = parseCheck('load indexes\nFatal: repository contains errors\n', 1, '2/5');
  assert.equal(bad.ok, false);
  assert.equal(bad.error, 'repository contains errors');
  assert.equal(parseCheck('no errors were found\n', 1).ok, false, 'a non-zero exit is never ok');
});

test('restic errors are classified from recorded stderr', () => {
  const cases: Array<[string, string, string]> = [
    ['restic-missing-repo.stderr', 'no-repository', 'unable to open config file: stat /tmp/bk-fx/repo/config: no such file or directory'],
    ['restic-missing-password-file.stderr', 'password-file-missing', 'Resolving password failed: Fatal: /tmp/bk-fx/nope does not exist'],
    ['restic-wrong-password.stderr', 'wrong-password', 'wrong password or no key found'],
    ['restic-sftp-refused.stderr', 'unreachable', 'unable to open repository at sftp://127.0.0.1:1/x: unable to start the sftp session, error: EOF'],
    ['restic-init-readonly.stderr', 'read-only', 'create repository at /tmp/bk-fx/ro/repo failed: mkdir /tmp/bk-fx/ro/repo: read-only file system'],
    ['restic-restore-enospc.stderr', 'no-space', '/big.bin: write /tmp/bk-fx/small/out/big.bin: no space left on device'],
  ];
  for (const [file, problem, line] of cases) {
    const text = fx(file);
    assert.equal(classifyResticError(text), problem, file);
    assert.equal(fatalLine(text), line, file);
  }
  assert.equal(classifyResticError('Fatal: something new'), 'other');
});

test('manifest: sizes and sums parsed from NUL-separated output, odd names kept', () => {
  const sizes = parseSizes('12 a.txt\x000 dir/with space.db\x005 new\nline\x00');
  assert.deepEqual([...sizes], [['a.txt', 12], ['dir/with space.db', 0], ['new\nline', 5]]);
  const h = (c: string) => c.repeat(64);
  const sums = parseSha256sums(`${h('a')}  ./a.txt\x00${h('b')}  ./dir/with space.db\x00${h('c')}  ./new\nline\x00${h('d')}  ./manifest.json\x00`);
  assert.equal(sums.get('new\nline'), h('c'));
  const files = manifestFiles(sizes, sums);
  assert.deepEqual(Object.keys(files), ['a.txt', 'dir/with space.db', 'new\nline'], 'manifest.json is never in its own list');
  assert.deepEqual(files['a.txt'], { sha256: h('a'), size: 12 });
});

test('verification names mismatched, missing and extra files', () => {
  const h = (c: string) => c.repeat(64);
  const m: Manifest = {
    schemaVersion: 1, createdAt: '2026-01-01T00:00:00Z', host: 'h', instance: 'oc', openclawVersion: '2026.9.6', clawopsVersion: '0.1.0',
    sqlite: ['instance/oc/state/state/openclaw.sqlite'],
    files: { 'a': { sha256: h('a'), size: 1 }, 'b': { sha256: h('b'), size: 2 }, 'c': { sha256: h('c'), size: 3 } },
  };
  const same = verifyAgainst(m, new Map([['a', 1], ['b', 2], ['c', 3]]), new Map([['a', h('a')], ['b', h('b')], ['c', h('c')], ['manifest.json', h('f')]]));
  assert.deepEqual(same, { ok: true, checked: 3, mismatched: [], missing: [], extra: [] });
  const bad = verifyAgainst(m, new Map([['a', 1], ['b', 2], ['x', 1]]), new Map([['a', h('a')], ['b', h('e')], ['x', h('x')]]));
  assert.equal(bad.ok, false);
  assert.deepEqual([bad.mismatched, bad.missing, bad.extra], [['b'], ['c'], ['x']]);
  assert.equal(describeVerifyFailure(bad), 'hash differs: b; missing: c; not in the manifest: x');
  const sizeOnly = verifyAgainst(m, new Map([['a', 9], ['b', 2], ['c', 3]]), new Map([['a', h('a')], ['b', h('b')], ['c', h('c')]]));
  assert.deepEqual(sizeOnly.mismatched, ['a']);
  const text = serializeManifest(m);
  assert.deepEqual(parseManifest(text), m);
  assert.equal(manifestDigest(text).length, 16);
  assert.notEqual(manifestDigest(text), manifestDigest(text.replace('"oc"', '"od"')));
  assert.throws(() => parseManifest('{"files":{}}'), /not a clawops backup manifest/);
});

test('records: parsed only when they are ours; metrics carry the RPO clock', () => {
  const rec: BackupRecord = {
    schemaVersion: 1, kind: 'backup', ok: false, startedAt: '2026-11-21T02:00:00.000Z', finishedAt: '2026-11-21T02:00:10.000Z', durationMs: 10000,
    host: 'vps', repository: '/var/backups/clawops-restic', instances: [{ name: 'oc', ok: false, durationMs: 5, error: 'x' }],
    error: 'the restic password file /etc/clawops/restic-password does not exist on local', lastSuccessAt: '2026-11-20T02:00:09.000Z',
  };
  const text = JSON.stringify(rec);
  assert.deepEqual(parseBackupRecord(text), rec);
  assert.equal(parseDrillRecord(text), undefined);
  assert.equal(parseBackupRecord('{"schemaVersion":2,"kind":"backup"}'), undefined);
  assert.equal(parseBackupRecord('garbage'), undefined);
  assert.equal(parseBackupRecord(null), undefined);
  const prom = backupMetrics(rec);
  assert.match(prom, /^clawops_backup_last_run_ok 0$/m);
  assert.match(prom, new RegExp(`^clawops_backup_last_success_timestamp_seconds ${Date.parse('2026-11-20T02:00:09Z') / 1000}$`, 'm'));
  assert.match(prom, /^clawops_backup_bytes_added\{instance_name="oc"\} 0$/m);
  assert.ok(prom.endsWith('\n'));
});

test('list: latest snapshot per instance against the RPO', () => {
  const rows = [
    { id: 'a'.repeat(64), shortId: 'aaaaaaaa', time: '2026-11-20T02:00:00Z', host: 'h', instance: 'oc', ageHours: 30 },
    { id: 'b'.repeat(64), shortId: 'bbbbbbbb', time: '2026-11-21T02:00:00Z', host: 'h', instance: 'oc', ageHours: 6 },
    { id: 'c'.repeat(64), shortId: 'cccccccc', time: '2026-11-19T02:00:00Z', host: 'h', instance: 'two', ageHours: 54 },
  ];
  const s = summarize('/r', 24, rows, ['oc', 'two', 'three']);
  assert.deepEqual(s.instances, [
    { name: 'oc', latest: 'bbbbbbbb', latestAgeHours: 6, withinRpo: true },
    { name: 'two', latest: 'cccccccc', latestAgeHours: 54, withinRpo: false },
    { name: 'three', withinRpo: false },
  ]);
});
