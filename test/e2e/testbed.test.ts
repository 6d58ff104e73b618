/**
 * The testbed itself: a fresh Debian bookworm "VPS" under systemd-nspawn that boots to
 * `running`, with Node 24, OpenClaw, an offline apt repository and an offline npm cache inside,
 * and that leaves nothing behind when stopped or when its test process is interrupted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { findContainerLeader, nspawnExecutor } from '../../src/exec/nspawn.ts';
import { parseVersion } from '../../src/openclaw/versions.ts';
import { pidAlive } from '../testbed/host.ts';
import { sweepStale } from '../testbed/index.ts';
import { machineDir, mountsUnder, readState } from '../testbed/state.ts';
import { type Testbed, startTestbed, testbedSkipReason, timingsLine } from '../helpers/testbed.ts';

function assertGone(name: string, rootfs: string, pids: number[]): void {
  assert.deepEqual(mountsUnder(machineDir(name)), [], 'no mount left');
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(rootfs), 'rootfs not mounted');
  for (const pid of pids) assert.equal(pidAlive(pid), false, `process ${pid} is gone`);
  assert.equal(findContainerLeader(name), undefined, 'no container by that name');
  assert.equal(existsSync(machineDir(name)), false, 'its directory is removed');
}

describe('testbed with OpenClaw 2026.9.6', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  before(async () => {
    tb = await startTestbed({ openclaw: '2026.9.6' });
  });
  after(() => tb?.stop());

  test('boots to running; systemctl is-system-running --wait through the executor', async (t) => {
    t.diagnostic(timingsLine(tb));
    assert.equal(tb.systemState, 'running', `failed units: ${tb.failedUnits.join(', ')}`);
    const r = await tb.executor.run(['systemctl', 'is-system-running', '--wait'], { timeoutMs: 30_000, allowFailure: true });
    const failed = await tb.executor.run(['systemctl', 'list-units', '--failed', '--plain', '--no-legend'], { allowFailure: true });
    assert.equal(r.stdout.trim(), 'running', `exit ${r.exitCode}; failed units: ${failed.stdout}${r.stderr}`);
    assert.equal(findContainerLeader(tb.name), tb.leaderPid);
    assert.equal(readFileSync(`/proc/${tb.leaderPid}/comm`, 'utf8').trim(), 'systemd');
    assert.match(readFileSync(`/proc/${tb.leaderPid}/status`, 'utf8'), new RegExp(`^NSpid:\\s+${tb.leaderPid}\\s+1$`, 'm'), 'PID 1 of its own namespace');
    const inside = await tb.executor.run(['readlink', '/proc/self/ns/pid']);
    assert.notEqual(inside.stdout.trim(), readlinkSync('/proc/self/ns/pid'), 'commands run in the container, not on this machine');
    const os = await tb.executor.readFile('/etc/os-release');
    assert.match(os?.toString() ?? '', /^VERSION_CODENAME=bookworm$/m);
  });

  test('openclaw --version inside is the bound install, on PATH', async () => {
    const r = await tb.executor.run(['openclaw', '--version'], { timeoutMs: 60_000 });
    assert.equal(parseVersion(r.stdout)?.raw, '2026.9.6');
    assert.equal(tb.openclawVersion, '2026.9.6');
    assert.equal((await tb.executor.run(['sh', '-c', 'command -v openclaw'])).stdout.trim(), '/usr/local/bin/openclaw');
    const write = await tb.executor.run(['touch', '/opt/clawops-openclaw/x'], { allowFailure: true });
    assert.notEqual(write.exitCode, 0, 'the install is read-only inside');
  });

  test('Node 24 with npm and npx inside', async () => {
    const r = await tb.executor.run(['sh', '-c', 'node --version; npm --version; npx --version; node -e "require(\'node:sqlite\'); console.log(\'sqlite\')"']);
    const [node, npm, npx, sqlite] = r.stdout.trim().split('\n');
    assert.match(node ?? '', /^v24\./);
    assert.match(npm ?? '', /^\d+\.\d+\.\d+$/);
    assert.equal(npx, npm);
    assert.equal(sqlite, 'sqlite');
  });

  test('apt-get install works offline from the local repository only', async () => {
    const ex = tb.executor;
    const sources = await ex.run(['sh', '-c', 'cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | grep -v "^#" | grep .']);
    assert.equal(sources.stdout.trim(), 'deb [trusted=yes] file:/var/local/clawops-apt ./');
    const installed = async (pkg: string) =>
      (await ex.run(['dpkg-query', '-W', '-f', '${Status}', pkg], { allowFailure: true })).stdout.includes('ok installed');
    assert.equal(await installed('jq'), false, 'jq is not pre-installed');
    assert.equal(await installed('openssh-server'), false, 'a fresh VPS image: sshd comes from apply');
    assert.equal(await installed('sudo'), true, 'sudo is there, as on cloud images');
    const noNet = await ex.run(['sh', '-c', 'ip -o route get 1.1.1.1'], { allowFailure: true });
    assert.notEqual(noNet.exitCode, 0, 'no route out of the container');
    await ex.run(['apt-get', 'update', '-q'], { timeoutMs: 60_000 });
    await ex.run(['apt-get', 'install', '-y', '-q', 'jq'], { env: { DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 120_000 });
    assert.equal(await installed('jq'), true);
    const jq = await ex.run(['jq', '-c', '.a'], { stdin: '{"a":[1,2]}' });
    assert.equal(jq.stdout, '[1,2]\n');
    const policy = await ex.run(['apt-cache', 'policy', 'docker.io', 'ufw', 'restic', 'iptables-persistent']);
    assert.doesNotMatch(policy.stdout, /Candidate: \(none\)/, 'every baseline package is installable');
  });

  test('stop() powers off and leaves no mount, no process, no directory (idempotent)', async () => {
    const { name, rootfs, leaderPid, nspawnPid } = tb;
    assert.ok(existsSync(machineDir(name)));
    await tb.stop();
    assertGone(name, rootfs, [leaderPid, nspawnPid]);
    await tb.stop();
    await assert.rejects(nspawnExecutor(name).run(['true']), /no running container/);
  });
});

describe('testbed cleanup when its test process is interrupted', { skip: testbedSkipReason() }, () => {
  const child = `
    import { startTestbed } from ${JSON.stringify(new URL('../testbed/index.ts', import.meta.url).href)};
    const tb = await startTestbed();
    process.stdout.write(JSON.stringify({ name: tb.name, rootfs: tb.rootfs, pids: [tb.leaderPid, tb.nspawnPid] }) + '\\n');
    setInterval(() => {}, 1000);
  `;
  async function startChild(): Promise<{ proc: ReturnType<typeof spawn>; tb: { name: string; rootfs: string; pids: number[] } }> {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('child testbed did not start in 120 s')), 120_000);
      proc.stdout?.on('data', (b: Buffer) => {
        buf += b.toString();
        if (buf.includes('\n')) {
          clearTimeout(timer);
          resolve(buf.split('\n')[0] ?? '');
        }
      });
      proc.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    return { proc, tb: JSON.parse(line) };
  }
  const exited = (proc: ReturnType<typeof spawn>) => new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.on('exit', () => r())));

  test('SIGTERM to the test process removes its testbed', async () => {
    const { proc, tb } = await startChild();
    assert.ok(readState(tb.name), 'running testbed has state');
    proc.kill('SIGTERM');
    await exited(proc);
    assertGone(tb.name, tb.rootfs, tb.pids);
  });

  test('after SIGKILL, the next start sweeps the leftover away', async () => {
    const { proc, tb } = await startChild();
    proc.kill('SIGKILL');
    await exited(proc);
    assert.ok(existsSync(machineDir(tb.name)), 'SIGKILL leaves it behind');
    const removed = await sweepStale();
    assert.ok(removed.includes(tb.name), `swept: ${removed.join(', ')}`);
    assertGone(tb.name, tb.rootfs, tb.pids);
  });
});

describe('testbed with a Docker engine inside', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  before(async () => {
    tb = await startTestbed({ docker: true });
  });
  after(() => tb?.stop());

  test('docker run --network none --read-only works inside', async (t) => {
    t.diagnostic(timingsLine(tb));
    const ex = tb.executor;
    assert.equal((await ex.run(['systemctl', 'is-active', 'docker.service'])).stdout.trim(), 'active');
    const info = await ex.run(['docker', 'info', '--format', '{{.Driver}}']);
    assert.equal(info.stdout.trim(), 'overlay2');
    const r = await ex.run(
      ['docker', 'run', '--rm', '--network', 'none', '--read-only', 'debian:bookworm-slim', 'sh', '-c', 'cat /etc/debian_version; ip link 2>/dev/null; cat /sys/class/net/*/operstate; touch /x 2>&1 || true'],
      { timeoutMs: 60_000 },
    );
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^12\./, 'a bookworm image');
    assert.match(r.stdout, /Read-only file system/);
    const nets = await ex.run(['docker', 'run', '--rm', '--network', 'none', 'debian:bookworm-slim', 'ls', '/sys/class/net']);
    assert.equal(nets.stdout.trim(), 'lo', 'no network but loopback');
  });
});
