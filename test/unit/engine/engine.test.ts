import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { unifiedDiff } from '../../../src/engine/diff.ts';
import { PlanProblemError, PlanProblemsError } from '../../../src/engine/errors.ts';
import { fingerprint, stableStringify } from '../../../src/engine/hash.ts';
import { orderByDependencies } from '../../../src/engine/order.ts';
import { journalId, newestFirst } from '../../../src/engine/journal.ts';
import { buildPlan, planOne } from '../../../src/engine/plan.ts';
import type { Resource } from '../../../src/engine/types.ts';
import { formatPlan } from '../../../src/engine/view.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';
import { directoryResource, planDirectory } from '../../../src/resources/directory.ts';
import { fileResource } from '../../../src/resources/file.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import type { ResolvedSpec } from '../../../src/desired/resolve.ts';
import { style } from '../../../src/views/style.ts';

test('hash: stable JSON ignores key order', () => {
  assert.equal(stableStringify({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  assert.equal(fingerprint({ a: 1, b: 2 }), fingerprint({ b: 2, a: 1 }));
});

test('journal ids: the newest apply first, even two in the same second (undo takes the newest)', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 10, 21, 18, 18, 39) + ms);
  const older = journalId(at(120), 'ffffff');
  const newer = journalId(at(450), '000000');
  assert.equal(older, '20261121T181839120Z-ffffff');
  assert.deepEqual(newestFirst([older, 'stray', newer, '20261121T181838Z-abcdef']), [newer, older, '20261121T181838Z-abcdef']);
  // a second-precision id from before is its second's .000
  assert.deepEqual(newestFirst(['20261121T181839Z-ffffff', newer]), [newer, '20261121T181839Z-ffffff']);
});

test('order: dependencies first, otherwise stable; unknown deps ignored; cycles refused', () => {
  const r = (id: string, dependsOn: string[] = []) => ({ id, dependsOn });
  assert.deepEqual(orderByDependencies([r('c', ['b']), r('a'), r('b', ['a', 'zz'])]).map((x) => x.id), ['a', 'b', 'c']);
  assert.throws(() => orderByDependencies([r('a', ['b']), r('b', ['a'])]), /cycle: a -> b -> a/);
});

test('diff: unified hunks with context', () => {
  const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n') + '\n';
  const b = a.replace('5\n', 'five\n');
  assert.equal(unifiedDiff(a, b, '/f'), ['--- /f', '+++ /f', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8'].join('\n'));
  assert.equal(unifiedDiff(a, a, '/f'), '');
});

test('directory: facts in, changes out', () => {
  const want = { path: '/home/u', mode: 0o700, owner: 'u', group: 'u' };
  const add = planDirectory('d', want, { exists: false });
  assert.ok('changes' in add && add.changes[0]?.action === 'add');
  assert.ok('noop' in planDirectory('d', want, { exists: true, type: 'directory', mode: 0o700, owner: 'u', group: 'u' }));
  const ch = planDirectory('d', want, { exists: true, type: 'directory', mode: 0o755, owner: 'u', group: 'u' });
  assert.ok('changes' in ch && /0700 u:u \(was 0755 u:u\)/.test(ch.changes[0]?.summary ?? ''));
  assert.throws(() => planDirectory('d', want, { exists: true, type: 'file', mode: 0o644, owner: 'u', group: 'u' }), /not a directory/);
});

test('plan: every area is read, planned, ordered; fingerprints are the read state; problems carry spec paths', async () => {
  const parsed = parseSpec('stateDir: /srv/clawops-unit');
  assert.ok(parsed.ok);
  const spec = parsed.spec;
  const ex = new RecorderExecutor('recorder:unit').addFile('/etc/unit-b.conf', 'same\n', { mode: 0o644 });
  // the file resource reads stat + bytes in one `sh -c` round trip: answer it from the recorder's files
  ex.script((argv) => {
    if (argv[0] !== 'sh' || !argv[2]?.includes("stat -c '%F|%a")) return undefined;
    const f = ex.files.get(argv[4] ?? '');
    if (!f) return { stdout: 'MISSING\n' };
    const sha = createHash('sha256').update(f.content).digest('hex');
    return { stdout: `regular file|${f.stat.mode.toString(8)}|0|0|${f.stat.owner}|${f.stat.group}|${f.content.length}|0\n${sha}\n${f.content.toString('base64')}` };
  });
  const area = {
    name: 'unit-test-area',
    resources: (s: ResolvedSpec) =>
      s.stateDir === '/srv/clawops-unit'
        ? [
            fileResource({ path: '/etc/unit-a.conf', content: 'a\n', mode: 0o600, dependsOn: ['dir:/etc/unit-dir'] }),
            fileResource({ path: '/etc/unit-b.conf', content: 'same\n', mode: 0o644 }),
            directoryResource({ path: '/etc/unit-dir', mode: 0o755, owner: 'root' }),
          ]
        : [],
  };
  const { plan } = await buildPlan(spec, ex, { specSource: 'unit.yaml', areas: [area] });
  assert.equal(plan.schemaVersion, 1);
  assert.equal(plan.target, 'recorder:unit');
  assert.deepEqual(plan.resources.map((r) => r.id), ['dir:/etc/unit-dir', 'file:/etc/unit-a.conf', 'file:/etc/unit-b.conf']);
  assert.deepEqual(plan.summary, { add: 2, change: 0, remove: 0 });
  assert.equal(plan.resources[2]?.noop, '/etc/unit-b.conf is as wanted');
  assert.match(plan.resources[0]?.fingerprint ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(plan.resources[1]?.fingerprint, plan.resources[2]?.fingerprint);
  const text = formatPlan(plan, style(false)).join('\n');
  assert.match(text, /\+ file:\/etc\/unit-a.conf: create \/etc\/unit-a.conf \(0600 root:root\)\n {6}--- \/dev\/null\n {6}\+\+\+ \/etc\/unit-a.conf/);
  assert.match(text, /Plan: 2 to add, 0 to change, 0 to remove\.$/);
  assert.ok(!ex.calls.some((c) => c.kind === 'write' || (c.kind === 'run' && c.argv?.[0] !== 'sh')), 'planning changes nothing');
});

test('plan: a resource that finds the spec impossible becomes a problem with its spec path', async () => {
  const impossible: Resource = {
    id: 'x:impossible',
    kind: 'x',
    needs: () => [],
    plan: () => {
      throw new PlanProblemError('instances[0].port', 'port 18789 is already in use');
    },
    apply: async () => {},
  };
  await assert.rejects(planOne(impossible, new Map()), PlanProblemError);
  const parsed = parseSpec('stateDir: /srv/clawops-unit2');
  assert.ok(parsed.ok);
  const areas = [{ name: 'unit-test-impossible', resources: () => [impossible] }];
  await assert.rejects(buildPlan(parsed.spec, new RecorderExecutor(), { specSource: 'x.yaml', areas }), (e: unknown) => {
    assert.ok(e instanceof PlanProblemsError);
    assert.deepEqual(e.problems, [{ path: 'instances[0].port', message: 'port 18789 is already in use' }]);
    assert.match(e.hint ?? '', /nothing was changed/);
    return true;
  });
});
