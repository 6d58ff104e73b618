/**
 * Network namespaces for firewall tests: a namespace with its own netfilter tables, entered
 * together with a private mount namespace in which /etc/ufw, /etc/default/ufw and
 * /etc/systemd/system are bind-mounted private copies. Nothing here touches this machine's tables
 * or files. Every namespace gets a unique random name; destroy() kills the holder process it
 * started (by PID) and removes the namespace and its temp dir.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnLocal } from '../../src/exec/process.ts';
import { hostSnapshot } from './host-invariants.ts';
import { ShellExecutor } from '../../src/exec/shell-executor.ts';
import type { Executor, RawResult, SpawnOptions, Transport } from '../../src/exec/types.ts';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** undefined when netns firewall tests can run here; else why not (CI: never skips, throws instead). */
export function netnsSkipReason(): string | undefined {
  const missing = ['ip', 'iptables', 'iptables-save', 'ufw', 'unshare', 'nsenter', 'ss'].filter(
    (c) => spawnSync('sh', ['-c', `command -v ${c}`], { env: { PATH } }).status !== 0,
  );
  const why =
    process.getuid?.() !== 0 ? 'needs root' : missing.length ? `missing: ${missing.join(', ')}` : undefined;
  if (why && process.env['CI']) throw new Error(`netns tests cannot run: ${why}`);
  return why;
}

export interface Netns {
  name: string;
  /** private temp dir: etc-ufw/, default-ufw, systemd-system/, state/ */
  dir: string;
  /** runs commands inside the namespace (net + private mounts) */
  executor: Executor;
  /** PID of the process holding the mount namespace */
  holderPid: number;
  /** a new executor into the namespace (a second, independent way in) */
  connect(): Executor;
  destroy(): Promise<void>;
}

export interface NetnsOptions {
  /** bind private copies of /etc/ufw and /etc/default/ufw (default true) */
  ufw?: boolean;
}

function sh(cmd: string, args: string[] = []): string {
  const r = spawnSync('sh', ['-c', cmd, 'sh', ...args], { encoding: 'utf8', env: { PATH } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** Runs argv inside the namespace holder's mount and network namespaces. */
class NetnsTransport implements Transport {
  readonly target: string;
  private readonly pid: number;
  constructor(name: string, pid: number) {
    this.target = `netns:${name}`;
    this.pid = pid;
  }
  spawn(argv: readonly string[], opts: SpawnOptions): Promise<RawResult> {
    const env = Object.entries({ PATH, HOME: '/root', LANG: 'C.UTF-8', ...opts.env }).map(([k, v]) => `${k}=${v}`);
    return spawnLocal(['nsenter', '-t', String(this.pid), '-m', '-n', '--', 'env', '-i', ...env, ...argv], {
      timeoutMs: opts.timeoutMs,
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
    });
  }
  reopen(): NetnsTransport {
    return new NetnsTransport(this.target.slice('netns:'.length), this.pid);
  }
  async close(): Promise<void> {}
}

export async function createNetns(opts: NetnsOptions = {}): Promise<Netns> {
  const name = uniqueName('cofw');
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  sh('ip netns add "$1" && ip -n "$1" link set lo up', [name]);
  const binds: [string, string][] = [];
  if (opts.ufw !== false) {
    cpSync('/etc/ufw', join(dir, 'etc-ufw'), { recursive: true });
    // start from the package's pristine rule files, not whatever this machine has
    for (const f of ['user.rules', 'user6.rules']) cpSync(`/usr/share/ufw/iptables/${f}`, join(dir, 'etc-ufw', f));
    writeFileSync(join(dir, 'etc-ufw', 'ufw.conf'), 'ENABLED=no\nLOGLEVEL=low\n');
    cpSync('/etc/default/ufw', join(dir, 'default-ufw'));
    binds.push([join(dir, 'etc-ufw'), '/etc/ufw'], [join(dir, 'default-ufw'), '/etc/default/ufw']);
  }
  mkdirSync(join(dir, 'systemd-system', 'multi-user.target.wants'), { recursive: true });
  mkdirSync(join(dir, 'state'));
  binds.push([join(dir, 'systemd-system'), '/etc/systemd/system']);
  const script = [
    // a private /run: ufw.lock, xtables.lock and /run/sshd stay inside; no /run/systemd/system
    'mount -t tmpfs -o mode=755 tmpfs /run',
    'mkdir -p /run/sshd',
    ...binds.map(([src, dst]) => `mount --bind '${src}' '${dst}'`),
    'echo ready',
    'exec sleep 3600',
  ].join(' && ');
  const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'nsenter', `--net=/run/netns/${name}`, 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH },
  });
  const pid = holder.pid;
  let stderr = '';
  holder.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const ready = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 10_000);
    holder.stdout.once('data', () => (clearTimeout(t), resolve(true)));
    holder.once('exit', () => (clearTimeout(t), resolve(false)));
  });
  holder.unref();
  holder.stdout.destroy();
  holder.stderr.destroy();
  const destroy = async (): Promise<void> => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    spawnSync('ip', ['netns', 'del', name], { env: { PATH } });
    rmSync(dir, { recursive: true, force: true });
  };
  if (!ready || pid === undefined) {
    await destroy();
    throw new Error(`netns ${name}: mount holder did not start: ${stderr}`);
  }
  const connect = (): Executor => new ShellExecutor(new NetnsTransport(name, pid));
  return { name, dir, holderPid: pid, executor: connect(), connect, destroy };
}

/** A veth pair: `aIf` in a with aAddr (CIDR), `bIf` in b with bAddr. */
export function linkVeth(a: Netns, aIf: string, aAddr: string, b: Netns, bIf: string, bAddr: string): void {
  const tmpA = uniqueName('va');
  const tmpB = uniqueName('vb');
  sh(
    'ip link add "$1" type veth peer name "$2" && ip link set "$1" netns "$3" && ip link set "$2" netns "$4" && ' +
      'ip -n "$3" link set "$1" name "$5" && ip -n "$4" link set "$2" name "$6" && ' +
      'ip -n "$3" addr add "$7" dev "$5" && ip -n "$4" addr add "$8" dev "$6" && ' +
      'ip -n "$3" link set "$5" up && ip -n "$4" link set "$6" up',
    [tmpA, tmpB, a.name, b.name, aIf, bIf, aAddr, bAddr],
  );
}


export interface Sshd {
  /** executor over a NEW ssh connection from `from` to `host` (no multiplexing: one TCP connection per command) */
  connectFrom(from: Netns, host: string): Executor;
  /** the client key pair, known_hosts */
  keyFile: string;
  knownHosts: string;
  stop(): void;
}

/** A real sshd listening on :22 inside the namespace (key-only root login). */
export async function startSshd(ns: Netns): Promise<Sshd> {
  const d = join(ns.dir, 'sshd');
  mkdirSync(d, { mode: 0o700 });
  sh('ssh-keygen -q -t ed25519 -N "" -f "$1/host" && ssh-keygen -q -t ed25519 -N "" -f "$1/client" && cp "$1/client.pub" "$1/authorized_keys"', [d]);
  writeFileSync(
    join(d, 'sshd_config'),
    [
      'Port 22',
      'ListenAddress 0.0.0.0',
      `HostKey ${d}/host`,
      `AuthorizedKeysFile ${d}/authorized_keys`,
      `PidFile ${d}/sshd.pid`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM yes',
      'StrictModes no',
      'AcceptEnv LANG',
      '',
    ].join('\n'),
  );
  const pub = sh('cat "$1/host.pub"', [d]).trim();
  const knownHosts = join(d, 'known_hosts');
  writeFileSync(knownHosts, `* ${pub}\n`);
  const child = spawn('nsenter', ['-t', String(ns.holderPid), '-m', '-n', '--', '/usr/sbin/sshd', '-D', '-e', '-f', join(d, 'sshd_config')], {
    stdio: 'ignore',
    env: { PATH },
  });
  child.unref();
  const pid = child.pid;
  // wait until it listens (bounded)
  for (let i = 0; i < 50; i++) {
    const r = await ns.executor.run(['ss', '-Htln', 'sport = :22'], { allowFailure: true });
    if (r.stdout.trim()) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const keyFile = join(d, 'client');
  return {
    keyFile,
    knownHosts,
    connectFrom: (from, host) => new ShellExecutor(new SshFromTransport(from, host, keyFile, knownHosts)),
    stop: () => {
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
    },
  };
}

/** The system's ssh client run inside another namespace: every command is a new TCP connection. */
class SshFromTransport implements Transport {
  readonly target: string;
  private readonly from: Netns;
  private readonly host: string;
  private readonly key: string;
  private readonly known: string;
  constructor(from: Netns, host: string, key: string, known: string) {
    this.from = from;
    this.host = host;
    this.key = key;
    this.known = known;
    this.target = `ssh://root@${host}:22 (from ${from.name})`;
  }
  reopen(): SshFromTransport {
    return new SshFromTransport(this.from, this.host, this.key, this.known);
  }
  spawn(argv: readonly string[], opts: SpawnOptions): Promise<RawResult> {
    const remote = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return spawnLocal(
      ['nsenter', '-t', String(this.from.holderPid), '-n', '--', 'ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
        '-o', `UserKnownHostsFile=${this.known}`, '-o', 'IdentitiesOnly=yes', '-i', this.key, '-o', 'ConnectTimeout=3',
        '-o', 'LogLevel=ERROR', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-l', 'root', this.host, '--', remote],
      { timeoutMs: opts.timeoutMs, env: { PATH }, ...(opts.stdin ? { stdin: opts.stdin } : {}) },
    );
  }
  async close(): Promise<void> {}
}

export type ProbeResult = 'open' | 'refused' | 'timeout';

/** A real TCP connection attempt from inside `from` (bounded by timeoutMs). */
export async function tcpProbe(from: Netns, host: string, port: number, timeoutMs = 1000): Promise<ProbeResult> {
  const r = await spawnLocal(
    ['nsenter', '-t', String(from.holderPid), '-n', '--', 'timeout', String(timeoutMs / 1000), 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`],
    { timeoutMs: timeoutMs + 2000, env: { PATH } },
  );
  return r.exitCode === 0 ? 'open' : r.exitCode === 124 ? 'timeout' : 'refused';
}

/** A journal that keeps what apply recorded, for assertions. */
export function memoryJournal(): { steps: { description: string; undo: string[] | null }[]; files: string[]; saveFile(ex: Executor, path: string): Promise<void>; saveStep(d: string, u: string[] | null): Promise<void> } {
  const steps: { description: string; undo: string[] | null }[] = [];
  const files: string[] = [];
  return {
    steps,
    files,
    async saveFile(_ex, path) {
      files.push(path);
    },
    async saveStep(description, undo) {
      steps.push({ description, undo });
    },
  };
}

/** This machine's firewall tables (iptables-save, ip6tables-save digests), to prove a test left them alone. */
export function hostFirewallSnapshot(): Record<string, string | undefined> {
  const s = hostSnapshot();
  return { 'iptables-save': s['iptables-save'], 'ip6tables-save': s['ip6tables-save'] };
}
