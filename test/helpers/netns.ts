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

