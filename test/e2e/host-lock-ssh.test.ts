/**
 * The host lock over ssh:// (a real sshd on 127.0.0.1, test/helpers/sshd.ts, one multiplexed
 * connection per executor): the flock is held by a shell on the far side of the connection, and
 * `kill -9` of the clawops that holds it still frees it at once (its stdin pipe closes, the
 * multiplexing master passes the end-of-input on, the remote holder exits).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { acquireLock, lockPath } from '../../src/core/lock.ts';
import { parseSshUrl, sshExecutor } from '../../src/exec/ssh.ts';
import { startSshd, sshdSkipReason, type Sshd } from '../helpers/sshd.ts';

const LOCK_TS = new URL('../../src/core/lock.ts', import.meta.url).href;
const SSH_TS = new URL('../../src/exec/ssh.ts', import.meta.url).href;

describe('the host lock over ssh', { skip: sshdSkipReason() }, () => {
  let sshd: Sshd;
  const dir = mkdtempSync(join(tmpdir(), 'clawops-lock-ssh-'));
  chmodSync(dir, 0o755);
  const state = join(dir, 'state');
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a second command names the holder; kill -9 of the holder frees the lock at once (bounded loosely: a loaded 2-core runner)', async (t) => {
    const script = [
      `import { acquireLock } from ${JSON.stringify(LOCK_TS)};`,
      `import { parseSshUrl, sshExecutor } from ${JSON.stringify(SSH_TS)};`,
      `const ex = sshExecutor(parseSshUrl(${JSON.stringify(sshd.url)}));`,
      `await acquireLock(ex, ${JSON.stringify(state)}, 'clawops apply', { waitSec: 0 });`,
      "console.log('locked'); setInterval(() => {}, 1000);",
    ].join('\n');
    // its ssh control dir goes under ours: a killed clawops cannot remove it itself
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TMPDIR: tmp },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => b.toString().includes('locked') && resolve());
        child.on('exit', (c) => reject(new Error(`the holder exited ${c}`)));
      });
      const info = JSON.parse(readFileSync(lockPath(state), 'utf8'));
      assert.equal(info.pid, child.pid);
      const other = sshExecutor(parseSshUrl(sshd.url));
      try {
        await assert.rejects(
          acquireLock(other, state, 'clawops backup run', { waitSec: 0 }),
          new RegExp(
            `holds the lock on ssh://root@127.0.0.1:${sshd.port}: clawops apply ` +
              `\\(pid ${child.pid} on ${hostname()}, .*holder pid ${info.targetPid} on the target\\)`,
          ),
        );
        const notes: string[] = [];
        const waiting = acquireLock(other, state, 'clawops backup run', { waitSec: 20, note: (m) => notes.push(m) });
        while (notes.length === 0) await new Promise((r) => setTimeout(r, 20));
        const killed = performance.now();
        child.kill('SIGKILL');
        const held = await waiting;
        const ms = Math.round(performance.now() - killed);
        t.diagnostic(`over ssh: acquired ${ms} ms after kill -9 of the holder`);
        assert.ok(ms < 10_000, `${ms} ms`);
        assert.equal(JSON.parse(readFileSync(lockPath(state), 'utf8')).command, 'clawops backup run');
        await held.release();
        assert.equal(readFileSync(lockPath(state), 'utf8'), '');
      } finally {
        await other.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
});
