/** Helpers for the apply end-to-end tests: run the real CLI as a process against a testbed. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Executor } from '../../src/exec/types.ts';

export const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
export const EXAMPLE = new URL('../../examples/host-layer.yaml', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function clawops(args: string[], env: Record<string, string> = {}, timeoutMs = 600_000): Promise<CliRun> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - t0) });
    });
  });
}

/** A Tailscale stand-in: a TUN device named tailscale0 (what tailscaled creates). */
export async function addTailscaleStandIn(ex: Executor): Promise<void> {
  await ex.run(['sh', '-c', 'ip link show tailscale0 >/dev/null 2>&1 || ip tuntap add dev tailscale0 mode tun']);
}

/** sha256, owner and mode of each path (or "absent"), read on the target. */
export async function snapshot(ex: Executor, paths: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    const st = await ex.stat(p);
    if (!st) out[p] = 'absent';
    else if (st.type !== 'file') out[p] = `${st.type} ${st.mode.toString(8)} ${st.owner}:${st.group}`;
    else out[p] = `${createHash('sha256').update((await ex.readFile(p)) ?? '').digest('hex')} ${st.mode.toString(8)} ${st.owner}:${st.group}`;
  }
  return out;
}

/** Temp files an interrupted atomic write could leave, anywhere clawops writes. */
export async function leftoverTempFiles(ex: Executor): Promise<string[]> {
  const r = await ex.run(['sh', '-c', 'find /etc /home /var/lib/clawops -name ".*.clawops-*" 2>/dev/null; true']);
  return r.stdout.split('\n').filter(Boolean);
}

/**
 * A fresh testbed made ready for examples/clawops.yaml: the Tailscale stand-in, and the operator's
 * part, the restic password (a secret clawops must not invent: losing it loses the backups).
 */
export async function prepareExampleTarget(ex: Executor): Promise<void> {
  await addTailscaleStandIn(ex);
  await ex.run(['install', '-d', '-m', '0700', '/etc/clawops']);
  await ex.writeFile('/etc/clawops/restic-password', 'correct horse battery staple 42\n', { mode: 0o600, owner: 'root', group: 'root' });
}
