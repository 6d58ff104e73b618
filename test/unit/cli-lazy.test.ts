/**
 * The every-minute health check loads only what it needs: with the spec already validated (the
 * timer's steady state), neither the YAML parser, the schema library nor the JSON5 parser is
 * loaded. Run in child processes, because this test process has loaded everything already.
 * The target is this machine through the local executor: the health probes only read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROGRAM = new URL('../../src/cli/program.ts', import.meta.url).href;
const RUNTIME = new URL('../../src/cli/runtime.ts', import.meta.url).href;

/** Run the CLI in a child; returns its exit code and the packages it loaded. */
function run(args: string[], env: NodeJS.ProcessEnv): { code: number; packages: string[] } {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve(s, c, next) { const r = next(s, c); const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url); if (m) seen.add(m[1]); return r; } });
    const { runCli } = await import(${JSON.stringify(PROGRAM)});
    const { processRuntime } = await import(${JSON.stringify(RUNTIME)});
    const rt = { ...processRuntime(), out() {} };
    const code = await runCli(${JSON.stringify(args)}, rt);
    process.stderr.write('@@' + JSON.stringify({ code, packages: [...seen].sort() }) + '\\n');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@'));
  assert.ok(line, `child failed: ${r.stderr}`);
  return JSON.parse(line.slice(2)) as { code: number; packages: string[] };
}

test('a warm health check loads neither yaml, zod nor json5; a cold one parses the spec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-lazy-'));
  try {
    const spec = join(dir, 'clawops.yaml');
    // a port nothing listens on, and a waivers file that does not exist: the checks fail or are unknown, which is fine here
    writeFileSync(spec, `instances: [{name: lazy, port: 1}]\nmonitoring: {waiversFile: ${join(dir, 'none.yaml')}}\n`);
    const env = { CLAWOPS_CACHE_DIR: join(dir, 'cache') };
    const args = ['-f', spec, '--target', 'local', 'check', '--profile', 'health', '--format', 'json'];
    const cold = run(args, env);
    assert.ok(cold.packages.includes('yaml') && cold.packages.includes('zod'), `cold run loaded ${cold.packages.join(', ')}`);
    const warm = run(args, env);
    assert.equal(warm.code, cold.code);
    assert.deepEqual(warm.packages, ['commander']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`--help` still lists every command, and a command loads only its own module tree', () => {
  const help = spawnSync(process.execPath, ['src/cli.ts', '--help'], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
  for (const c of ['spec', 'check', 'checks', 'facts', 'plan', 'apply', 'undo', 'render', 'backup', 'drill', 'rotate', 'upgrade', 'rollback']) {
    assert.match(help.stdout, new RegExp(`^  ${c}\\b`, 'm'), `--help lists ${c}`);
  }
  const checksList = run(['checks', 'list', '--json'], {});
  assert.equal(checksList.code, 0);
  assert.ok(!checksList.packages.includes('yaml'), 'checks list needs no YAML');
});
