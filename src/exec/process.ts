import { spawn } from 'node:child_process';
import type { LiveProcess, RawResult } from './types.ts';

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

/**
 * Start argv on this machine with its stdin kept open (Executor.start): in its own process group,
 * no timeout, SIGKILLed with the other live groups if clawops exits first. When clawops dies
 * without exiting (SIGKILL), the kernel closes the stdin pipe: the command sees end-of-input.
 */
export function startLocal(argv: readonly string[], env: NodeJS.ProcessEnv | undefined): LiveProcess {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty argv');
  const child = spawn(cmd, args, { env: env ?? process.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid !== undefined) track(pid);
  child.stdin.on('error', () => {
    /* it may exit before we close its input */
  });
  const lines: string[] = [];
  const waiting: ((l: string | null) => void)[] = [];
  let partial = '';
  let ended = false;
  const push = (l: string | null) => {
    const w = waiting.shift();
    if (w) w(l);
    else if (l !== null) lines.push(l);
  };
  child.stdout.on('data', (b: Buffer) => {
    const parts = (partial + b.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) push(l);
  });
  child.stdout.on('end', () => {
    if (partial) push(partial);
    ended = true;
    while (waiting.length) push(null);
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<{ exitCode: number | null; signal: string | null; stderr: string }>((resolve) => {
    child.on('error', (e) => {
      if (pid !== undefined) liveGroups.delete(pid);
      resolve({ exitCode: null, signal: null, stderr: `${stderr}${e.message}` });
    });
    child.on('close', (code, signal) => {
      if (pid !== undefined) liveGroups.delete(pid);
      ended = true;
      while (waiting.length) push(null);
      resolve({ exitCode: code, signal, stderr });
    });
  });
  return {
    readLine: () => {
      const l = lines.shift();
      if (l !== undefined) return Promise.resolve(l);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve) => waiting.push(resolve));
    },
    end: () => child.stdin.end(),
    unref: () => {
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
    },
    exited,
  };
}
