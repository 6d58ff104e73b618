import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClawopsError } from '../../src/core/errors.ts';
import { findContainerLeader } from '../../src/exec/nspawn.ts';
import { NPM_CACHE, nodeDistDir, npmPackageDir, pidAlive, pidStartTime, sh, sleep } from './host.ts';
import { OPENCLAW_BIN_LINK, OPENCLAW_BIN_TARGET, OPENCLAW_MOUNT } from './openclaw.ts';
import { type MachineState, machineDir, mountsUnder, nspawnAlive, readState, writeState } from './state.ts';

export interface BootSpec {
  name: string;
  /** read-only layers, topmost first (overlay lowerdir order); the last one is the base rootfs */
  layers: string[];
  persistent: boolean;
  docker: boolean;
  openclaw?: { version: string; dir: string };
  dockerImageTar?: string;
}

export const DOCKER_IMAGE_TAR_IN = '/var/cache/clawops-images/bookworm-slim.tar';
const CGROUP_V1 = ['blkio', 'pids', 'cpuset', 'memory', 'cpu', 'cpuacct', 'devices', 'freezer'];

/** Mounts the container's private writable root, starts systemd-nspawn, and waits for its PID 1. */
export async function bootMachine(spec: BootSpec): Promise<MachineState> {
  const dir = machineDir(spec.name);
  if (existsSync(dir)) throw new ClawopsError(`a testbed named ${spec.name} already exists`, { hint: 'pick another --name, or `npm run testbed -- down ' + spec.name + '`' });
  const root = join(dir, 'root');
  const state: MachineState = {
    name: spec.name, dir, root, overlay: true, layers: spec.layers, nspawnPid: 0, nspawnStart: 0, leaderPid: 0,
    ownerPid: process.pid, ownerStart: pidStartTime(process.pid) ?? 0, persistent: spec.persistent,
    docker: spec.docker, ...(spec.openclaw ? { openclaw: spec.openclaw.version } : {}), createdAt: new Date().toISOString(),
  };
  mkdirSync(join(dir, 'upper'), { recursive: true });
  mkdirSync(join(dir, 'work'));
  mkdirSync(root);
  writeState(state);
  const ov = await sh(
    ['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${spec.layers.join(':')},upperdir=${dir}/upper,workdir=${dir}/work`, root],
    { allowFailure: true },
  );
  if (ov.exitCode !== 0) {
    if (spec.layers.length > 1) throw new ClawopsError('overlayfs is not available here, and the Docker testbed needs it', { hint: ov.stderr.toString().trim() });
    state.overlay = false;
    await sh(['cp', '-a', '--reflink=auto', `${spec.layers[0]}/.`, root], { timeoutMs: 10 * 60_000 });
  }
  writeState(state);
  // a VPS has its own name in /etc/hostname (debootstrap copied this machine's)
  writeFileSync(join(root, 'etc/hostname'), `${spec.name}\n`);
  if (spec.openclaw) symlinkSync(OPENCLAW_BIN_TARGET, join(root, OPENCLAW_BIN_LINK.slice(1)));
  mkdirSync(NPM_CACHE, { recursive: true });
  mkdirSync(join(dir, 'npm-upper'));
  const binds = [
    `--bind-ro=${nodeDistDir()}/bin/node:/usr/local/bin/node`,
    `--bind-ro=${npmPackageDir()}:/usr/local/lib/node_modules/npm`,
    // npm cannot read a read-only cache: an overlay with this testbed's own upper keeps ours unchanged
    `--overlay=${NPM_CACHE}:${dir}/npm-upper:/var/cache/clawops-npm`,
    ...(spec.openclaw ? [`--bind-ro=${spec.openclaw.dir}:${OPENCLAW_MOUNT}`] : []),
  ];
  if (spec.docker) {
    mkdirSync(join(dir, 'docker-data'));
    binds.push(`--bind=${dir}/docker-data:/var/lib/docker`);
    if (spec.dockerImageTar) binds.push(`--bind-ro=${spec.dockerImageTar}:${DOCKER_IMAGE_TAR_IN}`);
  }
  const argv = [
    '-b', '-D', root, '--private-network', '--register=no', '--keep-unit', '--console=pipe', '-M', spec.name,
    ...(spec.docker ? ['--system-call-filter=add_key keyctl request_key'] : []),
    ...binds,
  ];
  const log = openSync(join(dir, 'console.log'), 'a');
  const child = spawn('systemd-nspawn', argv, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new ClawopsError('systemd-nspawn did not start', { hint: 'is systemd-container installed?' });
  state.nspawnPid = child.pid;
  state.nspawnStart = pidStartTime(child.pid) ?? 0;
  writeState(state);
  state.leaderPid = await waitForLeader(state);
  writeState(state);
  if (spec.docker) {
    for (const c of CGROUP_V1) {
      await sh(['nsenter', '-t', String(state.leaderPid), '-m', 'mount', '-o', 'remount,bind,rw', `/sys/fs/cgroup/${c}`], { allowFailure: true });
    }
  }
  return state;
}

async function waitForLeader(state: MachineState): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!pidAlive(state.nspawnPid)) {
      throw new ClawopsError(`systemd-nspawn for ${state.name} exited during boot`, { hint: consoleTail(state) });
    }
    const leader = findContainerLeader(state.name);
    if (leader !== undefined) return leader;
    await sleep(50);
  }
  throw new ClawopsError(`the container ${state.name} has no PID 1 after 30 s`, { hint: consoleTail(state) });
}

export function consoleTail(state: MachineState, lines = 15): string {
  try {
    return readFileSync(join(state.dir, 'console.log'), 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no console log)';
  }
}

/** Powers off (then kills, after a bound) the container, unmounts and removes everything of it. */
export async function destroyMachine(name: string): Promise<void> {
  const state = readState(name);
  const dir = machineDir(name);
  if (state && nspawnAlive(state)) {
    const leader = findContainerLeader(name);
    if (leader !== undefined) {
      await sh(['nsenter', '-t', String(leader), '-a', 'systemctl', 'poweroff', '--no-block'], { allowFailure: true, timeoutMs: 10_000 });
    }
    if (!(await waitGone(state, 15_000))) {
      process.kill(state.nspawnPid, 'SIGKILL');
      if (!(await waitGone(state, 10_000))) throw new ClawopsError(`systemd-nspawn ${state.nspawnPid} of ${name} does not die`, { hint: 'look at it with ps' });
    }
  }
  await removeMachineDir(dir);
}

async function waitGone(state: MachineState, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!nspawnAlive(state)) return true;
    await sleep(100);
  }
  return !nspawnAlive(state);
}

async function removeMachineDir(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) {
    const r = await sh(['umount', m], { allowFailure: true });
    if (r.exitCode !== 0) await sh(['umount', '-l', m], { allowFailure: true });
  }
  const left = mountsUnder(dir);
  if (left.length > 0) {
    throw new ClawopsError(`cannot unmount ${left.join(', ')}`, { hint: 'something still uses it: find it with `fuser -m`' });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The same, synchronously, for process exit: SIGKILL the nspawn this process started, unmount, remove. */
export function destroyMachineSync(name: string): void {
  const state = readState(name);
  const dir = machineDir(name);
  if (state && nspawnAlive(state)) {
    // SIGKILL of the container's PID 1 ends everything in its PID namespace; then nspawn exits
    const leader = findContainerLeader(name);
    if (leader !== undefined) process.kill(leader, 'SIGKILL');
    const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    const until = Date.now() + 5_000;
    while ((nspawnAlive(state) || (leader !== undefined && pidAlive(leader))) && Date.now() < until) pause();
    if (nspawnAlive(state)) process.kill(state.nspawnPid, 'SIGKILL');
    const until2 = Date.now() + 5_000;
    while (nspawnAlive(state) && Date.now() < until2) pause();
  }
  for (const m of mountsUnder(dir)) {
    spawnSyncQuiet(['umount', m]);
    if (mountsUnder(dir).includes(m)) spawnSyncQuiet(['umount', '-l', m]);
  }
  if (mountsUnder(dir).length === 0) rmSync(dir, { recursive: true, force: true });
}

function spawnSyncQuiet(argv: string[]): void {
  spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', timeout: 10_000 });
}
