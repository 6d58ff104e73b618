/**
 * The testbed by hand: a fresh Debian bookworm "VPS" under systemd-nspawn to point clawops at.
 *
 *   npm run testbed -- up [--openclaw 2026.9.6|2026.2.9] [--docker] [--name N]
 *   npm run testbed -- shell N [-- command ...]
 *   npm run testbed -- status
 *   npm run testbed -- down N | --all
 */
import { spawnSync } from 'node:child_process';
import { Command, Option } from 'commander';
import { ClawopsError, causeChain } from '../src/core/errors.ts';
import { findContainerLeader } from '../src/exec/nspawn.ts';
import { listTestbeds, startTestbed, stopTestbed, sweepStale } from '../test/testbed/index.ts';
import { OPENCLAW_VERSIONS, type TestbedOpenclawVersion } from '../test/testbed/openclaw.ts';
import { testbedPrerequisites } from '../test/testbed/prereq.ts';
import { nspawnAlive } from '../test/testbed/state.ts';

const say = (s: string) => process.stdout.write(`${s}\n`);
const CONTAINER_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'LANG=C.UTF-8'];

function requireHost(): void {
  const missing = testbedPrerequisites();
  if (missing) throw new ClawopsError(`the testbed cannot run here: ${missing}`, { hint: 'run as root; bash scripts/install-test-deps.sh installs the tools' });
}

const program = new Command('testbed')
  .description('A disposable Debian bookworm host under systemd-nspawn (private network, systemd as PID 1) to try clawops on.')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Inside: Debian 12 with systemd as PID 1, only lo (no network), Node 24 (node, npm, npx), an offline
apt repository with the runbooks' packages (apt-get install works, nothing of it pre-installed), an
offline npm cache at /var/cache/clawops-npm, and with --openclaw a read-only OpenClaw install.
Needs root, systemd-container and debootstrap. Caches live in .cache/ (delete it to rebuild).

Examples:
  npm run testbed -- up --openclaw 2026.9.6 --name demo
  npx clawops --target nspawn:demo check
  npm run testbed -- shell demo -- systemctl is-system-running
  npm run testbed -- down demo`,
  );

program
  .command('up')
  .description('build (first time only, cached in .cache/) and boot a testbed; it runs until `down`')
  .addOption(new Option('--openclaw <version>', 'bind a prebuilt OpenClaw install inside (openclaw on PATH)').choices([...OPENCLAW_VERSIONS]))
  .option('--docker', 'a real Docker engine inside (docker.io, image debian:bookworm-slim)', false)
  .option('--name <name>', 'machine name (default tb-<random>)')
  .action(async (o: { openclaw?: TestbedOpenclawVersion; docker: boolean; name?: string }) => {
    requireHost();
    const tb = await startTestbed({
      persistent: true, docker: o.docker, ...(o.openclaw ? { openclaw: o.openclaw } : {}), ...(o.name ? { name: o.name } : {}),
      log: (l) => process.stderr.write(`${l}\n`),
    });
    say(`testbed ${tb.name} is ${tb.systemState}${tb.failedUnits.length ? ` (failed: ${tb.failedUnits.join(', ')})` : ''}`);
    say(`  booted in ${tb.timings.bootToRunningMs} ms; root ${tb.rootfs}; PID 1 is ${tb.leaderPid}`);
    if (tb.openclawVersion) say(`  openclaw ${tb.openclawVersion} at /usr/local/bin/openclaw`);
    say(`reach it:`);
    say(`  npx clawops --target nspawn:${tb.name} <command>`);
    say(`  npm run testbed -- shell ${tb.name}            (a root shell inside)`);
    say(`  npm run testbed -- shell ${tb.name} -- CMD ... (run one command)`);
    say(`  npm run testbed -- down ${tb.name}             (power off and remove it)`);
  });

program
  .command('down')
  .description('power off and remove a testbed; --all removes every testbed not in use by a running test')
  .argument('[name]', 'the testbed to remove')
  .option('--all', 'all testbeds started with `up`, and leftovers of interrupted runs', false)
  .action(async (name: string | undefined, o: { all: boolean }) => {
    requireHost();
    if (!name && !o.all) throw new ClawopsError('down needs a testbed name or --all', { hint: 'see `npm run testbed -- status`' });
    const names = o.all
      ? listTestbeds().filter((t) => t.stale || t.state?.persistent || !t.state).map((t) => t.name)
      : [name as string];
    if (name && !o.all && !listTestbeds().some((t) => t.name === name)) {
      throw new ClawopsError(`no testbed named ${name}`, { hint: 'see `npm run testbed -- status`' });
    }
    for (const n of names) {
      await stopTestbed(n);
      say(`removed ${n}`);
    }
    if (o.all) for (const n of await sweepStale()) say(`removed leftover ${n}`);
    if (names.length === 0 && !o.all) say('nothing to remove');
  });

program
  .command('shell')
  .description('a root shell inside a testbed (nsenter); with `-- CMD ...` runs that command and exits with its code')
  .argument('<name>', 'the testbed')
  .argument('[command...]', 'command to run instead of a shell')
  .action((name: string, command: string[]) => {
    requireHost();
    const leader = findContainerLeader(name);
    if (leader === undefined) throw new ClawopsError(`no running testbed named ${name}`, { hint: 'see `npm run testbed -- status`' });
    const tty = process.stdin.isTTY ? [`TERM=${process.env['TERM'] ?? 'xterm'}`] : [];
    const argv = command.length ? command : ['/bin/bash', '-l'];
    const r = spawnSync('nsenter', ['-t', String(leader), '-a', '--', 'env', '-i', '-C', '/root', ...CONTAINER_ENV, ...tty, ...argv], { stdio: 'inherit' });
    process.exitCode = r.status ?? 1;
  });

program
  .command('status')
  .description('list testbeds on this machine')
  .action(() => {
    const all = listTestbeds();
    if (all.length === 0) {
      say('no testbeds');
      return;
    }
    for (const t of all) {
      const s = t.state;
      const alive = s ? nspawnAlive(s) : false;
      const what = [s?.openclaw ? `openclaw ${s.openclaw}` : '', s?.docker ? 'docker' : '', s?.persistent ? 'up' : `test pid ${s?.ownerPid}`].filter(Boolean).join(', ');
      say(`${t.name}\t${alive ? 'running' : 'stopped'}${t.stale ? ' (leftover)' : ''}\t${what}\t${s?.createdAt ?? ''}`);
    }
  });

try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (e) {
  process.stderr.write(`testbed: ${e instanceof Error ? e.message : String(e)}\n`);
  if (e instanceof ClawopsError && e.hint) process.stderr.write(`  hint: ${e.hint}\n`);
  if (process.env['DEBUG']) for (const l of causeChain(e)) process.stderr.write(`  ${l}\n`);
  process.exitCode = 1;
}
