import { spawn } from 'node:child_process';
import type { RawResult } from './types.ts';

export interface LocalSpawnOptions {
  stdin?: Buffer;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  cwd?: string;
}

const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Spawn argv on this machine in its own process group, collect output, and kill the whole
 * group (SIGTERM, then SIGKILL after 2 s) when the timeout passes. Never throws for a
 * non-zero exit; throws only when the program cannot be started at all.
 */
export function spawnLocal(argv: readonly string[], opts: LocalSpawnOptions): Promise<RawResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new Error('empty argv'));
  const started = performance.now();
  return new Promise<RawResult>((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 2000);
    }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      outLen += b.length;
      if (outLen <= MAX_OUTPUT) out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      resolve({
        exitCode: code,
        signal: signal,
        timedOut,
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

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}
