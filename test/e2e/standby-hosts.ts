/**
 * Two testbed containers wired as primary and standby, changing nothing on this machine:
 * - a veth pair created inside the primary's network namespace with its peer moved into the
 *   standby's (both namespaces belong to the test's containers; this machine's has no new link);
 * - sshd (Debian's openssh-server, from the testbed's offline repository) in both;
 * - restic's sftp repository on the primary, reached as `clawops-repo` through each host's
 *   /root/.ssh/config (127.0.0.1 on the primary, the primary's veth address on the standby),
 *   host key pinned (HostKeyAlias + known_hosts), key-only;
 * - this machine reaches the standby's sshd with OpenSSH through an ssh_config ProxyCommand that
 *   enters only the standby's network namespace and relays stdio to 127.0.0.1:22 (a few lines of
 *   Node: no socat/nc on the machine). Keys and known_hosts are generated per test in a temp dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Executor } from '../../src/exec/types.ts';
import type { Testbed } from '../helpers/testbed.ts';

/** Addresses of the test's own link between the two containers' namespaces (nowhere else). */
export const PRIMARY_ADDR = '10.213.47.1';
export const STANDBY_ADDR = '10.213.47.2';
export const REPO_ALIAS = 'clawops-repo';
export const STANDBY_ALIAS = 'clawops-standby';

export const RELAY = `const net = require('node:net');
const s = net.connect(Number(process.argv[3]), process.argv[2]);
process.stdin.pipe(s); s.pipe(process.stdout);
s.on('error', (e) => { process.stderr.write(String(e) + '\\n'); process.exit(1); });
s.on('close', () => process.exit(0));
`;

function hostRun(argv: string[]): string {
  const r = spawnSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

async function sh(ex: Executor, script: string, timeoutMs = 300_000): Promise<string> {
  return (await ex.run(['bash', '-c', script], { timeoutMs })).stdout;
}

export interface StandbyLink {
  dir: string;
  /** --target for the standby: ssh:// with ?config= (the ProxyCommand), identity and known_hosts */
  target: string;
  cleanup(): void;
}

/** The veth link between the two containers (inside their namespaces only). */
export function linkNetworks(primary: Testbed, standby: Testbed, tag: string): void {
  const [a, b] = [`sbp${tag}`, `sbs${tag}`];
  hostRun(['nsenter', '-t', String(primary.leaderPid), '-n', 'ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b, 'netns', String(standby.leaderPid)]);
  hostRun(['nsenter', '-t', String(primary.leaderPid), '-n', 'ip', 'addr', 'add', `${PRIMARY_ADDR}/30`, 'dev', a]);
  hostRun(['nsenter', '-t', String(primary.leaderPid), '-n', 'ip', 'link', 'set', a, 'up']);
  hostRun(['nsenter', '-t', String(standby.leaderPid), '-n', 'ip', 'addr', 'add', `${STANDBY_ADDR}/30`, 'dev', b]);
  hostRun(['nsenter', '-t', String(standby.leaderPid), '-n', 'ip', 'link', 'set', b, 'up']);
}

export async function installSshd(ex: Executor): Promise<string> {
  await sh(ex, 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssh-server >/dev/null && systemctl enable --now ssh >/dev/null 2>&1; systemctl is-active ssh');
  return (await sh(ex, "cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub")).trim();
}

/** Root's key and ssh config on each host for the sftp repository on the primary. */
export async function wireRepository(primary: Executor, standby: Executor, primaryHostKey: string, repoDir: string): Promise<void> {
  const keys: string[] = [];
  for (const [ex, addr] of [[primary, '127.0.0.1'], [standby, PRIMARY_ADDR]] as const) {
    await sh(ex, `install -d -m 700 /root/.ssh && ssh-keygen -q -t ed25519 -N '' -C clawops-standby-test -f /root/.ssh/id_ed25519 <<< y >/dev/null`);
    keys.push((await sh(ex, 'cat /root/.ssh/id_ed25519.pub')).trim());
    await ex.writeFile('/root/.ssh/config', `Host ${REPO_ALIAS}\n  HostName ${addr}\n  User root\n  HostKeyAlias ${REPO_ALIAS}\n  BatchMode yes\n  StrictHostKeyChecking yes\n  IdentitiesOnly yes\n  IdentityFile /root/.ssh/id_ed25519\n`, { mode: 0o600 });
    await ex.writeFile('/root/.ssh/known_hosts', `${REPO_ALIAS} ${primaryHostKey}\n`, { mode: 0o644 });
  }
  await sh(primary, `install -d -m 700 ${repoDir} && cat >> /root/.ssh/authorized_keys <<'EOF'\n${keys.join('\n')}\nEOF\nchmod 600 /root/.ssh/authorized_keys`);
}

/** This machine -> the standby's sshd: a key, a pinned known_hosts and the ProxyCommand config. */
export async function sshToStandby(standby: Testbed, standbyHostKey: string): Promise<StandbyLink> {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-standby-'));
  try {
    const key = join(dir, 'id_ed25519');
    hostRun(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'clawops-standby-test', '-f', key]);
    const pub = readFileSync(`${key}.pub`, 'utf8').trim();
    await sh(standby.executor, `install -d -m 700 /root/.ssh && cat >> /root/.ssh/authorized_keys <<'EOF'\n${pub}\nEOF\nchmod 600 /root/.ssh/authorized_keys`);
    writeFileSync(join(dir, 'relay.cjs'), RELAY);
    writeFileSync(join(dir, 'known_hosts'), `${STANDBY_ALIAS} ${standbyHostKey}\n`);
    writeFileSync(join(dir, 'ssh_config'), [
      `Host ${STANDBY_ALIAS}`,
      `  HostKeyAlias ${STANDBY_ALIAS}`,
      `  ProxyCommand nsenter -t ${standby.leaderPid} -n ${process.execPath} ${join(dir, 'relay.cjs')} 127.0.0.1 22`,
      '',
    ].join('\n'));
    const q = (p: string) => encodeURIComponent(join(dir, p));
    return {
      dir,
      target: `ssh://root@${STANDBY_ALIAS}?config=${q('ssh_config')}&identity=${q('id_ed25519')}&knownHosts=${q('known_hosts')}`,
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
