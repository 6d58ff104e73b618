import { spawn } from 'node:child_process';
import type { RawResult } from './types.ts';

export interface LocalSpawnOptions {
  stdin?: Buffer;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  cwd?: string;
  /** Kill the process group when stdout or stderr grows past this many bytes. Default 64 MiB. */
  maxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL after a timeout. Default 2 s. */
  killGraceMs?: number;
  /** Called with the child's PID (= its process group id) once it runs. */
  onSpawn?: (pid: number) => void;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 2000;

/** Process groups started here and still running; SIGKILLed if clawops itself exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function track(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const g of liveGroups) killGroup(g, 'SIGKILL');
    });
  }
  liveGroups.add(pid);
}

/**
 * Spawn argv on this machine in its own process group, collect output, and kill the whole
 * group (SIGTERM, then SIGKILL after a grace period) when the timeout passes or the output
 * limit is exceeded. Never throws for a non-zero exit; rejects only when the program cannot be
 * started at all (the spawn error, e.g. ENOENT).
 */
export function spawnLocal(argv: readonly string[], opts: LocalSpawnOptions): Promise<RawResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new Error('empty argv'));
  const limit = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const grace = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const started = performance.now();
  return new Promise<RawResult>((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) {
      track(pid);
      opts.onSpawn?.(pid);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const len = { out: 0, err: 0 };
    let timedOut = false;
    let outputLimitExceeded = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (killTimer) return;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    const collect = (chunks: Buffer[], key: 'out' | 'err') => (b: Buffer) => {
      len[key] += b.length;
      if (len[key] <= limit) chunks.push(b);
      else if (!outputLimitExceeded) {
        outputLimitExceeded = true;
        stop();
      }
    };
    child.stdout.on('data', collect(out, 'out'));
    child.stderr.on('data', collect(err, 'err'));
    const done = () => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (pid !== undefined) liveGroups.delete(pid);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code, signal) => {
      done();
      // the leader is gone; make sure nothing it left behind in its group outlives a kill
      if (timedOut || outputLimitExceeded) killGroup(pid, 'SIGKILL');
      resolve({
        exitCode: code,
        signal,
        timedOut,
        ...(outputLimitExceeded ? { outputLimitExceeded } : {}),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        durationMs: Math.round(performance.now() - started),
      });
    });
    child.stdin.on('error', () => {
      /* the program may exit before reading its input */
    });
    child.stdin.end(opts.stdin ?? Buffer.alloc(0));
  });
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Root's PATH on every target, whatever the operator's shell or the remote login says: only
 * root-owned system directories, so a `node`, `npm` or `openclaw` the service user planted in its
 * npm prefix (`~/.npm-global/bin`) is never what root runs. A command run *as* the service user
 * may pass its own PATH (servicePath); root-run commands must not.
 */
export const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The environment local commands start with: a clean, predictable one (like ssh and nspawn give). */
export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LANG: 'C.UTF-8', PATH: ROOT_PATH };
  for (const k of ['HOME', 'USER', 'LOGNAME', 'TZ', 'TMPDIR']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}
