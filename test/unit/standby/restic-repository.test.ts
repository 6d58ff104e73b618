/**
 * The restic repository location never travels in argv or the environment (the ssh and nspawn
 * executors put both on a command line): restic reads it from stdin (`--repository-file
 * /dev/stdin` behind `cat |`), and a password in a repository URL is masked and redacted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forgetSecrets, redact } from '../../../src/core/redact.ts';
import type { Executor, RunOptions, RunResult } from '../../../src/exec/types.ts';
import { displayRepository, repositoryPassword, Restic, resticInvocation } from '../../../src/backup/restic.ts';

const REPO = 'rest:https://backup:s3cr3t-pass@repo.internal:8000/clawops';

/** An executor that records what each run would put on a command line and answers `[]`. */
function capture(): { ex: Executor; runs: { argv: readonly string[]; opts: RunOptions }[] } {
  const runs: { argv: readonly string[]; opts: RunOptions }[] = [];
  const result = (argv: readonly string[]): RunResult => ({ argv: [...argv], exitCode: 0, signal: null, timedOut: false, stdout: '[]', stderr: '', stdoutBytes: Buffer.from('[]'), durationMs: 1 });
  const ex: Executor = {
    target: 'capture',
    run: async (argv, opts = {}) => {
      runs.push({ argv, opts });
      return result(argv);
    },
    readFile: async () => null,
    writeFile: async () => {},
    stat: async () => null,
    close: async () => {},
  };
  return { ex, runs };
}

describe('restic: the repository location is read from stdin', () => {
  it('argv and env hold no repository, stdin does; the exit code stays restic\'s', () => {
    const inv = resticInvocation(['restic', 'snapshots', '--json'], REPO, '/etc/clawops/restic-password', '/var/lib/clawops/backup/cache');
    assert.deepEqual(inv.argv, ['sh', '-c', 'cat | "$@"', 'restic-stdin', 'restic', '--repository-file', '/dev/stdin', 'snapshots', '--json']);
    assert.deepEqual(inv.env, { RESTIC_PASSWORD_FILE: '/etc/clawops/restic-password', RESTIC_CACHE_DIR: '/var/lib/clawops/backup/cache' });
    assert.equal(inv.stdin, `${REPO}\n`);
  });

  it('every call the Restic class makes keeps the URL (and its password) off argv and env', async () => {
    const { ex, runs } = capture();
    const restic = new Restic(ex, REPO, '/pw', '/cache');
    await restic.snapshots({ instance: 'oc' });
    await restic.run(['restic', 'check', '--read-data-subset=1/4']);
    assert.equal(runs.length, 2);
    for (const r of runs) {
      const visible = [...r.argv, ...Object.entries(r.opts.env ?? {}).flat()].join(' ');
      assert.doesNotMatch(visible, /repo\.internal|s3cr3t/);
      assert.equal(r.opts.stdin, `${REPO}\n`);
    }
    assert.equal(restic.repository, 'rest:https://repo.internal:8000/clawops');
    assert.doesNotMatch(redact(`cannot reach ${REPO}`), /s3cr3t-pass/, 'the URL password is a registered secret');
    forgetSecrets();
  });

  it('shows a URL repository without its userinfo (user and password)', () => {
    const cases: [string, string, string | undefined][] = [
      [REPO, 'rest:https://repo.internal:8000/clawops', 's3cr3t-pass'],
      ['rest:http://127.0.0.1:8000/', 'rest:http://127.0.0.1:8000/', undefined],
      ['sftp:backup@host:/srv/restic', 'sftp:host:/srv/restic', undefined],
      ['sftp:clawops-repo:/srv/clawops-restic', 'sftp:clawops-repo:/srv/clawops-restic', undefined],
      ['/var/backups/clawops-restic', '/var/backups/clawops-restic', undefined],
      ['s3:https://s3.example/bucket', 's3:https://s3.example/bucket', undefined],
    ];
    for (const [url, shown, pw] of cases) {
      assert.equal(displayRepository(url), shown, url);
      assert.equal(repositoryPassword(url), pw, url);
    }
  });
});
