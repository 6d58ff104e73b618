import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ClawopsError } from '../../src/core/errors.ts';
import { findNspawnPid, nspawnExecutor } from '../../src/exec/nspawn.ts';
import type { Executor } from '../../src/exec/types.ts';
import { parseVersion } from '../../src/openclaw/versions.ts';
import { removeUnmounted } from './cache.ts';
import { dockerLayerDir, ensureDockerLayer } from './docker-layer.ts';
import { TESTBED_CACHE, pidAlive, sleep } from './host.ts';
import { DOCKER_IMAGE_TAR_IN, bootMachine, consoleTail, destroyMachine, destroyMachineSync } from './machine.ts';
import { ensureOpenclaw } from './openclaw.ts';
import { baseRootfsDir, debootstrapDir, ensureBaseRootfs } from './rootfs.ts';
import { isStale, listMachineNames, machineDir, readState } from './state.ts';
import { testbedPrerequisites } from './prereq.ts';

export interface TestbedOptions {
  /** default false: no OpenClaw inside */
  openclaw?: '2026.9.6' | '2026.2.9' | false;
  /** a real Docker engine inside (docker.io), default false */
  docker?: boolean;
  /** machine name (default: tb-<random>) */
  name?: string;
  /** outlive this process until `npm run testbed -- down NAME` (the CLI's `up`) */
  persistent?: boolean;
  /** progress lines (builds, boot); default: none */
  log?: (line: string) => void;
}

export interface TestbedTimings {
  rootfsMs: number;
  rootfsBuilt: boolean;
  openclawMs?: number;
  openclawBuilt?: boolean;
  dockerLayerMs?: number;
  dockerLayerBuilt?: boolean;
  bootToRunningMs: number;
  dockerReadyMs?: number;
}

export interface Testbed {
  /** machine name; `--target nspawn:<name>` reaches it */
  name: string;
  /** nspawn executor into it */
  executor: Executor;
  /** the container's PID 1 as seen from this machine */
  leaderPid: number;
  /** the systemd-nspawn process started for it */
  nspawnPid: number;
  /** host path of the container's root (its private writable copy) */
  rootfs: string;
  openclawVersion?: string;
  /** how long each step took (cached steps are fast) */
  timings: TestbedTimings;
  /** `systemctl is-system-running` after boot: running (or degraded, with failedUnits) */
  systemState: string;
  failedUnits: string[];
  /** power off and remove everything (idempotent) */
  stop(): Promise<void>;
}

/** undefined when the testbed can run; else why not. With CI set it never returns a reason. */
export function testbedSkipReason(): string | undefined {
  if (process.env['CI']) return undefined;
  const missing = testbedPrerequisites();
  return missing ? `testbed unavailable: ${missing}` : undefined;
}

const live = new Set<string>();
let handlersInstalled = false;
let swept = false;

export async function startTestbed(opts: TestbedOptions = {}): Promise<Testbed> {
  const missing = testbedPrerequisites();
  if (missing) {
    throw new ClawopsError(`cannot start a testbed: ${missing}`, {
      hint: 'run as root with systemd-container and debootstrap installed (bash scripts/install-test-deps.sh)',
    });
  }
  const log = opts.log ?? (() => {});
  if (!swept) {
    swept = true;
    await sweepStale(log);
  }
  const name = opts.name ?? `tb-${randomBytes(4).toString('hex')}`;
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(name)) {
    throw new ClawopsError(`invalid testbed name ${name}`, { hint: 'use lowercase letters, digits and dashes' });
  }
  // the rootfs (+ Docker layer) and the OpenClaw install are independent: prepare them at once
  const [images, o] = await Promise.all([
    (async () => {
      const base = await ensureBaseRootfs(log);
      return { base, docker: opts.docker ? await ensureDockerLayer(base.dir, log) : undefined };
    })(),
    opts.openclaw ? ensureOpenclaw(opts.openclaw, log) : undefined,
  ]);
  const { base, docker } = images;
  const timings: TestbedTimings = { rootfsMs: base.ms, rootfsBuilt: base.built, bootToRunningMs: 0 };
  const layers = docker ? [docker.upper, base.dir] : [base.dir];
  const imageTar = docker?.imageTar;
  if (docker) Object.assign(timings, { dockerLayerMs: docker.ms, dockerLayerBuilt: docker.built });
  let oc: { version: string; dir: string } | undefined;
  if (opts.openclaw && o) {
    Object.assign(timings, { openclawMs: o.ms, openclawBuilt: o.built });
    oc = { version: opts.openclaw, dir: o.dir };
  }
  // checked before anything is created: the cleanup below must never touch another testbed
  if (existsSync(machineDir(name)) || findNspawnPid(name) !== undefined) {
    throw new ClawopsError(`a testbed named ${name} already exists`, { hint: `pick another name, or \`npm run testbed -- down ${name}\`` });
  }
  installHandlers();
  live.add(name);
  const t0 = performance.now();
  try {
    const state = await bootMachine({
      name, layers, persistent: opts.persistent ?? false, docker: opts.docker ?? false,
      ...(oc ? { openclaw: oc } : {}), ...(imageTar ? { dockerImageTar: imageTar } : {}),
    });
    const executor = nspawnExecutor(name);
    const systemState = await waitSystemRunning(executor);
    timings.bootToRunningMs = Math.round(performance.now() - t0);
    let failedUnits: string[] = [];
    if (systemState !== 'running') {
      const failed = await executor.run(['systemctl', 'list-units', '--failed', '--plain', '--no-legend'], { allowFailure: true });
      failedUnits = failed.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean);
      if (systemState !== 'degraded') {
        throw new ClawopsError(`testbed ${name} did not boot: systemctl is-system-running says "${systemState}"`, { hint: consoleTail(state) });
      }
      log(`testbed ${name}: degraded; failed units: ${failedUnits.join(', ')}`);
    }
    if (opts.docker) timings.dockerReadyMs = await dockerReady(executor);
    let openclawVersion: string | undefined;
    if (oc) {
      const v = await executor.run(['openclaw', '--version'], { timeoutMs: 60_000 });
      openclawVersion = parseVersion(v.stdout)?.raw;
    }
    log(`testbed ${name}: running after ${timings.bootToRunningMs} ms`);
    if (opts.persistent) live.delete(name); // outlives this process: `down` removes it
    return {
      name, executor, leaderPid: state.leaderPid, nspawnPid: state.nspawnPid, rootfs: state.root,
      ...(openclawVersion ? { openclawVersion } : {}), timings, systemState, failedUnits,
      stop: () => stopTestbed(name),
    };
  } catch (e) {
    await stopTestbed(name).catch(() => {});
    throw e;
  }
}

/**
 * `systemctl is-system-running --wait` until it answers: right after PID 1 starts its socket is
 * not there yet and systemctl says "offline". Bounded to 90 s.
 */
async function waitSystemRunning(ex: Executor): Promise<string> {
  const deadline = Date.now() + 90_000;
  let state = '';
  while (Date.now() < deadline) {
    const r = await ex.run(['systemctl', 'is-system-running', '--wait'], { allowFailure: true, timeoutMs: 90_000 });
    state = r.stdout.trim();
    if (state !== 'offline' && state !== '' && state !== 'unknown') return state;
    await sleep(100);
  }
  return state;
}

/** Docker's API answers and the base image is imported; returns ms taken. */
async function dockerReady(ex: Executor): Promise<number> {
  const t0 = performance.now();
  await ex.run(['systemctl', 'reset-failed', 'docker.service', 'docker.socket'], { allowFailure: true });
  await ex.run(['systemctl', 'start', 'docker.service'], { timeoutMs: 90_000 });
  const has = await ex.run(['docker', 'image', 'inspect', 'debian:bookworm-slim'], { allowFailure: true });
  if (has.exitCode !== 0) await ex.run(['docker', 'import', DOCKER_IMAGE_TAR_IN, 'debian:bookworm-slim'], { timeoutMs: 120_000 });
  return Math.round(performance.now() - t0);
}

export async function stopTestbed(name: string): Promise<void> {
  await destroyMachine(name);
  live.delete(name);
}

/** Running testbeds (state files under .cache/testbed/machines). */
export function listTestbeds() {
  return listMachineNames().map((n) => ({ name: n, state: readState(n), stale: isStale(n) }));
}

/** Removes leftovers: testbeds whose container or owner is gone, and builds whose builder died. */
export async function sweepStale(log: (s: string) => void = () => {}): Promise<string[]> {
  const removed: string[] = [];
  for (const n of listMachineNames()) {
    if (live.has(n) || !isStale(n)) continue;
    log(`testbed: removing leftover ${n}`);
    await destroyMachine(n);
    removed.push(n);
  }
  if (existsSync(TESTBED_CACHE)) {
    const current = currentArtifacts();
    const states = listMachineNames().map(readState);
    // a testbed whose layers are unknown might use any cache entry: then prune nothing
    const layers = states.every((st) => st?.layers) ? states.flatMap((st) => st?.layers ?? []) : undefined;
    for (const e of readdirSync(TESTBED_CACHE)) {
      const path = join(TESTBED_CACHE, e);
      const pid = Number(/\.tmp-(\d+)$/.exec(e)?.[1]);
      const outdated =
        /^(base|docker|debootstrap)-[0-9a-f]{12}$/.test(e) &&
        !current.has(e) &&
        layers !== undefined &&
        !layers.some((l) => l === path || l.startsWith(`${path}/`));
      if ((pid && !pidAlive(pid)) || outdated) {
        log(`testbed: removing ${pid ? 'an interrupted build' : 'an outdated cache'} ${e}`);
        await removeUnmounted(path);
        removed.push(e);
      }
    }
  }
  return removed;
}

/** Cache entries of the current recipes (older ones are removed once no testbed uses them). */
function currentArtifacts(): Set<string> {
  const base = baseRootfsDir();
  return new Set([base, dockerLayerDir(base), debootstrapDir()].map((p) => p.split('/').pop() ?? ''));
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const n of live) destroyMachineSync(n);
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const n of live) destroyMachineSync(n);
      live.clear();
      process.kill(process.pid, sig);
    });
  }
}
