/** The sandbox image recipe, its resource's plan (table-driven, facts in, changes out) and OpenClaw's sandbox argv. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { PlanProblemError } from '../../../src/engine/errors.ts';
import { openclawResources, renderSandboxDockerfileFiles } from '../../../src/openclaw/index.ts';
import { parseBuiltRecord, planSandboxImage, readSandboxImageState, sandboxDockerfile, type BuiltRecord, type SandboxImageState, type SandboxImageChangeData } from '../../../src/openclaw/sandbox-image.ts';
import type { Executor } from '../../../src/exec/types.ts';
import { recipeHash, renderSandboxDockerfile, SANDBOX_PACKAGES } from '../../../src/openclaw/sandbox-recipe.ts';
import { parseSandboxExplain, sandboxCreateArgv } from '../../../src/openclaw/sandbox-run.ts';
import { resolveSpec } from '../../../src/desired/resolve.ts';
import { Spec, type SpecInput } from '../../../src/desired/schema.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sandbox/${name}`, import.meta.url), 'utf8');
const spec = (input: SpecInput = {}) => resolveSpec(Spec.parse(input));
const IMAGE = 'openclaw-sandbox:bookworm-slim';
const state = (s: Partial<SandboxImageState> = {}): SandboxImageState => ({
  image: IMAGE, docker: true, imagePresent: false, recipe: null, id: null, basePresent: true, baseDigests: [], repoPresent: null, ...s,
});

describe('sandbox recipe', () => {
  test('online: byte for byte the Dockerfile of OpenClaw 2026.9.6 docs (images-and-setup.md, npm install)', () => {
    assert.equal(renderSandboxDockerfile(), fixture('upstream-recipe-2026.9.6.Dockerfile'));
  });

  test('offline: the same packages and user, from the build context repository, flattened into a clean stage', () => {
    const d = renderSandboxDockerfile({ offline: true });
    assert.match(d, /^FROM debian:bookworm-slim AS build$/m);
    assert.match(d, new RegExp(`^  ${SANDBOX_PACKAGES.join(' ')} \\\\$`, 'm'));
    assert.match(d, /^COPY clawops-apt\/ \/var\/local\/clawops-apt\/$/m);
    assert.match(d, /^FROM scratch\nCOPY --from=build \/ \/$/m);
    assert.match(d, /^RUN useradd --create-home --shell \/bin\/bash sandbox$/m);
    assert.ok(d.trimEnd().endsWith('USER sandbox\nWORKDIR /home/sandbox\nCMD ["sleep", "infinity"]'));
    // only the last stage is the image: nothing after it copies the repository
    assert.ok(d.indexOf('COPY clawops-apt') < d.indexOf('FROM scratch'));
  });

  test('the recipe hash follows the text', () => {
    assert.match(recipeHash(renderSandboxDockerfile()), /^sha256:[0-9a-f]{64}$/);
    assert.equal(recipeHash(renderSandboxDockerfile()), recipeHash(renderSandboxDockerfile()));
    assert.notEqual(recipeHash(renderSandboxDockerfile()), recipeHash(renderSandboxDockerfile({ offline: true })));
    assert.notEqual(recipeHash(renderSandboxDockerfile()), recipeHash(renderSandboxDockerfile({ packages: ['bash'] })));
  });
});

describe('sandbox image plan', () => {
  const s = spec();
  const current = recipeHash(sandboxDockerfile());
  const ID = `sha256:${'1'.repeat(64)}`;
  const built: BuiltRecord = { image: IMAGE, id: ID, recipe: current, builtAt: '2026-12-01T00:00:00Z' };
  const cases: { name: string; st: SandboxImageState; opts?: { aptRepo: string }; record?: BuiltRecord; noop?: RegExp; action?: string; summary?: RegExp }[] = [
    { name: 'no docker on the target', st: state({ docker: false }), noop: /docker is not installed.*cannot be built/ },
    { name: 'built from this recipe, the id recorded', st: state({ imagePresent: true, recipe: current, id: ID }), record: built, noop: /built from the current recipe .*as recorded/ },
    { name: 'built from this recipe, no record yet: record it, no rebuild', st: state({ imagePresent: true, recipe: current, id: ID }), action: 'change', summary: /^record the id of openclaw-sandbox:bookworm-slim/ },
    { name: 'replaced under the tag (same label, another id): rebuilt', st: state({ imagePresent: true, recipe: current, id: `sha256:${'2'.repeat(64)}` }), record: built, action: 'change', summary: /\(replaced under the tag since clawops built sha256:1111/ },
    { name: 'absent, base local', st: state(), action: 'add', summary: /from debian:bookworm-slim \(on the target; not pinned: sandbox\.baseDigest pins it\) \(absent\)$/ },
    { name: 'absent, base pulled', st: state({ basePresent: false }), action: 'add', summary: /\(pulled from its registry by docker build; not pinned/ },
    { name: 'another recipe', st: state({ imagePresent: true, recipe: 'sha256:0' }), action: 'change', summary: /\(another recipe\)$/ },
    { name: 'someone else built the tag', st: state({ imagePresent: true }), action: 'change', summary: /\(not built by clawops\)$/ },
    { name: 'offline with base and repository', st: state({ repoPresent: true }), opts: { aptRepo: '/srv/apt' }, action: 'add', summary: /packages from \/srv\/apt/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const out = planSandboxImage(s, c.st, c.opts, c.record ?? null);
      if (c.noop) {
        assert.ok('noop' in out, JSON.stringify(out));
        assert.match(out.noop, c.noop);
        return;
      }
      assert.ok('changes' in out);
      const [ch] = out.changes;
      assert.equal(ch?.action, c.action);
      assert.match(ch?.summary ?? '', c.summary ?? /./);
      const d = ch?.data as SandboxImageChangeData;
      assert.equal(d.recipe, recipeHash(d.dockerfile));
      assert.equal(d.replaces, c.st.imagePresent && !d.recordOnly);
      assert.equal(d.contextDir, '/var/lib/clawops/sandbox-image');
      assert.doesNotThrow(() => JSON.stringify(ch), 'the change is data');
    });
  }

  test('a pinned base: FROM tag@digest (docker verifies it); local when the target has that digest; offline without it is a plan problem', () => {
    const pin = `sha256:${'a'.repeat(64)}`;
    const pinned = spec({ sandbox: { baseDigest: pin } });
    const local = planSandboxImage(pinned, state({ baseDigests: [pin] }));
    assert.ok('changes' in local);
    const d = local.changes[0]!.data as SandboxImageChangeData;
    assert.match(d.dockerfile, new RegExp(`^FROM debian:bookworm-slim@${pin}$`, 'm'));
    assert.notEqual(d.recipe, current, 'a new pin is a new recipe: rebuilt');
    assert.match(local.changes[0]!.summary, /\(on the target\)/);
    const other = planSandboxImage(pinned, state({ baseDigests: [`sha256:${'b'.repeat(64)}`] }));
    assert.ok('changes' in other && /pulled from its registry/.test(other.changes[0]!.summary));
    assert.throws(() => planSandboxImage(pinned, state({ repoPresent: true }), { aptRepo: '/srv/apt' }), (e: unknown) => e instanceof PlanProblemError && e.path === 'sandbox.baseDigest' && /no registry digest/.test(e.message));
    assert.ok('changes' in planSandboxImage(pinned, state({ repoPresent: true, baseDigests: [pin] }), { aptRepo: '/srv/apt' }));
    assert.throws(() => spec({ sandbox: { baseDigest: 'latest' } }));
  });

  test('the fact reads the base image\'s registry digests (none for an imported image)', async () => {
    const pin = `sha256:${'c'.repeat(64)}`;
    const ex = (out: string) => ({ run: async () => ({ exitCode: 0, stdout: out, stderr: '' }) }) as unknown as Executor;
    const read = (out: string) => readSandboxImageState(ex(out), IMAGE);
    assert.deepEqual((await read(`docker=yes\nlabels=\nbase=yes\ndigests=debian@${pin} \n`)).baseDigests, [pin]);
    assert.deepEqual((await read('docker=yes\nlabels=\nbase=yes\ndigests=\n')).baseDigests, []);
    assert.equal((await read('docker=yes\nlabels=\nbase=no\n')).basePresent, false);
    const id = `sha256:${'d'.repeat(64)}`;
    assert.equal((await read(`docker=yes\nlabels={"a":"b"}\nid=${id}\nbase=yes\ndigests=\n`)).id, id);
    assert.equal((await read('docker=yes\nlabels=\nbase=no\n')).id, null);
    assert.deepEqual(parseBuiltRecord(JSON.stringify({ image: IMAGE, id, recipe: 'sha256:0', builtAt: 'x' })), { image: IMAGE, id, recipe: 'sha256:0', builtAt: 'x' });
    assert.equal(parseBuiltRecord('{"image": 1}'), null);
    assert.equal(parseBuiltRecord('not json'), null);
    assert.equal(parseBuiltRecord(null), null);
  });

  test('offline without the base image or without the repository index: a plan problem on sandbox.image', () => {
    for (const st of [state({ basePresent: false, repoPresent: true }), state({ repoPresent: false })]) {
      assert.throws(() => planSandboxImage(s, st, { aptRepo: '/srv/apt' }), (e: unknown) => e instanceof PlanProblemError && e.path === 'sandbox.image');
    }
  });
});

describe('sandbox image in the OpenClaw resources', () => {
  const ids = (input: SpecInput) => openclawResources(spec(input)).map((r) => r.id);
  test('after daemon.json when Docker is enabled and the sandbox is on; absent otherwise', () => {
    const r = openclawResources(spec()).find((x) => x.id === `sandbox-image:${IMAGE}`);
    assert.deepEqual(r?.dependsOn, ['json-merge:/etc/docker/daemon.json']);
    assert.ok(!ids({ docker: { enabled: false } }).some((i) => i.startsWith('sandbox-image:')));
    assert.ok(!ids({ sandbox: { mode: 'off' } }).some((i) => i.startsWith('sandbox-image:')));
    assert.ok(ids({ sandbox: { image: 'my-sbx:1' } }).includes('sandbox-image:my-sbx:1'));
  });

  test('render sandbox-dockerfile: where the resource writes it, what it builds', () => {
    assert.deepEqual(renderSandboxDockerfileFiles(spec()), [{ path: '/var/lib/clawops/sandbox-image/Dockerfile', content: fixture('upstream-recipe-2026.9.6.Dockerfile') }]);
    assert.deepEqual(renderSandboxDockerfileFiles(spec({ sandbox: { mode: 'off' } })), []);
  });
});

describe("OpenClaw's sandbox container", () => {
  const explain = parseSandboxExplain(fixture('explain-2026.9.6.json'));

  test('`openclaw sandbox explain --json` (recorded on the testbed): mode, scope and the read-only mount table', () => {
    assert.deepEqual([explain.mode, explain.scope, explain.backend, explain.workspaceAccess, explain.runtimeWorkdir], ['all', 'session', 'docker', 'ro', '/workspace']);
    assert.deepEqual(explain.workspaceMounts.map((m) => [m.containerRoot, m.writable, m.source]), [['/workspace', false, 'workspace'], ['/agent', false, 'agent']]);
    assert.throws(() => parseSandboxExplain('{"sandbox":{}}'), /sandbox explain --json.*workspaceMounts/);
    assert.throws(() => parseSandboxExplain('not json'), /sandbox explain --json/);
  });

  test("docker create argv: OpenClaw 2026.9.6's buildSandboxCreateArgs for the hardened spec", () => {
    const argv = sandboxCreateArgv(spec(), { name: 'openclaw-sbx-x', sessionKey: explain.sessionKey, mounts: explain.workspaceMounts });
    const ws = explain.workspaceMounts[0]?.hostRoot;
    assert.deepEqual(argv, [
      'docker', 'create', '--name', 'openclaw-sbx-x', '--init', '--label', 'openclaw.sandbox=1', '--label', 'openclaw.sessionKey=agent:main:main',
      '--read-only', '--tmpfs', '/tmp', '--tmpfs', '/var/tmp', '--tmpfs', '/run', '--network', 'none', '--cap-drop', 'ALL',
      '--security-opt', 'no-new-privileges', '--workdir', '/workspace',
      '-v', `${ws}:/workspace:ro,z`, '-v', '/home/openclaw-svc/.openclaw/workspace:/agent:ro,z',
      IMAGE, 'sleep', 'infinity',
    ]);
    const loose = sandboxCreateArgv(spec({ sandbox: { readOnlyRoot: false, network: 'bridge' } }), { name: 'n', sessionKey: 'k', mounts: [{ hostRoot: '/w', containerRoot: '/workspace', writable: true, source: 'workspace' }] });
    assert.ok(!loose.includes('--read-only'));
    assert.equal(loose[loose.indexOf('--network') + 1], 'bridge');
    assert.ok(loose.includes('/w:/workspace:z'));
  });
});
