import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { ClawopsError } from '../core/errors.ts';
import { ROOT_PATH, spawnLocal } from './process.ts';
import { ShellExecutor } from './shell-executor.ts';
import type { RawResult, SpawnOptions, StartOptions, Transport } from './types.ts';


// With `user`, HOME/USER/LOGNAME become that user's (from the container's passwd), like a login.
const AS_USER = 'u=$1; shift; h=$(getent passwd "$u" | cut -d: -f6); exec runuser -u "$u" -- env HOME="${h:-/}" USER="$u" LOGNAME="$u" "$@"';

/**
 * Runs inside a systemd-nspawn container booted with `-M NAME` (the testbed), by entering all
 * namespaces of its PID 1 with nsenter. The environment is reset to a clean login-like one
 * (PATH, HOME, LANG, plus `env`). nsenter forks inside the container's PID namespace but stays in
 * the command's process group, so a timeout kills the command inside too.
 */
export class NspawnTransport implements Transport {
  readonly target: string;
  private readonly name: string;
  /** the leader found by the last spawn, with its start time so a restarted container is noticed */
  private leader: { pid: number; started: string } | undefined;
  reopen(): NspawnTransport {
    return new NspawnTransport(this.name);
  }
  constructor(name: string) {
    this.name = name;
    this.target = `nspawn:${name}`;
  }

  spawn(argv: readonly string[], opts: SpawnOptions): Promise<RawResult> {
    let local: string[];
    try {
      local = this.enter(argv, opts);
    } catch (err) {
      return Promise.reject(err);
    }
    return spawnLocal(local, {
      timeoutMs: opts.timeoutMs,
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
      ...(opts.maxOutputBytes ? { maxOutputBytes: opts.maxOutputBytes } : {}),
    });
  }

  startCommand(argv: readonly string[], opts: StartOptions): { argv: string[] } {
    return { argv: this.enter(argv, { env: opts.env ?? {}, ...(opts.user ? { user: opts.user } : {}) }) };
  }

  /** The local argv that runs argv inside the container. */
  private enter(argv: readonly string[], opts: Pick<SpawnOptions, 'env' | 'cwd' | 'user'>): string[] {
    const leader = this.currentLeader();
    if (leader === undefined) {
      throw new ClawopsError(`no running container named ${this.name}`, {
        hint: 'start it with `npm run testbed -- up` or check the name with `npm run testbed -- status`',
      });
    }
    const env = Object.entries({ PATH: ROOT_PATH, HOME: '/root', LANG: 'C.UTF-8', ...opts.env }).map(
      ([k, v]) => `${k}=${v}`,
    );
    const home = opts.env?.['HOME'];
    const user = opts.user ? ['sh', '-c', AS_USER, 'as-user', opts.user, ...(home ? ['env', `HOME=${home}`] : [])] : [];
    // nsenter --wd would resolve the directory on this machine, not in the container: env -C does it inside
    const wd = opts.cwd ? ['-C', opts.cwd] : [];
    return ['nsenter', '-t', String(leader), '-a', '--', 'env', '-i', ...wd, ...env, ...user, ...argv];
  }

  async close(): Promise<void> {}

  /** The container's PID 1, looked up once (a scan of /proc) and then only re-validated. */
  private currentLeader(): number | undefined {
    if (this.leader && startTime(this.leader.pid) === this.leader.started) return this.leader.pid;
    const pid = findContainerLeader(this.name);
    const started = pid === undefined ? undefined : startTime(pid);
    this.leader = pid === undefined || started === undefined ? undefined : { pid, started };
    return this.leader?.pid;
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks): a PID reused by another process differs. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The children of a process: from /proc/PID/task/PID/children when the kernel has it, else a scan of /proc. */
function childPids(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  }
}

/**
 * PID (on this machine) of the container's init: the child of `systemd-nspawn ... -M NAME` that is
 * PID 1 of its own PID namespace. While booting, nspawn also has a short-lived "outer child" that
 * still lives in this machine's namespaces: entering that one would run commands on this machine,
 * so a child counts only when /proc/PID/status says `NSpid: <pid> 1`, and only once it has
 * executed the container's init (before that it is still nspawn, with this machine's root).
 */
export function findContainerLeader(name: string): number | undefined {
  const nspawnPid = findNspawnPid(name);
  if (nspawnPid === undefined) return undefined;
  for (const entry of childPids(nspawnPid)) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== nspawnPid) continue;
      const nspid = /^NSpid:\s+(.+)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]?.trim().split(/\s+/) ?? [];
      if (nspid.length < 2 || nspid[nspid.length - 1] !== '1') continue;
      if (readlinkSync(`/proc/${entry}/exe`) === readlinkSync(`/proc/${nspawnPid}/exe`)) continue;
      return Number(entry);
    } catch {
      /* process went away */
    }
  }
  return undefined;
}

export function findNspawnPid(name: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith('systemd-nspawn')) continue;
    const i = argv.findIndex((a) => a === '-M' || a === '--machine');
    const machine = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--machine='))?.slice(10);
    if (machine === name) return Number(entry);
  }
  return undefined;
}

export function nspawnExecutor(name: string): ShellExecutor {
  return new ShellExecutor(new NspawnTransport(name));
}
