/**
 * Spec validation under hostile input: how long the loader takes (read, strict UTF-8, bounded YAML,
 * schema, rules) on the example spec, a 20k-key map (valid, and as 20k unknown keys), an alias bomb,
 * a file just under and one over 1 MiB, and nesting 10,000 deep. Each is printed beside the example
 * spec and beside what the previous loader did with the same text (yaml's parseDocument with its
 * pairwise duplicate-key check and toJS, then the schema), which is what a user would otherwise run.
 * Figures and ratios only; never pass/fail.
 *
 *   node bench/spec.bench.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { exampleSpec } from '../src/desired/example.ts';
import { readSpec } from '../src/desired/load.ts';
import { Spec } from '../src/desired/schema.ts';
import { ratio } from './lib.ts';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

interface Timing {
  cpuMs: number;
  wallMs: number;
  outcome: string;
}

async function time(f: () => Promise<string> | string, runs = RUNS): Promise<Timing> {
  const cpu: number[] = [];
  const wall: number[] = [];
  let outcome = '';
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    outcome = await f();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - w0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { cpuMs: median(cpu), wallMs: median(wall), outcome };
}

/** The loader before the bounds: yaml's own duplicate-key check and alias handling, then the schema. */
function previousLoader(text: string): string {
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) return `YAML error: ${doc.errors[0]?.message.split('\n')[0]}`;
    const r = Spec.safeParse(doc.toJS() ?? {});
    return r.success ? 'valid' : `${r.error.issues.length} issues`;
  } catch (err) {
    return `threw ${(err as Error).name}: ${(err as Error).message.slice(0, 60)}`;
  }
}

function bomb(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const c of 'bcdefghi') {
    text += `${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = c;
  }
  return text;
}

const keys = (n: number, indent: string) => Array.from({ length: n }, (_, i) => `${indent}k${i}: 1`).join('\n');
const patterns = (bytes: number) => {
  const line = `    - "token-[A-Za-z0-9]{32}-${'x'.repeat(40)}"\n`;
  return `gateway:\n  redactPatterns:\n${line.repeat(Math.floor((bytes - 40) / line.length))}`;
};

const cases: [string, string][] = [
  ['example spec (spec init)', exampleSpec()],
  ['20k-key map (docker.daemon, valid)', `docker:\n  daemon:\n${keys(20_000, '    ')}\n`],
  ['20k unknown keys', `${keys(20_000, '')}\n`],
  ['alias bomb (9^9)', bomb()],
  ['just under 1 MiB (valid)', patterns(1024 * 1024 - 100)],
  ['over 1 MiB', patterns(1024 * 1024 + 4096)],
  ['nested 64 deep (the limit)', `docker:\n  daemon:\n    x: ${'['.repeat(61)}${']'.repeat(61)}\n`],
  ['nested 10,000 deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}\n`],
];

const dir = mkdtempSync(join(tmpdir(), 'clawops-spec-bench-'));
// no cache: every run reads, decodes, parses and validates (a cache hit skips all of it)
for (const v of ['CLAWOPS_CACHE_DIR', 'CACHE_DIRECTORY', 'XDG_CACHE_HOME', 'HOME']) delete process.env[v];
try {
  let base = 0;
  const warm = join(dir, 'warm.yaml');
  writeFileSync(warm, exampleSpec());
  for (let i = 0; i < 20; i++) {
    await readSpec(warm);
    previousLoader(exampleSpec());
  }
  console.log(`spec validation, median of ${RUNS} (CPU ms / wall ms); ` +
    '"before" is the loader without the bounds (once for the big files)');
  for (const [i, [name, text]] of cases.entries()) {
    const file = join(dir, `case-${i}.yaml`);
    writeFileSync(file, text);
    const ours = await time(async () => {
      const r = await readSpec(file);
      return r.ok ? 'valid' : `${r.problems.length} problem(s): ${r.problems[0]?.message.slice(0, 70)}`;
    });
    if (i === 0) base = ours.cpuMs;
    const before = await time(() => previousLoader(text), text.length > 100_000 ? 1 : RUNS);
    console.log(`${name} (${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB)`);
    console.log(`  clawops ${ours.cpuMs.toFixed(1)} / ${ours.wallMs.toFixed(1)} ms -> ${ours.outcome}`);
    console.log(`  vs example spec ${ratio(ours.cpuMs, base)}; vs before ${before.cpuMs.toFixed(1)} ms CPU ` +
      `(${ratio(ours.cpuMs, before.cpuMs)}) -> ${before.outcome}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
