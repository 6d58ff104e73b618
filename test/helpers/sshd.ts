/**
 * A real OpenSSH server for tests: listens on 127.0.0.1 and a free port, runs in a private mount
 * namespace (a tmpfs on /run gives it its own /run/sshd), with its own sshd_config, a temporary
 * host key, and key-only root login through an AuthorizedKeysFile in its temp dir. Nothing on this
 * machine changes; stop() kills the sshd (and the session processes it forked) by PID and removes
 * the temp dir.
 */
import { spawn, spawnSync } from 'node:child_process';
import { freePort } from './loopback.ts';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sshd {
  port: number;
  pid: number;
  dir: string;
  /** client private key allowed to log in as root */
  identityFile: string;
  /** a known_hosts file that trusts this server's host key */
  knownHostsFile: string;
  /** the host key line as ssh-keyscan would print it (without the host name) */
  hostKeyPub: string;
  /** ssh://root@127.0.0.1:PORT?identity=...&knownHosts=... */
  url: string;
  stop(): Promise<void>;
}

export function sshdSkipReason(): string | undefined {
  const missing = ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/ssh-keygen', '/usr/bin/unshare'].filter((p) => !existsSync(p));
  const why = process.getuid?.() !== 0 ? 'needs root (sshd in a private mount namespace)' : missing.length ? `missing ${missing.join(', ')} (apt-get install openssh-server openssh-client)` : undefined;
  if (why && process.env.CI) throw new Error(`sshd e2e cannot run in CI: ${why}`);
  return why;
}

function keygen(path: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'clawops-test', '-f', path]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-sshd-'));
  try {
    keygen(join(dir, 'host_ed25519'));
    keygen(join(dir, 'id_ed25519'));
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')));
    const hostKeyPub = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const config = join(dir, 'sshd_config');
      writeFileSync(
        config,
        [
          `Port ${port}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${join(dir, 'host_ed25519')}`,
          `PidFile ${join(dir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
          'PermitRootLogin prohibit-password',
          'PubkeyAuthentication yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'StrictModes no',
          'MaxSessions 20',
          'LogLevel INFO',
          '',
        ].join('\n'),
      );
      writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKeyPub}\n`);
      const child = spawn(
        'unshare',
        ['--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o mode=755 tmpfs /run && mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e -f "$0"`, config],
        { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
      );
      const pid = child.pid;
      if (pid === undefined) throw new Error('cannot start sshd');
      let log = '';
      const ready = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 10_000);
        child.stderr.on('data', (b: Buffer) => {
          log += b.toString();
          if (log.includes('Server listening')) {
            clearTimeout(timer);
            resolve(true);
          }
        });
        child.once('exit', () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      if (!ready) {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        if (/Address already in use/.test(log)) continue;
        throw new Error(`sshd did not start: ${log.trim()}`);
      }
      child.stderr.resume();
      const identityFile = join(dir, 'id_ed25519');
      const knownHostsFile = join(dir, 'known_hosts');
      const stop = async () => {
        // the per-connection sshd processes (they start their own sessions) go first, then the listener
        for (const c of childrenOf(pid)) process.kill(c, 'SIGTERM');
        if (alive(pid)) process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      };
      const url = `ssh://root@127.0.0.1:${port}?identity=${encodeURIComponent(identityFile)}&knownHosts=${encodeURIComponent(knownHostsFile)}`;
      return { port, pid, dir, identityFile, knownHostsFile, hostKeyPub, url, stop };
    }
    throw new Error('sshd: no free port after 3 attempts');
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
