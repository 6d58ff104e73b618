/**
 * The root boundary, attacked for real on one systemd testbed: the service user plants binaries,
 * swaps files for symlinks and feeds root a hostile snapshot, and each attempt must fail.
 * 1. A `node`/`npm`/`openclaw` planted in the user's npm prefix bin writes a marker with its uid when
 *    run: none may be written by uid 0 on the paths root takes (health and token probes, the drill's
 *    throwaway gateway, the install from a shared npm cache); an env file line `$(...)` never runs.
 * 2. Symlinks swapped in for the env file, openclaw.json, the identity workspace and the installed
 *    package dir point at root-owned probe files: root refuses, and the probes are unchanged.
 * 3. A snapshot carrying a setuid binary, a device node, a fifo and an escaping symlink restores none
 *    of them; a setuid bit alone is dropped.
 */
import { planNow } from '../../src/engine/plan.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BackupContext } from '../../src/backup/context.ts';
import { probeGateway } from '../../src/backup/gateway.ts';
import { restoreTo } from '../../src/backup/restore.ts';
import { parseSpec } from '../../src/desired/parse.ts';
import type { ResolvedInstance } from '../../src/desired/resolve.ts';
import type { Journal } from '../../src/engine/types.ts';
import { openclawIdentityResource } from '../../src/openclaw/identity.ts';
import { directoryResource } from '../../src/resources/directory.ts';
import { linkProjectBin, openclawInstallResource } from '../../src/openclaw/install.ts';
import { configPath, servicePath } from '../../src/openclaw/paths.ts';
import { httpGet } from '../../src/openclaw/probe.ts';
import { probeToken, writeConfigTokens, writeEnvToken } from '../../src/openclaw/token.ts';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';

const HOME = '/home/oc';
const SPEC = `instances: [{name: oc, user: oc, home: ${HOME}, port: 18789}]
openclaw: {version: 2026.9.6}
backup: {repository: /var/backups/clawops-restic, password: {file: /etc/clawops/restic-password}}
`;
const MARKERS = '/srv/markers/ran';
// what a planted binary does: record who ran it, then fail like a broken tool
const PLANTED = `#!/bin/sh\necho "$(id -u) $(basename "$0")" >> ${MARKERS}\nexit 1\n`;
const journal: Journal = { saveFile: async () => {}, saveStep: async () => {} };

describe('root boundary on the testbed', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  let inst: ResolvedInstance;
  let ctx: BackupContext;
  const sh = (script: string, timeoutMs = 120_000) => tb.executor.run(['bash', '-c', script], { timeoutMs });
  const asOc = (script: string) => tb.executor.run(['sh', '-c', script], { user: 'oc' });
  const fingerprint = async (path: string) =>
    (await sh(`stat -c '%a %U:%G %s' -- ${path}; if [ -d ${path} ]; then ls -la ${path}; else sha256sum ${path}; fi`))
      .stdout;
  const markers = async () => (await sh(`cat ${MARKERS} 2>/dev/null || true`)).stdout.split('\n').filter(Boolean);
  const rootMarkers = async () => (await markers()).filter((l) => l.startsWith('0 '));

  before(async () => {
    tb = await startTestbed();
    const parsed = parseSpec(SPEC);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    inst = parsed.spec.resolved[0]!;
    const log = (l: string) => process.stderr.write(`# ${l}\n`);
    ctx = { ex: tb.executor, spec: parsed.spec, env: {}, specText: { name: 'clawops.yaml', text: SPEC }, log };
    await sh(`useradd --create-home --home-dir ${HOME} --shell /bin/sh oc
      install -d -m 1777 /srv/markers && install -m 0666 /dev/null ${MARKERS}
      install -d -m 0700 -o oc -g oc ${inst.stateDir} ${inst.stateDir}/workspace
      printf 'ROOT-SECRET-PROBE\\n' > /root/probe && chmod 0600 /root/probe
      install -d -m 0700 /root/probe-dir && printf 'root soul\\n' > /root/probe-dir/SOUL.md
      chmod 0600 /root/probe-dir/SOUL.md`);
    // the user's own prefix, as clawops installs it, with the planted tools
    const bin = `${inst.npmPrefix}/bin`;
    await asOc(`mkdir -p ${bin} && for b in node npm openclaw; do
      printf '%s' '${PLANTED}' > ${bin}/$b; chmod 0755 ${bin}/$b; done`);
  });
  after(() => tb?.stop());

  const PLANTED_TEST =
    'a node/npm/openclaw planted in the prefix bin is never run by root (probes, drill gateway, cached install)';
  it(PLANTED_TEST, { timeout: 300_000 }, async (t) => {
    const ex = tb.executor;
    await httpGet(ex, 'http://127.0.0.1:9/healthz', inst);
    assert.equal(await probeToken(ex, inst, 'not-a-real-token'), 'unreachable');
    // the drill: restored state in root's 0700 scratch, with an env file whose line would run code if sourced
    const scratch = '/var/lib/clawops/backup/scratch/drill-e2e';
    const state = `${scratch}/instance/oc/state`;
    await sh(`install -d -m 0700 /var/lib/clawops /var/lib/clawops/backup /var/lib/clawops/backup/scratch
      install -d -m 0700 ${scratch} ${state}
      printf '%s\\n' 'OPENCLAW_GATEWAY_TOKEN=abc' 'X=$(touch /srv/markers/sourced)' > ${state}/gateway.systemd.env
      printf '{}\\n' > ${state}/openclaw.json`);
    const probe = await probeGateway(ex, {
      bin: inst.bin, stateDir: state, envFile: `${state}/gateway.systemd.env`, home: `${scratch}/home`,
      version: '2026.9.6', limitSec: 20, user: inst.user, userPath: servicePath(inst),
    });
    assert.equal(probe.status, 'fail', probe.detail);
    const ranAsOc = (await markers()).filter((l) => l.endsWith(' openclaw') && !l.startsWith('0 '));
    assert.ok(ranAsOc.length >= 1, `the drill ran the user's openclaw as the user: ${probe.detail}`);
    const sourced = (await sh('[ -e /srv/markers/sourced ] && echo yes || echo no')).stdout.trim();
    assert.equal(sourced, 'no', 'the env file was parsed, not sourced');
    // the install from the shared npm cache: npm runs as the service user, so the planted npm fails as oc
    const spec = ctx.spec;
    const r = openclawInstallResource(spec, inst, { npmCache: '/var/cache/clawops-npm', timeoutMs: 120_000 });
    const plan = await planNow(r, ex);
    assert.ok('changes' in plan);
    await assert.rejects(r.apply(ex, plan.changes[0]!, journal));
    const all = (await sh(`cat ${MARKERS}`)).stdout.trim();
    t.diagnostic(`markers: ${all.replace(/\n/g, ' | ')}`);
    assert.ok(/ npm$/m.test(all), 'the planted npm did run (as the user)');
    assert.deepEqual(await rootMarkers(), [], 'no planted binary ran as uid 0');
    const copies = (await sh('ls /var/tmp | grep -c clawops-npm || true')).stdout.trim();
    assert.equal(copies, '0', 'the private cache copy is removed');
  });

  const SWAP_TEST =
    'links swapped in for the env file, openclaw.json, workspace, state and package dirs: root writes nothing outside';
  it(SWAP_TEST, async () => {
    const ex = tb.executor;
    const probeBefore = await fingerprint('/root/probe');
    const soulBefore = await fingerprint('/root/probe-dir/SOUL.md');
    const shadowBefore = await fingerprint('/etc/shadow');
    await asOc(`ln -sfn /root/probe ${inst.envFile} && ln -sfn /root/probe ${configPath(inst)}`);
    await assert.rejects(writeEnvToken(ex, inst, 'a'.repeat(48)), /refused to read .*symlink/);
    await assert.rejects(writeConfigTokens(ex, inst, 'b'.repeat(48)), /refused to read .*symlink/);
    // a plain atomic write replaces the link itself, never its target
    await ex.writeFile(configPath(inst), '{}\n', { mode: 0o600, owner: 'oc', group: 'oc' });
    assert.equal((await ex.stat(configPath(inst)))?.type, 'file');
    // identity lock: the workspace swapped for a link to a root dir after the plan saw SOUL.md
    await asOc(`rm -rf ${inst.stateDir}/workspace && ln -s /root/probe-dir ${inst.stateDir}/workspace`);
    const id = openclawIdentityResource(ctx.spec, inst);
    const data = { step: 'lock', name: 'SOUL.md' };
    const lock = { resourceId: id.id, kind: 'identity', action: 'change' as const, summary: 'lock', data };
    await assert.rejects(id.apply(ex, lock, journal), /refused to chown .*symlink/);
    // the installed package dir swapped for a link to a root dir: the bin's chmod 0755 must not land there
    await sh(`install -d -m 0700 /root/probe-pkg
      printf '{"name":"openclaw","bin":{"openclaw":"probe.sh"}}' > /root/probe-pkg/package.json
      cp /root/probe /root/probe-pkg/probe.sh && chmod 0600 /root/probe-pkg/probe.sh`);
    const pkgBefore = await fingerprint('/root/probe-pkg/probe.sh');
    const modules = `${inst.npmPrefix}/lib/node_modules`;
    await asOc(`mkdir -p ${modules} && ln -sfn /root/probe-pkg ${modules}/openclaw`);
    await assert.rejects(linkProjectBin(ex, inst, inst.npmPrefix), /refused to read .*symlink/);
    // the state dir itself swapped for a link to a root dir: the directory resource's chown/chmod must not follow it
    const rootDirBefore = await fingerprint('/root/probe-dir');
    await asOc(`mv ${inst.stateDir} ${inst.stateDir}.real && ln -s /root/probe-dir ${inst.stateDir}`);
    const dir = directoryResource({ path: inst.stateDir, mode: 0o700, owner: 'oc' });
    const own = { path: inst.stateDir, mode: 0o700, owner: 'oc', group: 'oc' };
    const chown = { resourceId: dir.id, kind: 'directory', action: 'change' as const, summary: 'own', data: own };
    await assert.rejects(dir.apply(ex, chown, journal), /refused to create .*symlink/);
    assert.equal(await fingerprint('/root/probe-dir'), rootDirBefore);
    await asOc(`rm ${inst.stateDir} && mv ${inst.stateDir}.real ${inst.stateDir}`);
    assert.equal(await fingerprint('/root/probe'), probeBefore);
    assert.equal(await fingerprint('/root/probe-dir/SOUL.md'), soulBefore);
    assert.equal(await fingerprint('/root/probe-pkg/probe.sh'), pkgBefore);
    assert.equal(await fingerprint('/etc/shadow'), shadowBefore);
    const leaked = await sh(`grep -rl ROOT-SECRET-PROBE ${HOME} 2>/dev/null || true`);
    assert.equal(leaked.stdout.trim(), '', 'no root-only content copied into the user tree');
  });

  const SNAPSHOT_TEST =
    'a snapshot with a setuid binary, a device node, a fifo and an escaping symlink restores none of them';
  it(SNAPSHOT_TEST, { timeout: 300_000 }, async () => {
    await sh('apt-get install -y -q restic >/dev/null', 300_000);
    const restic = 'RESTIC_PASSWORD_FILE=/etc/clawops/restic-password restic -r /var/backups/clawops-restic';
    const snap = (extra: string) => sh(`set -e; rm -rf /srv/snap; d=/srv/snap/instance/oc/state; mkdir -p $d
      printf '{}\\n' > $d/openclaw.json; cp /bin/true $d/sbin-true && chmod 4755 $d/sbin-true; ${extra}
      cd /srv/snap && ${restic} backup --quiet --host "$(uname -n)" --tag clawops --tag instance=oc . >/dev/null`);
    await sh(`mkdir -p /etc/clawops
      head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \\n' > /etc/clawops/restic-password
      chmod 0600 /etc/clawops/restic-password && ${restic} init >/dev/null`);
    await snap('mknod $d/null c 1 3; mkfifo $d/fifo; ln -s /etc/shadow $d/shadow; ln -s ../../../../../etc $d/up');
    await assert.rejects(restoreTo(ctx, 'latest', '/srv/restored', 'oc'), (e: unknown) => {
      const m = (e as Error).message;
      assert.match(m, /will not restore/);
      for (const w of ['device', 'fifo', 'escaping symlink']) assert.ok(m.includes(w), `${w} in: ${m}`);
      return true;
    });
    const left = (await sh('[ -e /srv/restored ] && find /srv/restored -mindepth 1 | wc -l || echo absent'))
      .stdout.trim();
    assert.equal(left, 'absent', 'nothing of the refused snapshot is left');
    await snap('chmod 0777 $d/openclaw.json');
    await restoreTo(ctx, 'latest', '/srv/restored', 'oc');
    const at = '/srv/restored/instance/oc/state';
    const modes = (await sh(`stat -c '%a' ${at}/sbin-true ${at}/openclaw.json`)).stdout.trim().split('\n');
    assert.deepEqual(modes, ['755', '755'], 'setuid and group/other write dropped');
  });
});
