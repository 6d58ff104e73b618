import { dirname } from 'node:path';
import { spawnSync } from 'node:child_process';

export interface Measurement {
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  exitCode: number | null;
}

/** Wall time, user+system CPU time and peak RSS of a command (and its children), via GNU time. */
export function measure(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Measurement {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %U %S %M', ...argv], {
    encoding: 'utf8',
    env: opts.env ?? process.env,
    input: opts.input ?? '',
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  const line = (r.stderr ?? '').split('\n').reverse().find((l) => l.startsWith('@@time '));
  if (!line) throw new Error(`no timing for ${argv.join(' ')}: ${r.error?.message ?? r.stderr}`);
  const [user = '0', sys = '0', rss = '0'] = line.slice(7).trim().split(' ');
  return { wallMs, cpuMs: (Number(user) + Number(sys)) * 1000, maxRssKb: Number(rss), exitCode: r.status };
}

export function ratio(a: number, b: number): string {
  return b === 0 ? 'n/a' : `${(a / b).toFixed(3)}x`;
}

/** One result line: name, value, baseline, ratio, and whether the target was met. */
export function report(name: string, ours: number, theirs: number, unit: string, target: { max: number }): boolean {
  const r = theirs === 0 ? Infinity : ours / theirs;
  const ok = r <= target.max;
  console.log(
    `${ok ? 'PASS' : 'MISS'} ${name}: clawops ${ours.toFixed(1)} ${unit} vs ${theirs.toFixed(1)} ${unit} -> ${r.toFixed(3)}x (target <= ${target.max}x)`,
  );
  return ok;
}

let built = false;
/**
 * clawops as it ships: `dist/cli.js` (built here once) run through its own shebang, so the node
 * flags it carries apply, with this Node first on PATH and a private cache directory.
 */
export function shippedCli(cacheDir: string): { argv: string[]; env: NodeJS.ProcessEnv } {
  if (!built) {
    const r = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed');
    built = true;
  }
  return {
    argv: ['dist/cli.js'],
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, CLAWOPS_CACHE_DIR: cacheDir },
  };
}
