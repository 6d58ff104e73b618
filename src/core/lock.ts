/**
 * The one host lock: every command that changes a target takes it (apply, undo, upgrade, rollback,
 * rotate, backup run/restore, drill, standby sync, and the timers' jobs that write).
 *
 * It is a kernel `flock` on `<stateDir>/lock`, held by a small shell on the target for as long as
 * the command runs. That shell reads its stdin from clawops (through the same executor: nsenter,
 * ssh, or a local pipe) and lets go when the input ends: on release, and also when clawops dies in
 * any way (even SIGKILL), because the kernel then closes the pipe; if the holder itself dies, the
 * kernel frees the lock with its last descriptor. Nothing is ever stale, so nothing is ever taken
 * over. After taking the lock the holder writes who it is (pid, host, command, start time) into
 * the file, so a second command names the holder when it waits or gives up.
 *
 * The root boundary: the lock directory and every directory above it must be root's and writable
 * by nobody else (or sticky, above the lock directory). Then no other user can plant a symlink or
 * a hard link at the lock path, and the `lock` entry itself is checked to be a regular root file
 * with one link before the shell opens it. Anything else is refused; nothing is followed.
 *
 * The lock is re-entrant per executor: a command that holds it may call code that takes it again
 * (an upgrade takes a backup), and only the outermost release lets go.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Executor, LiveProcess } from '../exec/types.ts';
import { ClawopsError } from './errors.ts';

export interface LockInfo {
  /** pid of the clawops process that holds the lock (on `host`) */
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  /** pid of the process on the target that holds the flock (kill it and the lock is free) */
  targetPid?: number;
  /** random, in the root-only lock file: what a holder lends to the clawops it runs on the host */
  nonce?: string;
}

export interface LockOptions {
  /** seconds to wait for another holder to finish; 0: give up at once. Default DEFAULT_WAIT_SEC. */
  waitSec?: number;
  /** progress for the operator (waiting, who holds it) */
  note?: (line: string) => void;
  /**
   * This command may run on a contained host (`clawops emergency contain`): it only reads, records,
   * or is part of the emergency procedure. Every other command is refused while the host is contained.
   */
  whileContained?: boolean;
}

/** Another command holds the lock (and kept it for as long as this one would wait). */
export class LockBusyError extends ClawopsError {
  readonly holder: LockInfo | null;
  constructor(message: string, holder: LockInfo | null, hint: string) {
    super(message, { hint });
    this.holder = holder;
  }
}

export interface HeldLock {
  info: LockInfo;
  release(): Promise<void>;
  /** set when another command held the lock first and this one waited for it (null: a holder it could not read) */
  waitedFor?: LockInfo | null;
}

/** What an operator expects: a timer's short check is waited out, a long apply is named at once-ish. */
export const DEFAULT_WAIT_SEC = 30;

export const lockPath = (stateDir: string) => `${stateDir}/lock`;

/** Present while the host is contained (src/emergency/record.ts writes it; root 0600). */
export const containedPath = (stateDir: string) => `${stateDir}/contained.json`;

/** A command refused because the host is contained: read under the lock, so contain and this command cannot interleave. */
export async function refuseWhileContained(ex: Executor, stateDir: string, command: string): Promise<void> {
  const text = (await ex.readFile(containedPath(stateDir)))?.toString('utf8');
  if (text === undefined) return;
  let since = '';
  try {
    const r = JSON.parse(text) as { at?: unknown; reason?: unknown };
    since = ` since ${String(r.at)} (${String(r.reason)})`;
  } catch {
    since = ` (${containedPath(stateDir)} does not parse)`;
  }
  throw new ClawopsError(`${command}: refused, the host is contained${since}`, {
    hint: 'collect evidence first (`clawops emergency evidence --out FILE`), then `clawops emergency recover` (rotate, re-apply, gate) or, for a false alarm, `clawops emergency lift`',
  });
}

const BUSY = 75;
const UNSAFE = 77;

// $1 lock dir, $2 seconds to wait, $3 holder info (JSON). Prints UNSAFE/BUSY/LOCKED lines; exits
// 77 unsafe, 75 busy. Holds the lock on fd 9 until its stdin ends, then clears the info.
const HOLDER = `set -u
umask 022
d=$1; wait=$2; info=$3
unsafe() { echo "UNSAFE $*"; exit ${UNSAFE}; }
[ -e "$d" ] || [ -L "$d" ] || mkdir -p -m 0755 -- "$d" || exit 1
c=$(readlink -f -- "$d") && [ -d "$c" ] || unsafe "$d is not a directory"
p=$c
while :; do
  s=$(stat -c '%u %a' -- "$p") || exit 1
  u=\${s% *}; m=$((0\${s#* }))
  [ "$u" = 0 ] || unsafe "$p is owned by uid $u, not root"
  if [ $((m & 022)) -ne 0 ] && { [ "$p" = "$c" ] || [ $((m & 01000)) -eq 0 ]; }; then
    unsafe "$p is writable by group or others (mode \${s#* })"
  fi
  [ "$p" = / ] && break
  p=$(dirname -- "$p")
done
f=$c/lock
if [ -L "$f" ]; then unsafe "$f is a symbolic link"; fi
if [ -e "$f" ]; then
  [ -f "$f" ] || unsafe "$f is not a regular file"
  s=$(stat -c '%u %h' -- "$f") || exit 1
  [ "$s" = "0 1" ] || unsafe "$f is not root's own file (uid and links: $s)"
fi
umask 077
exec 9<>"$f"
holder() { head -c 1000 -- "$f" | head -n 1; }
flock -n -E ${BUSY} 9; rc=$?
if [ $rc = ${BUSY} ]; then
  echo "BUSY $(holder)"
  [ "$wait" = 0 ] && exit ${BUSY}
  flock -w "$wait" -E ${BUSY} 9; rc=$?
  [ $rc = ${BUSY} ] && { echo "BUSY $(holder)"; exit ${BUSY}; }
fi
[ $rc = 0 ] || exit $rc
printf '{"targetPid":%s,%s\\n' $$ "\${info#\\{}" > "$f"
echo "LOCKED $$"
cat >/dev/null 9>&-
: > "$f"
`;

interface Held {
  lock: HeldLock;
  depth: number;
}
/** Locks this process holds, per executor and lock directory (re-entry). */
const held = new WeakMap<Executor, Map<string, Held>>();

/** The environment variable through which a lock holder lends the lock to a clawops it runs on the host. */
export const LOCK_HOLDER_ENV = 'CLAWOPS_LOCK_HOLDER';

/** What a holder passes to a clawops it runs on the host (the ledger's commands), so that one does not wait for it. */
export const lendLock = (lock: HeldLock): Record<string, string> =>
  (lock.info.targetPid && lock.info.nonce ? { [LOCK_HOLDER_ENV]: `${lock.info.targetPid}:${lock.info.nonce}` } : {});

/**
 * A clawops started by the lock's holder (LOCK_HOLDER_ENV: the holding shell's pid and the nonce
 * in the root-only lock file) runs under its parent's lock while the file still names that live
 * holder with that nonce (the holder clears the file when it lets go). Only on the host itself.
 */
async function inheritedLock(ex: Executor, stateDir: string, command: string, opts: LockOptions): Promise<HeldLock | null> {
  const m = /^(\d+):([0-9a-f]{32})$/.exec(process.env[LOCK_HOLDER_ENV] ?? '');
  if (ex.target !== 'local' || !m) return null;
  let info: LockInfo;
  try {
    info = JSON.parse(((await ex.readFile(lockPath(stateDir)))?.toString('utf8') ?? '').split('\n')[0] ?? '') as LockInfo;
    if (info.targetPid !== Number(m[1]) || info.nonce !== m[2]) return null;
    process.kill(Number(m[1]), 0);
  } catch {
    return null;
  }
  if (!opts.whileContained) await refuseWhileContained(ex, stateDir, command);
  return { info: { ...info, command: `${info.command} > ${command}` }, release: async () => {} };
}

/**
 * Take the host lock for `command`, waiting up to `waitSec` for another holder. Throws a
 * ClawopsError naming the holder when it stays busy, or naming the path when it is unsafe.
 */
export async function acquireLock(
  ex: Executor,
  stateDir: string,
  command: string,
  opts: LockOptions = {},
): Promise<HeldLock> {
  let mine = held.get(ex);
  if (!mine) held.set(ex, (mine = new Map()));
  const inherited = await inheritedLock(ex, stateDir, command, opts);
  if (inherited) return inherited;
  const again = mine.get(stateDir);
  if (again) {
    again.depth++;
    return { info: again.lock.info, release: once(async () => void again.depth--) };
  }
  const lock = await take(ex, stateDir, command, opts);
  if (!opts.whileContained) {
    try {
      await refuseWhileContained(ex, stateDir, command);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }
  const entry: Held = { lock, depth: 1 };
  mine.set(stateDir, entry);
  return {
    info: lock.info,
    ...(lock.waitedFor !== undefined ? { waitedFor: lock.waitedFor } : {}),
    release: once(async () => {
      if (--entry.depth > 0) return;
      mine.delete(stateDir);
      await lock.release();
    }),
  };
}

const once = (fn: () => Promise<void>) => {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    await fn();
  };
};

/** Run `fn` holding the host lock (re-entrant: a nested call runs `fn` under the outer lock). */
export async function withLock<T>(
  ex: Executor,
  stateDir: string,
  command: string,
  fn: () => Promise<T>,
  opts?: LockOptions,
): Promise<T> {
  const lock = await acquireLock(ex, stateDir, command, opts);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

async function take(ex: Executor, stateDir: string, command: string, opts: LockOptions): Promise<HeldLock> {
  const waitSec = Math.max(0, opts.waitSec ?? DEFAULT_WAIT_SEC);
  const path = lockPath(stateDir);
  if (!ex.start) {
    const why = 'this executor cannot keep a command running';
    throw new ClawopsError(`cannot take the lock ${path} on ${ex.target}: ${why}`, {
      hint: 'commands that change a host need a local, ssh:// or nspawn: target',
    });
  }
  const info: LockInfo = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString(), nonce: randomBytes(16).toString('hex') };
  const proc = ex.start(['sh', '-c', HOLDER, 'clawops-lock', stateDir, String(waitSec), JSON.stringify(info)]);
  let holder: LockInfo | null | undefined;
  let unsafe: string | undefined;
  for (let line = await proc.readLine(); line !== null; line = await proc.readLine()) {
    if (line.startsWith('LOCKED ')) {
      proc.unref(); // a command that forgets to release still ends (and the lock with it)
      let releasing = false;
      void proc.exited.then((end) => {
        // e.g. the ssh connection dropped: say so, the command goes on without the lock
        if (!releasing) opts.note?.(`lost the host lock on ${ex.target}: its holder exited (${lastLine(end)})`);
      });
      const release = () => {
        releasing = true;
        return letGo(proc);
      };
      return { info: { ...info, targetPid: Number(line.slice(7)) }, release, ...(holder !== undefined ? { waitedFor: holder } : {}) };
    }
    if (line.startsWith('UNSAFE ')) unsafe = line.slice(7);
    if (line.startsWith('BUSY ')) {
      const first = holder === undefined;
      holder = parseInfo(line.slice(5));
      const waiting = `waiting up to ${waitSec} s for the lock on ${ex.target}: held by ${describeHolder(holder)}`;
      if (first && waitSec > 0) opts.note?.(waiting);
    }
  }
  const end = await proc.exited;
  if (end.exitCode === UNSAFE && unsafe) {
    throw new ClawopsError(`refusing the lock ${path} on ${ex.target}: ${unsafe}`, {
      hint:
        'the lock must be a root-owned file in a directory only root can write: as root, remove what is at ' +
        `${path} or fix the owner and mode of the directory named (chown root:root; chmod go-w), then run again`,
    });
  }
  if (end.exitCode === BUSY) {
    throw new LockBusyError(
      `another clawops command holds the lock on ${ex.target}: ${describeHolder(holder ?? null)}`,
      holder ?? null,
      `wait for it to finish${waitSec > 0 ? ` (waited ${waitSec} s)` : ''} or run again with --wait SECONDS; the ` +
        'kernel frees the lock the moment its holder exits, so there is never a stale lock to remove',
    );
  }
  const why = lastLine(end);
  throw new ClawopsError(`cannot take the lock ${path} on ${ex.target}: ${why}`, {
    hint: 'the lock needs util-linux flock and root on the target (a non-root ssh login needs passwordless sudo)',
  });
}

async function letGo(proc: LiveProcess): Promise<void> {
  proc.end();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)));
  await Promise.race([proc.exited, late]);
  clearTimeout(timer);
}

function lastLine(end: { exitCode: number | null; signal: string | null; stderr: string }): string {
  return end.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${end.exitCode ?? end.signal}`;
}

function parseInfo(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as LockInfo;
    return typeof v.pid === 'number' && typeof v.command === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function describeHolder(h: LockInfo | null): string {
  if (!h) return 'a holder that has not written its name yet';
  const on = h.targetPid ? `; holder pid ${h.targetPid} on the target` : '';
  return `${h.command} (pid ${h.pid} on ${h.host}, since ${h.startedAt}${on})`;
}
