/**
 * One clawops writer at a time per target: `<stateDir>/lock` holds the PID, host and start time of
 * the holder, created with O_EXCL (shell noclobber) so two applies (or an apply and a timer) cannot
 * both take it. A lock whose process is gone is recovered with a message.
 */
import { hostname } from 'node:os';
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export const lockPath = (stateDir: string) => `${stateDir}/lock`;

const CREATE_EXCL = 'set -C; umask 077; cat > "$1"';

export interface HeldLock {
  info: LockInfo;
  release(): Promise<void>;
}

export async function acquireLock(ex: Executor, stateDir: string, command: string, note: (m: string) => void = () => {}): Promise<HeldLock> {
  const path = lockPath(stateDir);
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  await ex.run(['install', '-d', '-m', '0755', stateDir]);
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await ex.run(['sh', '-c', CREATE_EXCL, 'sh', path], { stdin: `${JSON.stringify(info)}\n`, allowFailure: true });
    if (r.exitCode === 0) return { info, release: () => releaseLock(ex, path, info) };
    const holder = await readLock(ex, path);
    if (holder === undefined) continue; // released between our attempt and the read
    if (holder !== null && (await holderAlive(ex, holder))) {
      throw new ClawopsError(
        `another clawops run holds the lock on ${ex.target}: ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`,
        { hint: `wait for it to finish; if that process is gone and this persists, remove ${path} on the target` },
      );
    }
    note(
      holder === null
        ? `recovered an unreadable lock file ${path}`
        : `recovered a stale lock: ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}) is no longer running`,
    );
    await ex.run(['rm', '-f', '--', path]);
  }
  throw new ClawopsError(`cannot take the lock ${path} on ${ex.target}`, { hint: 'another run keeps taking it; try again' });
}

/** undefined: no lock file; null: a lock file that cannot be parsed (a crash while writing it). */
async function readLock(ex: Executor, path: string): Promise<LockInfo | null | undefined> {
  const raw = await ex.readFile(path);
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw.toString('utf8')) as LockInfo;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** Alive unless we can prove it is gone: same machine as us, or same machine as the target. */
async function holderAlive(ex: Executor, holder: LockInfo): Promise<boolean> {
  if (holder.host === hostname()) return pidAliveHere(holder.pid);
  const targetHost = (await ex.readFile('/proc/sys/kernel/hostname'))?.toString('utf8').trim();
  if (targetHost === holder.host) {
    const r = await ex.run(['sh', '-c', 'kill -0 "$1"', 'sh', String(holder.pid)], { allowFailure: true });
    return r.exitCode === 0;
  }
  return true;
}

function pidAliveHere(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseLock(ex: Executor, path: string, info: LockInfo): Promise<void> {
  const holder = await readLock(ex, path);
  if (holder && holder.pid === info.pid && holder.startedAt === info.startedAt && holder.host === info.host) {
    await ex.run(['rm', '-f', '--', path]);
  }
}

/** Run `fn` holding the target's lock (applies, undo, and timers that change the host). */
export async function withLock<T>(ex: Executor, stateDir: string, command: string, fn: () => Promise<T>, note?: (m: string) => void): Promise<T> {
  const lock = await acquireLock(ex, stateDir, command, note);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
