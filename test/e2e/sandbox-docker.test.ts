/**
 * The sandbox on a real Docker engine (issue 5): on a testbed with Docker and OpenClaw 2026.9.6,
 * the engine's resources apply the host layer's merged daemon.json and DOCKER-USER chain, the
 * service user with its OpenClaw install and hardened config, and the sandbox image (built by
 * sandbox-image.ts, offline from the testbed's apt repository); the re-plan is empty. Then a
 * container started the way OpenClaw 2026.9.6 starts a sandbox (sandbox-run.ts; the mounts from
 * `openclaw sandbox explain --json`) proves the spec's settings: no network, read-only root,
 * read-only workspace, writable tmpfs, no capabilities, the daemon's ulimits.
 *
 * OpenClaw 2026.9.6 has no CLI path that runs a sandboxed command without an LLM turn
 * (`openclaw sandbox` has only list/recreate/explain), so the container is created with OpenClaw's
 * own `docker create` argv (see sandbox-run.ts for the source it mirrors).
 */
import { planNow } from '../../src/engine/plan.ts';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Resource } from '../../src/engine/types.ts';
import { orderByDependencies } from '../../src/engine/order.ts';
import type { Executor } from '../../src/exec/types.ts';
import { desiredChain } from '../../src/firewall/docker-user.ts';
import { openclawRun } from '../../src/openclaw/config-write.ts';
import { openclawResources } from '../../src/openclaw/index.ts';
import { SANDBOX_PACKAGES } from '../../src/openclaw/sandbox-recipe.ts';
import { parseSandboxExplain, sandboxCreateArgv, SANDBOX_CONTAINER_PREFIX, type SandboxExplain } from '../../src/openclaw/sandbox-run.ts';
import { DAEMON_JSON } from '../../src/resources/docker.ts';
import { firewallResources } from '../../src/resources/firewall/index.ts';
import { hostResources } from '../../src/resources/host.ts';
import { resolveSpec, type ResolvedSpec } from '../../src/desired/resolve.ts';
import { Spec } from '../../src/desired/schema.ts';
import { APT_REPO_DIR } from '../testbed/apt-repo.ts';
import { memoryJournal } from '../helpers/netns.ts';
import { startTestbed, testbedSkipReason, timingsLine, type Testbed } from '../helpers/testbed.ts';

const VERSION = '2026.9.6';
/** the resources this test applies (the rest of the plan, apt and the gateway unit, is covered by apply-openclaw-suite.ts) */
const WANTED = [/^user:/, /^dir:/, /^json-merge:/, /^iptables:DOCKER-USER$/, /^openclaw-(install|token|config|identity):/, /^sandbox-image:/];

async function converge(ex: Executor, resources: readonly Resource[]): Promise<string[]> {
  const done: string[] = [];
  for (const r of resources) {
    const p = await planNow(r, ex);
    if ('noop' in p) continue;
    for (const c of p.changes) {
      await r.apply(ex, c, memoryJournal());
      done.push(`${r.id}: ${c.summary}`);
    }
  }
  return done;
}

/** a TCP connect from python3 inside a container: prints "connected" or the error, exit 0 either way */
const connectProbe = (host: string, port: number) => [
  'python3', '-c',
  `import socket\ntry:\n  socket.create_connection((${JSON.stringify(host)}, ${port}), 3); print("connected")\nexcept OSError as e:\n  print("error", e)`,
];

describe(`sandbox on a real Docker engine (OpenClaw ${VERSION})`, { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  let spec: ResolvedSpec;
  let resources: Resource[];
  let packages: string[];
  const container = `${SANDBOX_CONTAINER_PREFIX}clawops-proof-${randomBytes(3).toString('hex')}`;

  before(async () => {
    tb = await startTestbed({ openclaw: VERSION, docker: true });
    spec = resolveSpec(Spec.parse({
      openclaw: { version: VERSION, npmCache: '/var/cache/clawops-npm' },
      node: { source: 'system' },
      firewall: { confirmTimeoutSec: 15 },
      docker: { enabled: true, serviceUserGroup: true },
      sandbox: { mode: 'all', scope: 'session', workspaceAccess: 'ro', network: 'none', readOnlyRoot: true },
    }));
    // the testbed's offline repository may lack some of the recipe's packages (ripgrep): build without those, and say so
    const index = (await tb.executor.readFile(`${APT_REPO_DIR}/Packages`))?.toString('utf8') ?? '';
    packages = SANDBOX_PACKAGES.filter((p) => new RegExp(`^Package: ${p}$`, 'm').test(index));
    const all = [
      ...hostResources(spec),
      ...firewallResources(spec),
      ...openclawResources(spec, { npmCache: '/var/cache/clawops-npm', sandboxImage: { aptRepo: APT_REPO_DIR, packages } }),
    ];
    resources = orderByDependencies(all.filter((r) => WANTED.some((re) => re.test(r.id))));
  });
  after(async () => tb?.stop());

  test('host layer, OpenClaw config and the sandbox image converge; re-plan is empty', { timeout: 1_200_000 }, async (t) => {
    t.diagnostic(timingsLine(tb));
    const missing = SANDBOX_PACKAGES.filter((p) => !packages.includes(p));
    if (missing.length > 0) t.diagnostic(`not in the testbed's offline apt repository, left out of the image: ${missing.join(', ')}`);
    assert.ok(resources.some((r) => r.id.startsWith('sandbox-image:')), 'the sandbox image is part of the OpenClaw resources');
    const t0 = performance.now();
    const applied = await converge(tb.executor, resources);
    t.diagnostic(`converged ${applied.length} changes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const a of applied) t.diagnostic(a);
    assert.ok(applied.some((a) => a.startsWith('sandbox-image:') && a.includes('debian:bookworm-slim (on the target; not pinned')), 'the plan says the base image is local');

    const t1 = performance.now();
    assert.deepEqual(await converge(tb.executor, resources), [], 're-plan after apply is empty');
    t.diagnostic(`no-op re-plan of ${resources.length} resources: ${Math.round(performance.now() - t1)} ms`);

    const chain = (await tb.executor.run(['iptables', '-w', '-S', 'DOCKER-USER'])).stdout.split('\n').filter((l) => l.startsWith('-A '));
    assert.deepEqual(chain, desiredChain(spec.firewall.managementInterfaces));
    const daemon = JSON.parse((await tb.executor.readFile(DAEMON_JSON))?.toString('utf8') ?? '{}') as Record<string, unknown>;
    assert.deepEqual(daemon['default-ulimits'], spec.docker.daemon['default-ulimits']);
    const user = await tb.executor.run(['id', '-nG', spec.resolved[0]!.user]);
    assert.match(user.stdout, /\bdocker\b/, 'the service user can reach the Docker socket (root-equivalent; the audit says so)');
  });

  test('a container started as OpenClaw starts its sandbox: no network, read-only root and workspace, tmpfs scratch', { timeout: 300_000 }, async (t) => {
    const ex = tb.executor;
    const inst = spec.resolved[0]!;
    const explain: SandboxExplain = parseSandboxExplain((await openclawRun(ex, inst, VERSION, ['sandbox', 'explain', '--json'], { timeoutMs: 180_000 })).stdout);
    assert.deepEqual([explain.mode, explain.scope, explain.backend, explain.workspaceAccess], ['all', 'session', 'docker', 'ro']);
    assert.ok(explain.workspaceMounts.length >= 1 && explain.workspaceMounts.every((m) => !m.writable), JSON.stringify(explain.workspaceMounts));
    // OpenClaw seeds the session workspace when a session first runs; here the service user makes it
    for (const m of explain.workspaceMounts) {
      await ex.run(['sh', '-c', 'mkdir -p -- "$1" && echo seeded > "$1/NOTE.md"', 'sh', m.hostRoot], { user: inst.user });
    }
    const argv = sandboxCreateArgv(spec, { name: container, sessionKey: explain.sessionKey, mounts: explain.workspaceMounts, workdir: explain.runtimeWorkdir });
    t.diagnostic(argv.join(' '));
    // as OpenClaw does: docker as the gateway's service user (docker group), create then start
    await ex.run(argv, { user: inst.user });
    await ex.run(['docker', 'start', container], { user: inst.user });
    const sh = (script: string, user?: string) =>
      ex.run(['docker', 'exec', ...(user ? ['-u', user] : []), container, 'sh', '-c', script], { allowFailure: true, user: inst.user });

    // no network: only lo, and a listener that a bridge container reaches is unreachable from the sandbox
    assert.equal((await sh('ls /sys/class/net')).stdout.trim(), 'lo');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const listener = `clawops-listen-${randomBytes(3).toString('hex')}`;
    await ex.run(['systemd-run', '--unit', listener, '/usr/local/bin/node', '-e', `require('net').createServer((s)=>s.end('hi')).listen(${port}, '0.0.0.0')`]);
    try {
      const gw = (await ex.run(['docker', 'network', 'inspect', '--format', '{{(index .IPAM.Config 0).Gateway}}', 'bridge'])).stdout.trim();
      const control = await ex.run(['docker', 'run', '--rm', '--network', 'bridge', spec.sandbox.image, ...connectProbe(gw, port)], { allowFailure: true });
      assert.equal(control.stdout.trim(), 'connected', `control: a bridge container reaches ${gw}:${port} (${control.stderr})`);
      const fromSandbox = await ex.run(['docker', 'exec', container, ...connectProbe(gw, port)], { user: inst.user });
      assert.match(fromSandbox.stdout, /^error .*(unreachable|Network)/i, fromSandbox.stdout);
      const loop = await ex.run(['docker', 'exec', container, ...connectProbe('127.0.0.1', port)], { user: inst.user });
      assert.match(loop.stdout, /^error .*refused/i, "the host's loopback listener is not the sandbox's loopback");
    } finally {
      await ex.run(['systemctl', 'stop', listener], { allowFailure: true });
    }

    // read-only root: even the sandbox user's own home and root in the container cannot write
    for (const [path, user] of [['/home/sandbox/probe', undefined], ['/probe', '0']] as const) {
      const w = await sh(`echo x > ${path}`, user);
      assert.notEqual(w.exitCode, 0, path);
      assert.match(w.stderr, /Read-only file system/, path);
    }
    // read-only workspace mounts: the write is refused by the mount itself (EROFS), even for the
    // uid that owns the directory on the host (the image's `sandbox` user, uid 1000, may lack even read access)
    const mounts = JSON.parse((await ex.run(['docker', 'inspect', '--format', '{{json .Mounts}}', container])).stdout) as { Destination: string; RW: boolean }[];
    for (const m of explain.workspaceMounts) {
      assert.equal(mounts.find((x) => x.Destination === m.containerRoot)?.RW, false, `${m.containerRoot} is mounted read-only`);
      const owner = (await ex.stat(m.hostRoot))!;
      const read = await sh(`cat ${m.containerRoot}/NOTE.md`);
      if (read.exitCode === 0) assert.equal(read.stdout.trim(), 'seeded');
      else t.diagnostic(`${m.containerRoot} (${m.source}): the image's sandbox user cannot read it (host ${m.hostRoot} is ${owner.mode.toString(8)} ${owner.owner}): ${read.stderr.trim()}`);
      const asSandbox = await sh(`echo x > ${m.containerRoot}/written-by-sandbox`);
      assert.notEqual(asSandbox.exitCode, 0, m.containerRoot);
      const asOwner = await sh(`echo x > ${m.containerRoot}/written-by-owner`, String(owner.uid));
      assert.match(asOwner.stderr, /Read-only file system/, `${m.containerRoot} as uid ${owner.uid}`);
    }
    assert.ok(explain.workspaceMounts.some((m) => m.source === 'workspace'), 'the session workspace is mounted');
    // tmpfs scratch is writable
    assert.equal((await sh('echo scratch > /tmp/s && cat /tmp/s')).stdout.trim(), 'scratch');
    // no capabilities, no privilege gain, the daemon.json ulimits in effect
    assert.match((await sh('grep CapEff /proc/self/status')).stdout, /CapEff:\s+0{16}/);
    assert.match((await sh('grep NoNewPrivs /proc/self/status')).stdout, /NoNewPrivs:\s+1/);
    assert.equal((await sh('ulimit -n')).stdout.trim(), '1024');
    assert.equal((await ex.run(['docker', 'inspect', '--format', '{{.HostConfig.NetworkMode}} {{.HostConfig.ReadonlyRootfs}}', container])).stdout.trim(), 'none true');
  });
});
