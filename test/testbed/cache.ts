import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ClawopsError } from '../../src/core/errors.ts';
import { pidAlive, pidStartTime, sh, sleep } from './host.ts';
import { mountsUnder } from './state.ts';

export function recipeHash(recipe: unknown): string {
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 12);
}

/**
 * Runs `fn` while holding an exclusive lock file (O_EXCL, holding "pid starttime"). Other processes
 * wait; a lock whose holder is gone is broken. Bounded by `timeoutMs`.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  mkdirSync(dirname(lockPath), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  const me = `${process.pid} ${pidStartTime(process.pid) ?? 0}`;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx', 0o644);
      writeSync(fd, me);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (lockIsStale(lockPath)) {
      rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new ClawopsError(`timed out waiting for the lock ${lockPath}`, {
        hint: 'another testbed build is running (or hung): wait for it, or remove the lock file if its process is gone',
      });
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

function lockIsStale(lockPath: string): boolean {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch {
    return false;
  }
  const [pid, start] = text.trim().split(' ').map(Number);
  if (!pid) return false; // being written right now
  return !pidAlive(pid) || (start !== undefined && pidStartTime(pid) !== start);
}

/**
 * The cached artifact at `dir`, built once: under a lock, into `dir.tmp-PID`, then renamed into
 * place, so a half-built artifact is never seen. Returns whether it was built by this call.
 */
export async function buildOnce(dir: string, build: (tmp: string) => Promise<void>): Promise<boolean> {
  if (existsSync(dir)) return false;
  return withLock(`${dir}.lock`, async () => {
    if (existsSync(dir)) return false;
    const tmp = `${dir}.tmp-${process.pid}`;
    await removeUnmounted(tmp);
    mkdirSync(dirname(dir), { recursive: true });
    try {
      await build(tmp);
      renameSync(tmp, dir);
    } catch (e) {
      await removeUnmounted(tmp);
      throw e;
    }
    return true;
  });
}

/** rm -rf of a build directory, after unmounting whatever a failed build left mounted below it. */
export async function removeUnmounted(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) await sh(['umount', '-l', m], { allowFailure: true });
  if (mountsUnder(dir).length > 0) throw new ClawopsError(`refusing to remove ${dir}: mounts remain below it`, { hint: 'unmount them by hand' });
  rmSync(dir, { recursive: true, force: true });
}
