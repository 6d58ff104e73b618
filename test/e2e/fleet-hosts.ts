/**
 * Testbed hosts for Ansible, changing nothing on this machine: each testbed gets sshd and python3
 * from its offline repository and a root key; this machine reaches each sshd with OpenSSH through a
 * ProxyCommand that enters only that testbed's network namespace and relays to 127.0.0.1:22 (as
 * standby-hosts.ts does). Host keys are pinned (HostKeyAlias + known_hosts); the ssh_config,
 * ansible.cfg (pipelining, ControlPersist under the test's directory) and a YAML inventory of the
 * group `gateways` are written into a temp directory that cleanup() removes after ending the masters.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Testbed } from '../helpers/testbed.ts';
import { installSshd, RELAY } from './standby-hosts.ts';

export interface FleetHost {
  alias: string;
  tb: Testbed;
}

export interface Fleet {
  dir: string;
  hosts: FleetHost[];
  /** ANSIBLE_CONFIG and friends for ansible-playbook / ansible-doc */
  env: Record<string, string>;
  inventory: string;
  /** ssh_config for `clawops --target ssh://ALIAS?config=...` */
  sshConfig: string;
  cleanup(): void;
}

/** Makes each testbed reachable by Ansible under its alias (fleet-1, fleet-2, ...); vars go to `all`. */
export async function wireFleet(tbs: readonly Testbed[], collections: string, vars: Record<string, unknown>): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-fleet-'));
  const key = join(dir, 'id_ed25519');
  const run = (argv: string[]) => {
    const r = spawnSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  };
  try {
    run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'clawops-fleet-test', '-f', key]);
    const pub = readFileSync(`${key}.pub`, 'utf8').trim();
    writeFileSync(join(dir, 'relay.cjs'), RELAY);
    const hosts = tbs.map((tb, i) => ({ alias: `fleet-${i + 1}`, tb }));
    const hostKeys = await Promise.all(hosts.map(async ({ tb }) => {
      await tb.executor.run(['sh', '-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 >/dev/null'], { timeoutMs: 300_000 });
      const hk = await installSshd(tb.executor);
      await tb.executor.run(['sh', '-c', `install -d -m 700 /root/.ssh && echo '${pub}' >> /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys`]);
      return hk;
    }));
    writeFileSync(join(dir, 'known_hosts'), hosts.map((h, i) => `${h.alias} ${hostKeys[i]}\n`).join(''));
    const sshConfig = join(dir, 'ssh_config');
    writeFileSync(sshConfig, hosts.map((h) => [
      `Host ${h.alias}`,
      '  User root',
      `  HostKeyAlias ${h.alias}`,
      `  IdentityFile ${key}`,
      '  IdentitiesOnly yes',
      '  BatchMode yes',
      '  StrictHostKeyChecking yes',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      `  ProxyCommand nsenter -t ${h.tb.leaderPid} -n ${process.execPath} ${join(dir, 'relay.cjs')} 127.0.0.1 22`,
      '',
    ].join('\n')).join(''));
    writeFileSync(join(dir, 'ansible.cfg'), [
      '[defaults]',
      'host_key_checking = True',
      'forks = 5',
      'interpreter_python = /usr/bin/python3',
      `collections_path = ${collections}`,
      `local_tmp = ${join(dir, 'ansible-local')}`,
      'retry_files_enabled = False',
      '[ssh_connection]',
      `ssh_args = -F ${sshConfig} -o ControlMaster=auto -o ControlPersist=60s`,
      `control_path = ${join(dir, 'cp-%%h')}`,
      'pipelining = True',
      '',
    ].join('\n'));
    const inventory = join(dir, 'inventory.yml');
    writeFileSync(inventory, stringify({ all: { vars, children: { gateways: { hosts: Object.fromEntries(hosts.map((h) => [h.alias, {}])) } } } }));
    const env = { ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_HOME: join(dir, 'ansible-home') };
    return {
      dir, hosts, env, inventory, sshConfig,
      cleanup: () => {
        for (const h of hosts) spawnSync('ssh', ['-F', sshConfig, '-o', `ControlPath=${join(dir, `cp-${h.alias}`)}`, '-O', 'exit', h.alias], { stdio: 'ignore', timeout: 10_000 });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** One task's result on one host, from the json callback's output. */
export interface TaskResult {
  task: string;
  host: string;
  result: Record<string, unknown>;
}

export interface PlayRun {
  code: number;
  stats: Record<string, { changed: number; failures: number; ok: number; skipped: number; unreachable: number }>;
  tasks: TaskResult[];
  raw: string;
  stderr: string;
  ms: number;
}

/** ansible-playbook with the json callback: per-host stats and every task's per-host result. */
export function playbook(fleet: Fleet, args: readonly string[], timeoutMs = 900_000): PlayRun {
  const t0 = Date.now();
  const r = spawnSync('ansible-playbook', ['-i', fleet.inventory, ...args], { encoding: 'utf8', timeout: timeoutMs, cwd: fleet.dir, env: { ...process.env, ...fleet.env }, maxBuffer: 64 * 1024 * 1024 });
  const ms = Date.now() - t0;
  const at = r.stdout.indexOf('{');
  let parsed: { stats?: PlayRun['stats']; plays?: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[] } = {};
  try {
    parsed = JSON.parse(r.stdout.slice(Math.max(0, at))) as typeof parsed;
  } catch {
    parsed = {};
  }
  const tasks = (parsed.plays ?? []).flatMap((p) => p.tasks.flatMap((t) => Object.entries(t.hosts).map(([host, result]) => ({ task: t.task.name, host, result }))));
  return { code: r.status ?? -1, stats: parsed.stats ?? {}, tasks, raw: r.stdout, stderr: r.stderr, ms };
}
