/**
 * clawops installs itself on a fresh testbed (issue 5): the running clawops, built, unpacked into a
 * versioned directory, smoke-tested on the target's Node, linked as /usr/local/bin/clawops; re-plan
 * is empty; a new build flips `current` and keeps the previous one; undo flips back; a build that
 * does not run on the target is refused with nothing changed; the installed clawops reads the spec
 * written to /etc/clawops/clawops.yaml with its own dependencies.
 * RECORD_FIXTURES=1 rewrites test/fixtures/self/read-*.txt from this run.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { applyPlan } from '../../src/engine/apply.ts';
import { planNow, planOne, readFacts, summarize } from '../../src/engine/plan.ts';
import { PLAN_SCHEMA_VERSION, type Plan, type Resource } from '../../src/engine/types.ts';
import { undoLast } from '../../src/engine/undo.ts';
import type { Executor } from '../../src/exec/types.ts';
import { packFiles, selfPackage, type SelfPackage } from '../../src/resources/self-package.ts';
import { specFileResource } from '../../src/resources/self-spec.ts';
import { INSTALL_BASE, installDirName, SELF_READ_SCRIPT, selfInstallResource } from '../../src/resources/self.ts';
import { parseSpec } from '../../src/desired/parse.ts';
import { startTestbed, testbedSkipReason, timingsLine, type Testbed } from '../helpers/testbed.ts';

const FIXTURES = new URL('../fixtures/self/', import.meta.url).pathname;
const STATE_DIR = '/var/lib/clawops';

async function converge(ex: Executor, resources: Resource[]): Promise<{ plan: Plan; ms: number }> {
  const t0 = performance.now();
  const planned = [];
  const raw = await readFacts(resources, ex);
  for (const r of resources) {
    const out = await planOne(r, raw);
    assert.ok('plan' in out, r.id);
    planned.push(out.plan);
  }
  const plan: Plan = {
    schemaVersion: PLAN_SCHEMA_VERSION, target: ex.target, specHash: 'test', specSource: 'test', createdAt: new Date().toISOString(),
    clawopsVersion: 'test', resources: planned, summary: summarize(planned),
  };
  await applyPlan(plan, new Map(resources.map((r) => [r.id, r])), ex, { stateDir: STATE_DIR });
  return { plan, ms: Math.round(performance.now() - t0) };
}

async function replanEmpty(ex: Executor, resources: Resource[]): Promise<void> {
  for (const r of resources) {
    const p = await planNow(r, ex);
    const changes = 'changes' in p ? p.changes : [];
    assert.deepEqual(changes, [], `${r.id} re-plan: ${JSON.stringify(changes.map((c) => c.summary))}`);
  }
}

/** The real package with one file changed: another build of the same version. */
function variant(files: Awaited<ReturnType<typeof unpackFiles>>, marker: string): SelfPackage {
  return packFiles(files.map((f) => (f.path === 'dist/cli/version.js' ? { ...f, content: Buffer.concat([f.content, Buffer.from(`\n// ${marker}\n`)]) } : f)));
}

async function unpackFiles(pkg: SelfPackage) {
  const { gunzipSync } = await import('node:zlib');
  const tar = gunzipSync(pkg.archive());
  const files: { path: string; mode: number; content: Buffer }[] = [];
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number) => h.subarray(a, a + n).toString('utf8').replace(/\0.*$/s, '');
    const path = [str(345, 155), str(0, 100)].filter(Boolean).join('/');
    const size = parseInt(str(124, 12), 8);
    if (str(156, 1) === '0' && !path.startsWith('.clawops')) files.push({ path, mode: parseInt(str(100, 8), 8), content: Buffer.from(tar.subarray(off + 512, off + 512 + size)) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

describe('clawops installs itself on the target', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  before(async () => {
    tb = await startTestbed();
  });
  after(async () => tb?.stop());

  test('fresh install, empty re-plan, the installed CLI runs and reads the spec written beside it', { timeout: 300_000 }, async (t) => {
    t.diagnostic(timingsLine(tb));
    const ex = tb.executor;
    const fresh = await ex.run(['sh', '-c', SELF_READ_SCRIPT, 'sh', INSTALL_BASE, '/usr/local/bin/clawops']);
    if (process.env.RECORD_FIXTURES) writeFileSync(`${FIXTURES}read-fresh.txt`, fresh.stdout);
    const t0 = performance.now();
    const pkg = await selfPackage();
    t.diagnostic(`package: ${pkg.files} files, ${(pkg.bytes / 1e6).toFixed(1)} MB, archive ${(pkg.archive().length / 1e6).toFixed(2)} MB, built in ${Math.round(performance.now() - t0)} ms`);
    const specText = 'openclaw: { manage: false }\nbackup: { enabled: false }\n';
    const parsed = parseSpec(specText);
    assert.ok(parsed.ok);
    const resources: Resource[] = [selfInstallResource({ dependsOn: [] }), specFileResource(parsed.spec)];
    const first = await converge(ex, resources);
    assert.deepEqual(first.plan.resources.flatMap((r) => r.changes.map((c) => c.action)), ['add', 'add']);
    assert.match(first.plan.resources[0]!.changes[0]!.summary, new RegExp(`^clawops ${pkg.version}: install \\(${pkg.files} files`));
    t.diagnostic(`first install (read, plan, copy, unpack, smoke test, link) + spec: ${first.ms} ms`);
    const t1 = performance.now();
    await replanEmpty(ex, resources);
    t.diagnostic(`no-op re-plan: ${Math.round(performance.now() - t1)} ms`);

    const installed = await ex.run(['sh', '-c', SELF_READ_SCRIPT, 'sh', INSTALL_BASE, '/usr/local/bin/clawops']);
    if (process.env.RECORD_FIXTURES) writeFileSync(`${FIXTURES}read-installed.txt`, installed.stdout);
    const v = await ex.run(['/usr/local/bin/clawops', '--version']);
    assert.equal(v.stdout.trim(), pkg.version);
    const st = await ex.stat('/etc/clawops/clawops.yaml');
    assert.equal(st?.mode, 0o600);
    assert.equal(st?.owner, 'root');
    const validated = await ex.run(['/usr/local/bin/clawops', '-f', '/etc/clawops/clawops.yaml', 'spec', 'validate'], { allowFailure: true });
    assert.equal(validated.exitCode, 0, `${validated.stdout}\n${validated.stderr}`);
    const owners = await ex.run(['sh', '-c', `find ${INSTALL_BASE} ! -user root | head -3; find ${INSTALL_BASE} -perm /022 ! -type l | head -3`]);
    assert.equal(owners.stdout, '', 'everything installed is root-owned and not group/world-writable');
  });

  test('a new build flips current and keeps the previous; undo flips back; older ones are pruned', { timeout: 300_000 }, async () => {
    const ex = tb.executor;
    const real = await selfPackage();
    const files = await unpackFiles(real);
    const b2 = variant(files, 'build 2');
    const b3 = variant(files, 'build 3');
    const current = async () => (await ex.run(['readlink', `${INSTALL_BASE}/current`])).stdout.trim();
    const dirs = async () => (await ex.run(['sh', '-c', `cd ${INSTALL_BASE} && ls -A`])).stdout.trim().split('\n').sort();

    const second = await converge(ex, [selfInstallResource({ dependsOn: [], pkg: async () => b2 })]);
    assert.equal(second.plan.resources[0]!.changes[0]!.action, 'change');
    assert.equal(await current(), installDirName(b2));
    assert.deepEqual(await dirs(), [installDirName(real), installDirName(b2), 'current'].sort());

    await converge(ex, [selfInstallResource({ dependsOn: [], pkg: async () => b3 })]);
    assert.deepEqual(await dirs(), [installDirName(b2), installDirName(b3), 'current'].sort(), 'only the new and the previous install are kept');

    await undoLast(ex, STATE_DIR);
    assert.equal(await current(), installDirName(b2), 'undo points current back at the previous install');
    assert.deepEqual(await dirs(), [installDirName(b2), 'current'].sort(), 'undo removes what the undone apply installed');
    const v = await ex.run(['/usr/local/bin/clawops', '--version']);
    assert.equal(v.stdout.trim(), real.version);
  });

  test('a build that does not run on the target is refused and nothing changes', { timeout: 300_000 }, async () => {
    const ex = tb.executor;
    const real = await selfPackage();
    const files = await unpackFiles(real);
    const broken = packFiles(files.map((f) => (f.path === 'dist/cli.js' ? { ...f, content: Buffer.from('#!/usr/bin/env node\nprocess.stderr.write("needs a newer Node\\n"); process.exit(1)\n') } : f)));
    const before = (await ex.run(['readlink', `${INSTALL_BASE}/current`])).stdout;
    await assert.rejects(converge(ex, [selfInstallResource({ dependsOn: [], pkg: async () => broken })]), (e: Error) => {
      assert.match(e.message, /clawops does not run on nspawn:.*needs a newer Node/);
      return true;
    });
    assert.equal((await ex.run(['readlink', `${INSTALL_BASE}/current`])).stdout, before);
    const left = await ex.run(['sh', '-c', `ls -A ${INSTALL_BASE} | grep -e '^\\.install' -e ${installDirName(broken)} || true`]);
    assert.equal(left.stdout, '', 'no temp or half-made install is left');
  });
});
