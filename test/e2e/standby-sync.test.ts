/**
 * Warm standby end to end with two testbed containers over SSH: both converged by the same spec
 * (`clawops apply`), the restic repository an sftp: repository on the primary that both reach as
 * `clawops-repo`, the standby reached by the CLI through OpenSSH with an operator ssh_config
 * (ProxyCommand) — see standby-hosts.ts. The service user's uid differs between the hosts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StandbyRecord } from '../../src/standby/record.ts';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';
import { addTailscaleStandIn, clawops } from './apply-cli.ts';
import { installSshd, linkNetworks, REPO_ALIAS, sshToStandby, wireRepository, type StandbyLink } from './standby-hosts.ts';

const REPO_DIR = '/srv/clawops-restic';
const SPEC = `version: 1
instances:
  - name: openclaw
openclaw:
  version: 2026.9.6
  npmCache: /var/cache/clawops-npm
node:
  source: system
docker:
  enabled: false   # the sandbox engine is sandbox-docker.test.ts' business
firewall:
  managementInterfaces: [tailscale0]
identity:
  files: [SOUL.md]
backup:
  repository: sftp:${REPO_ALIAS}:${REPO_DIR}
  password: { file: /etc/clawops/restic-password }
dr: { rpoHours: 24, rtoHours: 2 }
`;
const STATE = '/home/openclaw-svc/.openclaw';
/** What cannot pass on a testbed (no tailnet, no messaging platform, no LLM provider); the timers may not have run yet right after apply. */
const EXTERNAL = ['access.tailscale.up', 'access.tailscale.funnel-off', 'access.channel.paired', 'credentials.llm-provider', 'monitoring.timers',
  // the kernel's settings are this machine's, read-only in a container
  'host.baseline.sysctl', 'host.baseline.core-dumps', 'host.baseline.auditd',
  // information, never blocking: the testbed's packages are newer than its base image (services on an old liblzma)
  'host.baseline.needrestart'];
/** A gate that can pass here: service, network, files, identity, config. */
const GATE = ['service.active', 'service.enabled', 'network.gateway-loopback', 'network.gateway-health', 'files.home', 'files.state-dir', 'files.config', 'files.env', 'identity.locked', 'identity.baseline', 'openclaw.config.auth', 'openclaw.config.token-alignment'];

describe('standby sync: two testbeds over SSH', { skip: testbedSkipReason(), timeout: 1_800_000 }, () => {
  let primary: Testbed;
  let standby: Testbed;
  let link: StandbyLink | undefined;
  let dir: string;
  let specFile: string;
  const password = `${randomBytes(24).toString('hex')}`;
  const sh = async (tb: Testbed, script: string, timeoutMs = 300_000) => (await tb.executor.run(['bash', '-c', script], { timeoutMs })).stdout;
  const onPrimary = (args: string[]) => clawops([...args, '--target', `nspawn:${primary.name}`, '-f', specFile], {}, 900_000);
  /** the standby gateway's side of a failure, in the test output */
  const explain = async (t: { diagnostic(s: string): void }) => {
    const j = await sh(standby, `systemctl status openclaw --no-pager -n 0 | head -5; journalctl -u openclaw --no-pager -n 25 -o cat; ls -la ${STATE}`).catch((e: unknown) => String(e));
    for (const line of j.split('\n')) t.diagnostic(line);
  };
  const onStandby = (args: string[]) => clawops([...args, '--target', link?.target ?? '', '-f', specFile], {}, 900_000);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawops-standby-spec-'));
    specFile = join(dir, 'clawops.yaml');
    writeFileSync(specFile, SPEC);
    [primary, standby] = await Promise.all([startTestbed({ openclaw: '2026.9.6' }), startTestbed({ openclaw: '2026.9.6' })]);
    linkNetworks(primary, standby, randomBytes(3).toString('hex'));
    const [pKey, sKey] = await Promise.all([installSshd(primary.executor), installSshd(standby.executor)]);
    await wireRepository(primary.executor, standby.executor, pKey, REPO_DIR);
    link = await sshToStandby(standby, sKey);
    for (const tb of [primary, standby]) {
      await addTailscaleStandIn(tb.executor);
      await tb.executor.run(['install', '-d', '-m', '0700', '/etc/clawops']);
      await tb.executor.writeFile('/etc/clawops/restic-password', `${password}\n`, { mode: 0o600, owner: 'root', group: 'root' });
    }
    // both converged by the same spec (in parallel: each takes ~1.5 min alone)
    const applied = await Promise.all([primary, standby].map((tb) => clawops(['apply', '--yes', '--target', `nspawn:${tb.name}`, '-f', specFile], {}, 900_000)));
    for (const a of applied) assert.equal(a.code, 0, `${a.stdout}\n${a.stderr}`);
    // uids differ between real hosts (both testbeds allocate the same): the standby's service user
    // and group are renumbered, as if provisioned in another order
    await sh(standby, `systemctl stop openclaw; old=$(id -g openclaw-svc)
      usermod -u 1999 openclaw-svc && groupmod -g 1999 openclaw-svc
      find /home/openclaw-svc /var/lib/clawops -xdev -gid "$old" -exec chgrp -h 1999 {} +
      systemctl reset-failed openclaw; systemctl start openclaw`);
  });
  after(async () => {
    link?.cleanup();
    await Promise.all([primary?.stop(), standby?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the primary\'s state goes live on the standby: verified, re-owned by name, healthy; the full gate fails only on what cannot exist here (exit 2)', async (t) => {
    const uid = async (tb: Testbed) => (await sh(tb, 'id -u openclaw-svc')).trim();
    const [pUid, sUid] = [await uid(primary), await uid(standby)];
    assert.notEqual(pUid, sUid, 'the service user has different uids on the two hosts');
    await sh(primary, `echo 'conversation from the primary' > ${STATE}/workspace/PRIMARY.md && chown openclaw-svc: ${STATE}/workspace/PRIMARY.md`);
    await sh(standby, `echo 'standby scratch' > ${STATE}/workspace/STANDBY-ONLY.md`);
    const backup = await onPrimary(['backup', 'run', '--json']);
    assert.equal(backup.code, 0, backup.stderr);
    const snapshotId = (JSON.parse(backup.stdout) as { instances: { snapshotId: string }[] }).instances[0]?.snapshotId;
    assert.ok(snapshotId);

    const r = await onStandby(['standby', 'sync', '--yes', '--json']);
    t.diagnostic(`first sync (full go-live gate): ${r.ms} ms, exit ${r.code}`);
    assert.equal(r.code, 2, r.stderr);
    const rec = JSON.parse(r.stdout) as StandbyRecord;
    const inst = rec.instances[0];
    t.diagnostic(`instance: ${JSON.stringify({ ...inst, health: inst?.health?.detail })}`);
    if (!inst?.health?.ok) await explain(t);
    assert.equal(inst?.snapshotId, snapshotId, 'the primary\'s snapshot went live');
    assert.equal(inst?.snapshotHost, (await sh(primary, 'uname -n')).trim());
    assert.equal(inst?.health?.ok, true, inst?.health?.detail);
    assert.equal(inst?.rpo?.ok, true);
    assert.ok((inst?.verifiedFiles ?? 0) > 5, 'files verified against the manifest');
    assert.ok((inst?.reowned?.owners ?? 0) > 0, 're-owned from the primary\'s uid');
    assert.equal(inst?.baseline, 'restored');
    assert.ok((inst?.foreignLeasesCleared ?? 0) >= 1, 'the primary\'s live gateway lease was cleared');
    const blocking = [...new Set(rec.gate?.blocking.map((b) => b.split(/[ []/)[0] ?? ''))];
    assert.deepEqual(blocking.filter((id) => !EXTERNAL.includes(id)), [], `only what cannot exist here blocks: ${rec.gate?.blocking.join(', ')}`);
    for (const id of EXTERNAL.slice(0, 4)) assert.ok(blocking.includes(id), `${id} never passes here`);
    assert.ok(!rec.gate?.checks.includes('backup.recent'), 'the primary-only checks are not the standby\'s gate');
    assert.match(rec.error ?? '', /go-live gate failed on the standby/);

    assert.equal(await sh(standby, `cat ${STATE}/workspace/PRIMARY.md`), 'conversation from the primary\n');
    assert.equal(await sh(standby, `stat -c '%U %u' ${STATE}/workspace/PRIMARY.md ${STATE}`), `openclaw-svc ${sUid}\nopenclaw-svc ${sUid}\n`);
    assert.match(await sh(standby, `ls ${inst?.replacedPath}/workspace`), /STANDBY-ONLY\.md/, 'the standby\'s previous state is kept');
    assert.equal(await sh(standby, 'systemctl is-active openclaw'), 'active\n');
    assert.equal(await sh(standby, `find ${STATE} -nouser -o -nogroup | wc -l`), '0\n', 'no file left with an unknown owner');
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(password), 'the restic password never shows');
  });

  test('a newer backup is picked up; with a gate that can pass here the sync exits 0, status reads the record', async (t) => {
    await sh(primary, `echo 'second day' > ${STATE}/workspace/DAY2.md && chown openclaw-svc: ${STATE}/workspace/DAY2.md`);
    const backup = await onPrimary(['backup', 'run', '--json']);
    assert.equal(backup.code, 0, backup.stderr);
    const snapshotId = (JSON.parse(backup.stdout) as { instances: { snapshotId: string }[] }).instances[0]?.snapshotId;
    const r = await onStandby(['standby', 'sync', '--yes', '--checks', GATE.join(',')]);
    t.diagnostic(`second sync (${GATE.length} checks): ${r.ms} ms`);
    t.diagnostic(r.stdout.trim());
    if (r.code !== 0) await explain(t);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`snapshot ${snapshotId?.slice(0, 8)} from`));
    assert.match(r.stdout, new RegExp(`gate on \\S+: passed \\(${GATE.length}/${GATE.length} pass\\)`));
    assert.equal(await sh(standby, `cat ${STATE}/workspace/DAY2.md`), 'second day\n');
    const status = await onStandby(['standby', 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const rec = JSON.parse(status.stdout) as StandbyRecord;
    assert.equal(rec.ok, true);
    assert.equal(rec.instances[0]?.snapshotId, snapshotId);
    assert.equal(rec.lastSuccessAt, rec.finishedAt);
    const prom = await sh(standby, 'cat /var/lib/node_exporter/textfile_collector/clawops_standby.prom 2>/dev/null || true');
    t.diagnostic(`textfile: ${prom.split('\n').filter((l) => !l.startsWith('#')).join('; ')}`);
  });
});
