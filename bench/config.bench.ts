/**
 * Config convergence on the testbed: the full hardened gateway config written into a fresh state
 * dir (a) by clawops' config resource (one batched, validated write) and (b) by the runbook's
 * sequence of `openclaw config set KEY VALUE` calls for the same keys (desiredConfigKeys), both as
 * the service user with the same OpenClaw version. Prints both times and the ratio (target: clawops
 * at least 10x faster) and asserts that both leave equivalent configs.
 *
 *   node bench/config.bench.ts [2026.9.6] [2026.2.9]     (default: both)
 */
import { planNow } from '../src/engine/plan.ts';
import assert from 'node:assert/strict';
import type { Executor } from '../src/exec/types.ts';
import type { JsonValue, Resource } from '../src/engine/types.ts';
import { getPath, keyOf, parseConfigText } from '../src/openclaw/config-doc.ts';
import { desiredConfigKeys } from '../src/openclaw/config-keys.ts';
import { openclawRun } from '../src/openclaw/config-write.ts';
import { openclawResources } from '../src/openclaw/index.ts';
import { configPath, serviceTmpDir } from '../src/openclaw/paths.ts';
import { hostResources } from '../src/resources/host.ts';
import { resolveSpec, type ResolvedInstance, type ResolvedSpec } from '../src/desired/resolve.ts';
import { Spec } from '../src/desired/schema.ts';
import { startTestbed, testbedSkipReason, type Testbed } from '../test/helpers/testbed.ts';
import { memoryJournal } from '../test/helpers/netns.ts';
import { report } from './lib.ts';

type Version = '2026.9.6' | '2026.2.9';
const VERSIONS: readonly Version[] = ['2026.9.6', '2026.2.9'];
const NPM_CACHE = '/var/cache/clawops-npm';
const CLAWOPS_RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function converge(ex: Executor, resources: readonly Resource[]): Promise<void> {
  for (const r of resources) {
    const p = await planNow(r, ex);
    if ('changes' in p) for (const c of p.changes) await r.apply(ex, c, memoryJournal());
  }
}

/**
 * A fresh `~/.openclaw` (0700, service user): no config, no backups, no state. Only the private
 * TMPDIR stays (serviceTmpDir: 2.x's jiti compile cache, a cache both ways warm up once, not state).
 */
async function freshStateDir(ex: Executor, inst: ResolvedInstance): Promise<void> {
  await ex.run(['install', '-d', '-m', '0700', '-o', inst.user, '-g', inst.user, inst.stateDir]);
  await ex.run(['find', inst.stateDir, '-mindepth', '1', '-maxdepth', '1', '!', '-path', serviceTmpDir(inst), '-exec', 'rm', '-rf', '--', '{}', '+']);
}

/** The runbook's way: one `openclaw config set` per key, the value as an operator types it. */
function configSetArgs(path: string[], value: JsonValue): string[] {
  return ['config', 'set', path.join('.'), typeof value === 'string' ? value : JSON.stringify(value)];
}

async function readManaged(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, version: string): Promise<Record<string, JsonValue | null>> {
  const text = (await ex.readFile(configPath(inst)))?.toString('utf8');
  assert.ok(text, `${configPath(inst)} was written`);
  const doc = parseConfigText(text, configPath(inst));
  const out: Record<string, JsonValue | null> = {};
  for (const k of desiredConfigKeys(spec, inst, version)) out[keyOf(k.path)] = getPath(doc, k.path) ?? null;
  return out;
}

async function benchVersion(version: Version): Promise<boolean> {
  let tb: Testbed | undefined;
  try {
    tb = await startTestbed({ openclaw: version });
    const ex = tb.executor;
    const spec = resolveSpec(Spec.parse({ openclaw: { version, npmCache: NPM_CACHE }, node: { source: 'system' }, docker: { enabled: false } }));
    const inst = spec.resolved[0]!;
    const all = [...hostResources(spec), ...openclawResources(spec, { npmCache: NPM_CACHE })];
    const config = all.find((r) => r.id.startsWith('openclaw-config:'));
    assert.ok(config, 'the config resource');
    await converge(ex, all.filter((r) => /^(user|dir):/.test(r.id)));
    // the testbed's prebuilt install as the pinned one (2026.2.9 cannot be npm-installed offline without overrides)
    await ex.run(['sh', '-c', 'mkdir -p "$1/bin" && ln -sfn /usr/local/bin/openclaw "$2"', 'sh', inst.npmPrefix, inst.bin], { user: inst.user });
    await converge(ex, all.filter((r) => r.id.startsWith('openclaw-token:')));
    const keys = desiredConfigKeys(spec, inst, version).filter((k) => k.value !== undefined);
    // warm-up: the first openclaw start on a fresh host pays for caches (2.x compiles its TypeScript)
    await openclawRun(ex, inst, version, ['config', 'get', 'gateway.mode'], { allowFailure: true, timeoutMs: 600_000 });

    const ours: number[] = [];
    let oursManaged: Record<string, JsonValue | null> = {};
    for (let i = 0; i < CLAWOPS_RUNS; i++) {
      await freshStateDir(ex, inst);
      const t0 = performance.now();
      await converge(ex, [config]);
      ours.push(performance.now() - t0);
      oursManaged = await readManaged(ex, spec, inst, version);
    }
    assert.ok('noop' in (await planNow(config, ex)), 'clawops: re-plan after the write is empty');

    await freshStateDir(ex, inst);
    const t0 = performance.now();
    for (const k of keys) await openclawRun(ex, inst, version, configSetArgs(k.path, k.value as JsonValue), { timeoutMs: 300_000 });
    const theirs = performance.now() - t0;
    const theirsManaged = await readManaged(ex, spec, inst, version);
    assert.ok('noop' in await planNow(config, ex), 'the runbook sequence leaves what clawops would write (re-plan is empty)');
    assert.deepEqual(theirsManaged, oursManaged, 'both ways leave the same managed keys');

    const o = median(ours);
    console.log(`openclaw ${version}: ${keys.length} keys (+ ${desiredConfigKeys(spec, inst, version).length - keys.length} that must be absent)`);
    console.log(`  clawops config resource (one batched validated write), median of ${CLAWOPS_RUNS}: ${(o / 1000).toFixed(2)} s`);
    console.log(`  runbook: ${keys.length} x \`openclaw config set\`: ${(theirs / 1000).toFixed(2)} s (${(theirs / keys.length / 1000).toFixed(2)} s per call)`);
    console.log(`  speed-up: ${(theirs / o).toFixed(1)}x`);
    return report(`config convergence on ${version} vs the runbook's config set sequence`, o, theirs, 'ms', { max: 0.1 });
  } finally {
    await tb?.stop();
  }
}

async function main(): Promise<number> {
  const skip = testbedSkipReason();
  if (skip) {
    console.log(`SKIP config bench: ${skip}`);
    return 0;
  }
  const args = process.argv.slice(2);
  const wanted = args.length > 0 ? VERSIONS.filter((v) => args.includes(v)) : VERSIONS;
  let ok = true;
  for (const v of wanted) ok = (await benchVersion(v)) && ok;
  return ok ? 0 : 1;
}

process.exitCode = await main();
