import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClawopsError, CommandError, shellQuote } from '../core/errors.ts';
import { spawnLocal } from './process.ts';
import { ShellExecutor } from './shell-executor.ts';
import type { RawResult, SpawnOptions, StartOptions, Transport } from './types.ts';

export interface SshTarget {
  user: string;
  host: string;
  port: number;
  /** Private key (ssh -i); default: the agent / ssh config. */
  identityFile?: string;
  /** known_hosts file to trust; default: the user's. Unknown or changed host keys are refused. */
  knownHostsFile?: string;
  connectTimeoutSec?: number;
  /**
   * An OpenSSH client config file (ssh -F) for what the URL cannot say: ProxyJump, ProxyCommand,
   * HostName aliases, HostKeyAlias, IdentityFile, UserKnownHostsFile. The URL's user and port,
   * BatchMode and strict host key checking still win over it (command-line options come first).
   */
  configFile?: string;
}

const SSH_QUERY = ['identity', 'knownHosts', 'connectTimeout', 'config'];
const URL_HINT = 'use ssh://user@host[:port][?identity=KEYFILE&knownHosts=FILE&connectTimeout=SEC&config=SSH_CONFIG]';

/** Parses ssh://user@host[:port][?identity=PATH&knownHosts=PATH&connectTimeout=SEC&config=PATH]; user defaults to root. */
export function parseSshUrl(url: string): SshTarget {
  const bad = (why: string) => new ClawopsError(`invalid --target ${url}: ${why}`, { hint: URL_HINT });
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const port = /^ssh:\/\/[^/?]*:(\d+)(?:[/?]|$)/i.exec(url)?.[1];
    throw bad(port && Number(port) > 65535 ? `port ${port} is out of range` : /\s/.test(url) ? 'it contains whitespace' : 'not a valid URL');
  }
  if (u.protocol !== 'ssh:') throw bad('the scheme must be ssh://');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw bad('no host');
  if (u.password) throw bad('passwords are not accepted (BatchMode: use a key)');
  if (u.pathname && u.pathname !== '/') throw bad(`unexpected path ${u.pathname}`);
  const unknown = [...u.searchParams.keys()].filter((k) => !SSH_QUERY.includes(k));
  if (unknown.length) throw bad(`unknown option ${unknown.join(', ')} (known: ${SSH_QUERY.join(', ')})`);
  const t: SshTarget = { user: decodeURIComponent(u.username) || 'root', host, port: u.port ? Number(u.port) : 22 };
  if (t.port < 1) throw bad(`port ${u.port} is out of range`);
  const identity = u.searchParams.get('identity');
  const known = u.searchParams.get('knownHosts');
  const ct = u.searchParams.get('connectTimeout');
  const config = u.searchParams.get('config');
  if (config !== null) {
    if (!config.startsWith('/')) throw bad(`config must be an absolute path, got ${JSON.stringify(config)}`);
    t.configFile = config;
  }
  if (identity) t.identityFile = identity;
  if (known) t.knownHostsFile = known;
  if (ct !== null) {
    if (!/^\d+$/.test(ct) || Number(ct) < 1) throw bad(`connectTimeout must be a whole number of seconds, got ${ct}`);
    t.connectTimeoutSec = Number(ct);
  }
  return t;
}

/** Seconds the remote `timeout` gives a command after TERM before KILL. */
const REMOTE_KILL_AFTER = 2;
const TIMEOUT_LINE = /^timeout: sending signal [A-Z]+ to command .*\n?/gm;

/**
 * Runs through the system's OpenSSH client: BatchMode (never prompts), strict host keys (never
 * auto-accepted), ConnectTimeout, and one multiplexed master connection per executor (ControlMaster,
 * socket in a private temp dir, removed by close()). A non-root login runs commands via `sudo -n`.
 * Every remote command runs under the remote `timeout`, which kills its whole process group, so a
 * timeout ends the remote work too, not only the local ssh client.
 */
export class SshTransport implements Transport {
  readonly target: string;
  private readonly t: SshTarget;
  private controlDir: string | undefined;
  constructor(t: SshTarget) {
    this.t = t;
    this.target = `ssh://${t.user}@${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  }

  /** A new connection with exactly this one's options (own control directory: a new TCP connection, not the master). */
  reopen(): SshTransport {
    return new SshTransport(this.t);
  }

  /** ssh options shared by every invocation (no destination). */
  private options(): string[] {
    this.controlDir ??= this.makeControlDir();
    const a = [
      ...(this.t.configFile ? ['-F', this.t.configFile] : []),
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `ConnectTimeout=${this.connectTimeoutSec()}`,
      '-o', 'ControlMaster=auto',
      '-o', `ControlPath=${join(this.controlDir, 'cm')}`,
      '-o', 'ControlPersist=60',
      '-o', 'ServerAliveInterval=15',
      '-o', 'LogLevel=ERROR',
      '-p', String(this.t.port),
      '-l', this.t.user,
    ];
    if (this.t.identityFile) a.push('-o', 'IdentitiesOnly=yes', '-i', this.t.identityFile);
    // UserKnownHostsFile takes a list separated by spaces: quote one path that has spaces
    if (this.t.knownHostsFile) a.push('-o', `UserKnownHostsFile="${this.t.knownHostsFile}"`);
    return a;
  }

  /** The full local argv that runs `remote` (a shell command line) on the target. */
  sshArgv(remote: string): string[] {
    return ['ssh', ...this.options(), '--', this.t.host, remote];
  }

  async spawn(argv: readonly string[], opts: SpawnOptions): Promise<RawResult> {
    const local = this.sshArgv(remoteCommand(this.t.user, argv, opts));
    const run = () => spawnLocal(local, {
      // the local deadline leaves room for connecting and for the remote kill to come back
      timeoutMs: opts.timeoutMs + (this.connectTimeoutSec() + REMOTE_KILL_AFTER + 3) * 1000,
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
      ...(opts.maxOutputBytes ? { maxOutputBytes: opts.maxOutputBytes } : {}),
    });
    let raw = await run();
    // the master connection this call started was not ready in time: the command never reached the host, so once more
    if (raw.exitCode === 255 && muxNotReady(raw.stderr.toString('utf8'))) raw = await run();
    const stderr = raw.stderr.toString('utf8');
    const refused = raw.exitCode === 255 ? diagnoseSsh(stderr, this.t, this.target) : undefined;
    if (refused) {
      const cause = new CommandError({ ...raw, argv: local, target: 'local', stdout: '', stderr });
      throw new ClawopsError(refused.message, { hint: refused.hint, cause });
    }
    if (raw.exitCode === 1 && /^sudo: .*password is required/m.test(stderr)) {
      throw new ClawopsError(`${this.t.user} on ${this.target} may not run commands as root without a password`, {
        hint: `log in as root, or give ${this.t.user} passwordless sudo there (a sudoers.d entry with NOPASSWD)`,
      });
    }
    const cleaned = stderr.replace(TIMEOUT_LINE, '');
    return cleaned === stderr ? raw : { ...raw, timedOut: true, stderr: Buffer.from(cleaned) };
  }

  /** A long-lived command: no remote `timeout` (it lives until its input ends). */
  startCommand(argv: readonly string[], opts: StartOptions): { argv: string[] } {
    return { argv: this.sshArgv(remoteCommand(this.t.user, argv, { env: opts.env ?? {}, timeoutMs: 0, ...(opts.user ? { user: opts.user } : {}) })) };
  }

  /** PID of the master connection, if one is running (from `ssh -O check`). */
  async masterPid(): Promise<number | undefined> {
    if (!this.controlDir) return undefined;
    const r = await spawnLocal(['ssh', ...this.options(), '-O', 'check', '--', this.t.host], { timeoutMs: 5000 });
    const m = /pid=(\d+)/.exec(r.stderr.toString());
    return m ? Number(m[1]) : undefined;
  }

  get controlDirectory(): string | undefined {
    return this.controlDir;
  }

  async close(): Promise<void> {
    if (!this.controlDir) return;
    await spawnLocal(['ssh', ...this.options(), '-O', 'exit', '--', this.t.host], { timeoutMs: 5000 }).catch(() => undefined);
    this.removeControlDir();
  }

  private connectTimeoutSec(): number {
    return this.t.connectTimeoutSec ?? 10;
  }

  private makeControlDir(): string {
    trackOpen(this);
    return mkdtempSync(join(tmpdir(), 'clawops-ssh-'));
  }

  private removeControlDir(): void {
    if (this.controlDir) rmSync(this.controlDir, { recursive: true, force: true });
    this.controlDir = undefined;
    openTransports.delete(this);
  }

  /** When clawops exits without close(): stop the master and remove the socket dir anyway. */
  closeSync(): void {
    if (!this.controlDir) return;
    spawnSync('ssh', [...this.options(), '-O', 'exit', '--', this.t.host], { timeout: 3000, stdio: 'ignore' });
    this.removeControlDir();
  }
}

/**
 * The remote shell command line for argv: `sudo -n` for a non-root login, then the working
 * directory (entered with sudo's rights, never by the login before it), `env` for extra
 * variables, the remote `timeout` (it kills the command's whole process group, then KILLs after
 * ${REMOTE_KILL_AFTER} s; --verbose marks a timeout on stderr; none when timeoutMs is 0), runuser for
 * another user.
 */
export function remoteCommand(login: string, argv: readonly string[], opts: Pick<SpawnOptions, 'env' | 'timeoutMs' | 'cwd' | 'user'>): string {
  const sudo = login === 'root' ? [] : ['sudo', '-n'];
  const env = Object.entries(opts.env).map(([k, v]) => `${k}=${v}`);
  const limit = `${(opts.timeoutMs / 1000).toFixed(3)}s`;
  const user = opts.user ? ['runuser', '-u', opts.user, '--'] : [];
  const timeout = opts.timeoutMs > 0 ? ['timeout', '--verbose', '-k', `${REMOTE_KILL_AFTER}s`, limit] : [];
  // the working directory is entered after sudo, as the local executor's is (a directory only root may enter works)
  const cd = opts.cwd ? ['sh', '-c', 'cd -- "$1" || exit 127; shift; exec "$@"', 'sh', opts.cwd] : [];
  const words = [...sudo, ...cd, ...(env.length ? ['env', ...env] : []), ...timeout, ...user, ...argv];
  return words.map(shellQuote).join(' ');
}

/** Transports with a control dir; closed synchronously if clawops exits without close(). */
const openTransports = new Set<SshTransport>();
let exitHook = false;
function trackOpen(t: SshTransport): void {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const o of [...openTransports]) o.closeSync();
    });
  }
  openTransports.add(t);
}

/** The known_hosts name of a host: `host` on port 22, else `[host]:port`. */
export function knownHostsName(t: Pick<SshTarget, 'host' | 'port'>): string {
  return t.port === 22 ? t.host : `[${t.host}]:${t.port}`;
}

/**
 * The client gave up on the multiplexing master it had just forked (a slow ProxyCommand or a loaded
 * host): OpenSSH exits 255 before the command was sent, so running it again is safe.
 */
export function muxNotReady(stderr: string): boolean {
  return /Failed to connect to new control master/.test(stderr);
}

/** Recognises the ssh client's own refusals (exit 255) and says what to do about each. */
export function diagnoseSsh(stderr: string, t: SshTarget, target: string): { message: string; hint: string } | undefined {
  const kh = t.knownHostsFile ?? '~/.ssh/known_hosts';
  const name = knownHostsName(t);
  const scan = `ssh-keyscan -p ${t.port} ${t.host} > /tmp/hostkeys && ssh-keygen -lf /tmp/hostkeys`;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(stderr)) {
    return {
      message: `the host key of ${target} has changed since it was trusted in ${kh}; refusing to connect (possible man-in-the-middle)`,
      hint: `if the host was reinstalled, confirm its new fingerprint out of band (on its console: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then \`ssh-keygen -R '${name}' -f ${kh}\` and trust the new key: \`${scan}\`, compare, and append the matching line to ${kh}; clawops never accepts host keys by itself`,
    };
  }
  if (/Host key verification failed|No .* host key is known for/.test(stderr)) {
    return {
      message: `the host key of ${target} is not trusted (not in ${kh}); refusing to connect`,
      hint: `fetch the key with \`${scan}\`, compare the fingerprint with the one the host shows on its console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then append the matching line to ${kh} (or pass ?knownHosts=FILE); clawops never accepts host keys by itself`,
    };
  }
  if (/Permission denied \(/.test(stderr)) {
    return {
      message: `${target} refused the login of ${t.user} (${lastLine(stderr)})`,
      hint: `check that the key ${t.identityFile ?? 'offered by your agent or ~/.ssh'} is in ~${t.user}/.ssh/authorized_keys on the host (pass another with ?identity=KEYFILE)`,
    };
  }
  if (/Connection refused|Connection timed out|timed out during banner exchange|No route to host|Network is unreachable|Could not resolve hostname|Connection closed by|Connection reset|kex_exchange_identification/.test(stderr)) {
    return {
      message: `cannot connect to ${target}: ${lastLine(stderr)}`,
      hint: `check that the host is up, that sshd listens on port ${t.port} and that no firewall drops it (raise ?connectTimeout=SEC for slow links)`,
    };
  }
  return undefined;
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop()?.replace(/^ssh: /, '') ?? '';
}

export function sshExecutor(t: SshTarget): ShellExecutor {
  return new ShellExecutor(new SshTransport(t));
}
