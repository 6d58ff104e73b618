import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backupArgv, checkArgv, forgetArgv, nextSubset, planInstanceBackup, restoreArgv, snapshotsArgv, treeExcludes } from '../../../src/backup/plan.ts';
import { resticPasswordFile } from '../../../src/backup/password.ts';
import { forgetSecrets, redact } from '../../../src/core/redact.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';
import { parseSpec } from '../../../src/desired/parse.ts';

function spec(yaml = '{}') {
  const r = parseSpec(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
}

test('what gets staged for an instance (defaults)', () => {
  const s = spec();
  const inst = s.resolved[0]!;
  const plan = planInstanceBackup(s, inst, { host: 'vps1' });
  assert.equal(plan.stagingDir, '/var/lib/clawops/backup/staging/openclaw');
  assert.deepEqual(plan.items.map((i) => [i.kind, 'src' in i ? i.src : '', i.dst, 'optional' in i ? i.optional : true]), [
    ['tree', '/home/openclaw-svc/.openclaw', 'instance/openclaw/state', false],
    ['copy', '/etc/systemd/system/openclaw.service', 'instance/openclaw/units/openclaw.service', true],
    ['copy', '/etc/systemd/system/openclaw.service.d', 'instance/openclaw/units/openclaw.service.d', true],
    ['content', '', 'clawops/spec.json', true],
    ['tree', '/var/lib/clawops', 'clawops/state', true],
  ]);
  // the env file lives in the state dir by default: not staged twice
  assert.equal(inst.envFile.startsWith(inst.stateDir), true);
  // clawops' own backup dir (staging, scratch, cache, records) is pruned from its state copy
  const clawopsState = plan.items[4];
  assert.ok(clawopsState?.kind === 'tree');
  assert.deepEqual(clawopsState.prune, ['backup', 'journal/*/secret']);
  assert.deepEqual(plan.tags, ['clawops', 'instance=openclaw', 'host=vps1']);
});

test('the spec text is staged when the spec came from a file; extra tags appended', () => {
  const s = spec('instances: [{name: a}, {name: b, home: /srv/b}]');
  const plan = planInstanceBackup(s, s.resolved[1]!, { host: 'h', specText: { name: 'clawops.yaml', text: 'instances: []\n' }, unitDir: '/tmp/u', extraTags: ['reason=pre-upgrade'] });
  assert.deepEqual(plan.items[0], { kind: 'tree', src: '/srv/b/.openclaw', dst: 'instance/b/state', prune: ['tmp', 'dev', 'git', 'npm', 'npm-runtime', 'tools', 'plugin-skills'], optional: false });
  assert.equal(plan.items[1]?.kind === 'copy' && plan.items[1].src, '/tmp/u/b.service');
  assert.deepEqual(plan.items[3], { kind: 'content', dst: 'clawops/spec.yaml', content: 'instances: []\n' });
  assert.deepEqual(plan.tags, ['clawops', 'instance=b', 'host=h', 'reason=pre-upgrade']);
});

test('SQLite databases and their sidecars are never copied as files', () => {
  const ex = treeExcludes(['backup']);
  for (const p of ['*.sqlite', '*.sqlite-wal', '*.sqlite-shm', '*.sqlite-journal', '*.db-wal', '*.sqlite3', './backup', '*.sock']) assert.ok(ex.includes(p), p);
});

test('restic argv: no secret anywhere, password only as a file path in the environment', () => {
  const s = spec();
  const password = 'correct horse battery staple 42';
  const argvs = [
    backupArgv('vps1', ['clawops', 'instance=openclaw', 'host=vps1', 'manifest=0123456789abcdef']),
    forgetArgv(s.backup.retention) ?? [],
    checkArgv('3/10'),
    restoreArgv('a'.repeat(64), '/tmp/x'),
    snapshotsArgv({ instance: 'openclaw', host: 'vps1' }),
  ];
  for (const argv of argvs) {
    assert.equal(argv[0], 'restic');
    assert.ok(!argv.some((a) => a.includes(password) || /password/i.test(a)), argv.join(' '));
  }
  assert.deepEqual(backupArgv('h', ['clawops', 'instance=a']), ['restic', 'backup', '--json', '--quiet', '--host', 'h', '--tag', 'clawops', '--tag', 'instance=a', '.']);
  assert.deepEqual(forgetArgv(s.backup.retention), ['restic', 'forget', '--json', '--prune', '--tag', 'clawops', '--group-by', 'host,paths', '--keep-daily', '7', '--keep-weekly', '4', '--keep-monthly', '6']);
  assert.equal(forgetArgv({ daily: 0, weekly: 0, monthly: 0 }), undefined, 'no policy: forget is not run');
  assert.deepEqual(snapshotsArgv({ instance: 'oc' }), ['restic', 'snapshots', '--json', '--tag', 'clawops,instance=oc']);
});

test('check subset rotates 1..N across runs (N from the percent)', () => {
  assert.equal(nextSubset(undefined, 10), '1/10');
  assert.equal(nextSubset('1/10', 10), '2/10');
  assert.equal(nextSubset('10/10', 10), '1/10');
  assert.equal(nextSubset('3/10', 25), '1/4', 'a changed percent restarts the rotation');
  assert.equal(nextSubset(undefined, 30), '1/4');
  assert.equal(nextSubset('1/1', 100), '1/1');
  const seen = new Set<string>();
  let s: string | undefined;
  for (let i = 0; i < 10; i++) seen.add((s = nextSubset(s, 10)));
  assert.equal(seen.size, 10, 'ten runs read every tenth once');
});

test('password: {file} used in place; missing file is a one-line error', async () => {
  const ex = new RecorderExecutor().addFile('/etc/clawops/restic-password', 'pw-value-123456\n', { mode: 0o600 });
  const pw = await resticPasswordFile(ex, { file: '/etc/clawops/restic-password' }, {}, '/var/lib/clawops/backup');
  assert.equal(pw.path, '/etc/clawops/restic-password');
  await assert.rejects(resticPasswordFile(ex, { file: '/nope' }, {}, '/d'), (e: Error) => {
    assert.equal(e.message, 'the restic password file /nope does not exist on recorder');
    return true;
  });
  const empty = new RecorderExecutor().addFile('/e', '');
  await assert.rejects(resticPasswordFile(empty, { file: '/e' }, {}, '/d'), /is empty/);
});

test('password: {env} goes to a 0600 temp file through stdin, registered as a secret, removed after', async () => {
  forgetSecrets();
  const secret = 'env-supplied-restic-password-9f8e7d';
  const ex = new RecorderExecutor().on(['mkdir'], {}).on(['rm'], {});
  const pw = await resticPasswordFile(ex, { env: 'RESTIC_PW' }, { RESTIC_PW: secret }, '/var/lib/clawops/backup');
  assert.match(pw.path, /^\/var\/lib\/clawops\/backup\/\.restic-password-[0-9a-f]{12}$/);
  assert.equal(ex.files.get(pw.path)?.content.toString(), secret);
  assert.equal(ex.files.get(pw.path)?.stat.mode, 0o600);
  assert.equal(redact(`x ${secret} y`), 'x [REDACTED] y');
  await pw.cleanup();
  const runs = ex.calls.filter((c) => c.kind === 'run').map((c) => c.argv ?? []);
  assert.deepEqual(runs.at(-1), ['rm', '-f', '--', pw.path]);
  assert.ok(!JSON.stringify(ex.calls).includes(secret), 'the secret is in no call (argv) record');
  await assert.rejects(resticPasswordFile(ex, { env: 'UNSET_VAR' }, {}, '/d'), /the restic password variable UNSET_VAR is not set/);
  forgetSecrets();
});

test('restore argv: an id as is; latest narrowed to clawops snapshots of the instance', () => {
  assert.deepEqual(restoreArgv('0123abcd', '/r'), ['restic', 'restore', '0123abcd', '--target', '/r']);
  assert.deepEqual(restoreArgv('latest', '/r', ['clawops', 'instance=oc']), ['restic', 'restore', 'latest', '--tag', 'clawops,instance=oc', '--target', '/r']);
});
