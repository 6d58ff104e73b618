import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellQuote } from '../core/errors.ts';
import { spawnLocal } from './process.ts';
import { ShellExecutor } from './shell-executor.ts';
import type { RawResult, SpawnOptions, Transport } from './types.ts';

export interface SshTarget {
  user: string;
  host: string;
  port: number;
  /** Private key (ssh -i); default: the agent / ssh config. */
  identityFile?: string;
  /** known_hosts file to trust; default: the user's. Unknown or changed host keys are refused. */
  knownHostsFile?: string;
  connectTimeoutSec?: number;
}

/** Parses ssh://user@host[:port][?identity=PATH&knownHosts=PATH]. */
export function parseSshUrl(url: string): SshTarget {
  const u = new URL(url);
  if (u.protocol !== 'ssh:' || !u.hostname) throw new Error(`not an ssh:// target: ${url}`);
  const t: SshTarget = {
    user: decodeURIComponent(u.username) || 'root',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 22,
  };
  const identity = u.searchParams.get('identity');
  const known = u.searchParams.get('knownHosts');
  if (identity) t.identityFile = identity;
  if (known) t.knownHostsFile = known;
  return t;
}

/**
 * Runs through the system's OpenSSH client: BatchMode (never prompts), strict host keys,
 * one multiplexed master connection per executor. A non-root login runs commands via `sudo -n`.
 */
export class SshTransport implements Transport {
  readonly target: string;
  private readonly t: SshTarget;
  private readonly controlDir: string;
  constructor(t: SshTarget) {
    this.t = t;
    this.target = `ssh://${t.user}@${t.host}:${t.port}`;
    this.controlDir = mkdtempSync(join(tmpdir(), 'clawops-ssh-'));
  }

  baseArgs(): string[] {
    const a = [
      'ssh',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `ConnectTimeout=${this.t.connectTimeoutSec ?? 10}`,
      '-o', 'ControlMaster=auto',
      '-o', `ControlPath=${join(this.controlDir, 'cm')}`,
      '-o', 'ControlPersist=60',
      '-o', 'LogLevel=ERROR',
      '-p', String(this.t.port),
    ];
    if (this.t.identityFile) a.push('-o', 'IdentitiesOnly=yes', '-i', this.t.identityFile);
    if (this.t.knownHostsFile) a.push('-o', `UserKnownHostsFile=${this.t.knownHostsFile}`);
    a.push('-l', this.t.user, this.t.host);
    return a;
  }

  spawn(argv: readonly string[], opts: SpawnOptions): Promise<RawResult> {
    const sudo = this.t.user === 'root' ? [] : ['sudo', '-n'];
    const user = opts.user ? ['runuser', '-u', opts.user, '--'] : [];
    const env = Object.entries(opts.env).map(([k, v]) => `${k}=${v}`);
    const remote = [...sudo, ...(env.length ? ['env', ...env] : []), ...user, ...argv].map(shellQuote).join(' ');
    const cd = opts.cwd ? `cd ${shellQuote(opts.cwd)} && ` : '';
    return spawnLocal([...this.baseArgs(), '--', `${cd}${remote}`], {
      timeoutMs: opts.timeoutMs,
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
    });
  }

  async close(): Promise<void> {
    await spawnLocal([...this.baseArgs().slice(0, -3), '-O', 'exit', '-l', this.t.user, this.t.host], {
      timeoutMs: 5000,
    }).catch(() => undefined);
    rmSync(this.controlDir, { recursive: true, force: true });
  }
}

export function sshExecutor(t: SshTarget): ShellExecutor {
  return new ShellExecutor(new SshTransport(t));
}
