/**
 * Bad input through the real CLI: a missing password file, an unreachable repository (sftp to a
 * closed loopback port), a repository on a read-only mount, a full disk during restore (a 1 MB
 * tmpfs in a private mount namespace). Each is a one-line error with a next step, and leaves the
 * instance state (and the restore target) as it was.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runBackup } from '../../src/backup/run.ts';
import { makeBackupEnv, specYaml, treeDigest, type BackupEnv } from './backup-env.ts';

const root = new URL('../..', import.meta.url).pathname;
const node = process.execPath;

/** Run the CLI (optionally after a shell prelude inside a private mount namespace). */
function cli(args: string[], prelude?: string, epilogue = '') {
  const cmd = [node, join(root, 'src/cli.ts'), ...args];
  const r = prelude
    ? spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${prelude} || exit 99; "$@"; rc=$?; ${epilogue} exit $rc`, 'sh', ...cmd], { encoding: 'utf8', timeout: 120_000 })
    : spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLineError(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('clawops: error:'));
  assert.equal(lines.length, 1, `exactly one error line in:\n${stderr}`);
  assert.match(stderr, /^ {2}next: \S/m, 'with a next step');
  return lines[0] ?? '';
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('backup bad input (real restic, CLI)', () => {
  let env: BackupEnv;
  before(() => {
    env = makeBackupEnv({ extraBytes: 3_000_000 });
  });
  after(() => env?.cleanup());

  function specWith(name: string, o: { repo?: string; pwFile?: string }): string {
    const f = join(env.root, name);
    writeFileSync(f, specYaml({ home: env.home, stateDir: env.stateDir, repo: o.repo ?? env.repo, pwFile: o.pwFile ?? env.pwFile, textfileDir: env.textfileDir }));
    return f;
  }

  test('missing password file', () => {
    const before = treeDigest(env.state);
    const r = cli(['-f', specWith('nopw.yaml', { pwFile: join(env.root, 'no-such-password') }), 'backup', 'run']);
    assert.equal(r.code, 1);
    assert.equal(oneLineError(r.stderr), `clawops: error: the restic password file ${join(env.root, 'no-such-password')} does not exist on local`);
    assert.ok(!existsSync(env.repo), 'no repository was created');
    assert.deepEqual(treeDigest(env.state), before);
  });

  test('unreachable repository (sftp to a closed loopback port)', async () => {
    const port = await closedPort();
    const r = cli(['-f', specWith('sftp.yaml', { repo: `sftp://127.0.0.1:${port}/repo` }), 'backup', 'run']);
    assert.equal(r.code, 1);
    assert.match(oneLineError(r.stderr), new RegExp(`^clawops: error: the restic repository sftp://127\\.0\\.0\\.1:${port}/repo is unreachable: unable to open repository at`));
    assert.ok(!/initialising/.test(r.stderr), 'an unreachable repository is never "initialised"');
  });

  test('repository on a read-only mount', () => {
    const ro = join(env.root, 'ro');
    mkdirSync(ro, { recursive: true });
    const before = treeDigest(env.state);
    const r = cli(['-f', specWith('ro.yaml', { repo: join(ro, 'repo') }), 'backup', 'run'], `mount -t tmpfs -o ro,size=1m tmpfs ${ro}`);
    assert.equal(r.code, 1, r.stderr);
    assert.match(oneLineError(r.stderr), /^clawops: error: initialising the restic repository at .*\/ro\/repo failed: .*read-only file system$/);
    assert.match(r.stderr, /next: .*read-only file system/);
    assert.deepEqual(treeDigest(env.state), before);
    rmSync(ro, { recursive: true, force: true });
  });

  test('full disk during restore: clear error, target left empty, state untouched', async () => {
    await runBackup(env.ctx);
    const small = join(env.root, 'small');
    mkdirSync(small, { recursive: true });
    const before = treeDigest(env.state);
    const r = cli(
      ['-f', env.specFile, 'backup', 'restore', 'latest', '--to', join(small, 'out')],
      `mount -t tmpfs -o size=1m tmpfs ${small}`,
      `echo "left-behind:[$(ls -A ${small})]";`,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(oneLineError(r.stderr), /^clawops: error: restoring snapshot (latest|[0-9a-f]{8}) into .*\/small\/out failed: no space left on device/);
    assert.match(r.stdout, /^left-behind:\[\]$/m, 'the half-written restore was removed');
    assert.deepEqual(treeDigest(env.state), before);
  });
});
