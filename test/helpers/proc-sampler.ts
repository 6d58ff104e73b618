/**
 * A bounded sampler of what every process on this machine shows in /proc (the testbeds' processes
 * included): its argv (`cmdline <argv>`) and, when asked, its environment (`environ uid=<uid>
 * <vars>`, the uid telling the gateway's own environment apart), distinct values only.
 *
 * A process' argv and environment change only when it execs, and a fork execs at once (a shell's
 * `exec` after it read an env file is milliseconds). So each process is read in the first `youngMs`
 * after it appeared and then left alone: a round costs one readdir plus reads of the processes
 * that are new since the last few rounds, not of every process on a busy machine (reading them all
 * every 25 ms was a CPU core of its own, taken from the suites running beside it).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcSampler {
  /** distinct `cmdline ...` (and `environ uid=N ...`) values seen so far */
  readonly seen: Set<string>;
  rounds(): number;
  /** stops the loop after one last round; returns `seen` */
  stop(): Set<string>;
}

export interface ProcSamplerOptions {
  intervalMs: number;
  maxRounds: number;
  environ?: boolean;
  /** how long after it first appears a process is (re)read each round; default 1000 ms */
  youngMs?: number;
  /** at most this many distinct values are kept */
  maxSeen?: number;
}

const read = (pid: string, f: string): string | null => {
  try {
    return readFileSync(`/proc/${pid}/${f}`, 'latin1');
  } catch {
    return null; // gone, or not ours to read
  }
};

export function procSampler(o: ProcSamplerOptions): ProcSampler {
  const seen = new Set<string>();
  const young = o.youngMs ?? 1000;
  const maxSeen = o.maxSeen ?? 500_000;
  // pid -> when it was first seen; pruned of pids that are gone (a reused pid is new again)
  const firstSeen = new Map<string, number>();
  let rounds = 0;
  const self = String(process.pid);
  const scan = () => {
    rounds++;
    const now = performance.now();
    const live = new Set<string>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid) || pid === self) continue;
      live.add(pid);
      const first = firstSeen.get(pid) ?? now;
      firstSeen.set(pid, first);
      if (now - first > young || seen.size >= maxSeen) continue;
      const cmd = read(pid, 'cmdline');
      if (cmd) seen.add(`cmdline ${cmd.replaceAll('\0', ' ')}`);
      if (!o.environ) continue;
      const env = read(pid, 'environ');
      const uid = /^Uid:\s+(\d+)/m.exec(read(pid, 'status') ?? '')?.[1] ?? '?';
      if (env) seen.add(`environ uid=${uid} ${env.replaceAll('\0', ' ')}`);
    }
    for (const pid of firstSeen.keys()) if (!live.has(pid)) firstSeen.delete(pid);
  };
  const timer = setInterval(() => (rounds < o.maxRounds ? scan() : clearInterval(timer)), o.intervalMs);
  return {
    seen,
    rounds: () => rounds,
    stop: () => {
      clearInterval(timer);
      scan();
      return seen;
    },
  };
}
