import { realpathSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MACHINES_DIR, pidAlive, pidStartTime } from './host.ts';

/** What a running testbed left on this machine, in .cache/testbed/machines/NAME/state.json. */
export interface MachineState {
  name: string;
  /** .cache/testbed/machines/NAME: everything of this testbed lives below it */
  dir: string;
  /** the container's root (overlay mount point or private copy) */
  root: string;
  overlay: boolean;
  /** the cached read-only layers below it (kept while any testbed uses them) */
  layers: string[];
  /** the systemd-nspawn process this tool started, and its start time (guards against PID reuse) */
  nspawnPid: number;
  nspawnStart: number;
  leaderPid: number;
  /** the process that started it; a non-persistent testbed dies with it */
  ownerPid: number;
  ownerStart: number;
  /** started by `npm run testbed -- up`: outlives its owner until `down` */
  persistent: boolean;
  docker: boolean;
  openclaw?: string;
  createdAt: string;
}

export function machineDir(name: string): string {
  return join(MACHINES_DIR, name);
}

export function writeState(s: MachineState): void {
  mkdirSync(s.dir, { recursive: true });
  const tmp = join(s.dir, 'state.json.tmp');
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(tmp, join(s.dir, 'state.json'));
}

export function readState(name: string): MachineState | undefined {
  try {
    return JSON.parse(readFileSync(join(machineDir(name), 'state.json'), 'utf8')) as MachineState;
  } catch {
    return undefined;
  }
}

export function listMachineNames(): string[] {
  if (!existsSync(MACHINES_DIR)) return [];
  return readdirSync(MACHINES_DIR).filter((n) => statSync(join(MACHINES_DIR, n)).isDirectory());
}

export const sameProcess = (pid: number, start: number) => pid > 0 && pidAlive(pid) && pidStartTime(pid) === start;

export function nspawnAlive(s: MachineState): boolean {
  return sameProcess(s.nspawnPid, s.nspawnStart);
}

/**
 * A leftover to remove: its container is gone, or (not started by `up`) the process that
 * started it is gone. A directory without state is a leftover once it is a minute old.
 */
export function isStale(name: string): boolean {
  const s = readState(name);
  if (!s) {
    try {
      return Date.now() - statSync(machineDir(name)).mtimeMs > 60_000;
    } catch {
      return false;
    }
  }
  const ownerAlive = sameProcess(s.ownerPid, s.ownerStart);
  if (s.persistent) return !nspawnAlive(s) && !ownerAlive;
  return !ownerAlive;
}

/** Mount points at or below `dir` in this machine's mount table, deepest first. */
export function mountsUnder(dir0: string): string[] {
  // the kernel lists mount points by their real path: a cache reached through a symlink (.cache -> /work/cache) must match too
  let dir = dir0;
  try {
    dir = realpathSync(dir0);
  } catch {
    /* gone: nothing can be mounted below it */
  }
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const points = lines
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}
