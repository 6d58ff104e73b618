/**
 * The Ansible collection against three testbed hosts with real sshd, driven by the real
 * ansible-playbook: the clawops role installs the release `clawops package` wrote (sha256
 * verified), the site playbook applies and gates every host, a second run changes nothing,
 * `--check --diff` shows each host's plan and changes nothing, and the rolling playbook stops at
 * the first host whose gate fails after the change, that host's apply undone, the next one untouched.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';
import { addTailscaleStandIn, clawops, snapshot } from './apply-cli.ts';
import { playbook, wireFleet, type Fleet, type PlayRun } from './fleet-hosts.ts';

const COLLECTION = new URL('../../ansible/clawops/gateway', import.meta.url).pathname;
const GATE = ['host.node.version', 'host.packages', 'host.unattended-upgrades', 'host.fail2ban', 'host.clawops-installed', 'host.managed-files',
  'user.service-account', 'user.sudo', 'firewall.ufw.active', 'firewall.ufw.incoming', 'firewall.ufw.allow-rules'];
const JAIL = '/etc/fail2ban/jail.local';
// each host's restic password (the spec's default reference): no playbook output, module result or status may carry it
const CANARY = `canary-${randomBytes(12).toString('hex')}`;

const spec = (bantime: number) => `version: 1
instances:
  - name: openclaw
openclaw:
  version: 2026.9.6
  manage: false
node:
  source: system
  major: 24
os:
  packages: [curl, ca-certificates, ufw, fail2ban, restic]
firewall:
  enabled: true
  managementInterfaces: [tailscale0]
fail2ban:
  enabled: true
  bantime: ${bantime}
  sshd:
    enabled: true
    backend: systemd
unattendedUpgrades:
  enabled: true
docker:
  enabled: false
`;

function ansibleSkipReason(): string | undefined {
  return testbedSkipReason() ?? (spawnSync('ansible-playbook', ['--version']).status === 0 ? undefined : 'ansible-playbook is not installed (scripts/install-test-deps.sh installs Debian\'s ansible)');
}

const byHost = (run: PlayRun, task: string) => new Map(run.tasks.filter((t) => t.task === task).map((t) => [t.host, t.result]));
const failures = (run: PlayRun) => `exit ${run.code}\n${run.stderr}\n${run.tasks.filter((t) => t.result.failed || t.result.unreachable).map((t) => `${t.host} ${t.task}: ${String(t.result.msg)}`).join('\n')}`;

describe('Ansible collection: three testbed hosts over SSH, the real ansible-playbook', { skip: ansibleSkipReason() }, () => {
  let tbs: Testbed[] = [];
  let fleet: Fleet;
  let dir: string;
  const outputs: string[] = [];
  const play = (args: string[]): PlayRun => {
    const r = playbook(fleet, args);
    outputs.push(r.raw, r.stderr);
    return r;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawops-ansible-'));
    const [boot] = await Promise.all([
      Promise.all([1, 2, 3].map(async () => {
        const tb = await startTestbed();
        tbs.push(tb);
        await addTailscaleStandIn(tb.executor);
        await tb.executor.run(['install', '-d', '-m', '0700', '/etc/clawops']);
        await tb.executor.writeFile('/etc/clawops/restic-password', `${CANARY}\n`, { mode: 0o600, owner: 'root', group: 'root' });
        return tb;
      })),
      (async () => {
        const rel = await clawops(['package', '--out', join(dir, 'release')]);
        assert.equal(rel.code, 0, rel.stderr);
        const build = spawnSync('ansible-galaxy', ['collection', 'build', COLLECTION, '--output-path', dir], { encoding: 'utf8' });
        assert.equal(build.status, 0, build.stderr);
        const inst = spawnSync('sh', ['-c', `ansible-galaxy collection install -p "$1" "$2"/clawops-gateway-*.tar.gz`, 'sh', join(dir, 'collections'), dir], { encoding: 'utf8', env: { ...process.env, ANSIBLE_HOME: join(dir, 'ansible-home') } });
        assert.equal(inst.status, 0, inst.stderr);
      })(),
    ]);
    tbs = boot;
    writeFileSync(join(dir, 'spec.yaml'), spec(3600));
    fleet = await wireFleet(tbs, join(dir, 'collections'), {
      clawops_release_dir: join(dir, 'release'),
      clawops_spec: join(dir, 'spec.yaml'),
      clawops_gate_checks: GATE,
    });
  });
  after(async () => {
    fleet?.cleanup();
    await Promise.all(tbs.map((tb) => tb.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('ansible-doc documents each module; both playbooks pass --syntax-check', () => {
    for (const m of ['clawops_check', 'clawops_apply', 'clawops_backup', 'clawops_upgrade']) {
      const doc = spawnSync('ansible-doc', [`clawops.gateway.${m}`], { encoding: 'utf8', env: { ...process.env, ...fleet.env } });
      assert.equal(doc.status, 0, doc.stderr);
      assert.match(doc.stdout, new RegExp(`CLAWOPS\\.GATEWAY\\.${m.toUpperCase()}`));
      assert.match(doc.stdout, /Check\s+mode:/);
    }
    const syntax = spawnSync('ansible-playbook', ['-i', fleet.inventory, '--syntax-check', 'clawops.gateway.site', 'clawops.gateway.rolling'], { encoding: 'utf8', env: { ...process.env, ...fleet.env } });
    assert.equal(syntax.status, 0, syntax.stderr + syntax.stdout);
  });

  test('site: the first run installs clawops, converges all three hosts and their gates pass; the second run changes nothing', { timeout: 1_200_000 }, async (t) => {
    const first = play(['clawops.gateway.site']);
    assert.equal(first.code, 0, failures(first));
    t.diagnostic(`first run: ${first.ms} ms`);
    const applied = byHost(first, 'Apply the spec');
    const gate = byHost(first, 'The go-live gate');
    for (const { alias, tb } of fleet.hosts) {
      assert.deepEqual([first.stats[alias]?.failures, first.stats[alias]?.unreachable], [0, 0], alias);
      assert.equal(applied.get(alias)?.changed, true, `${alias}: the apply changed the host`);
      assert.match(String(applied.get(alias)?.journal_id), /\S/, `${alias}: a journal id`);
      assert.equal(gate.get(alias)?.gate, 'pass', `${alias}: ${String(gate.get(alias)?.msg)}`);
      assert.equal((gate.get(alias)?.report as { results: unknown[] }).results.length, GATE.length);
      assert.equal((await tb.executor.run(['systemctl', 'is-active', 'fail2ban'])).stdout.trim(), 'active');
      assert.match((await tb.executor.run(['readlink', '/usr/local/bin/clawops'])).stdout, /^\/usr\/local\/lib\/clawops\/current\/dist\/cli\.js$/m);
    }
    const second = play(['clawops.gateway.site']);
    assert.equal(second.code, 0, failures(second));
    t.diagnostic(`second run: ${second.ms} ms`);
    for (const { alias } of fleet.hosts) assert.equal(second.stats[alias]?.changed, 0, `${alias}: ${JSON.stringify(second.tasks.filter((x) => x.host === alias && x.result.changed).map((x) => x.task))}`);
  });

  test('status --inventory: every host\'s gate, burn-in, incidents and sign-off over SSH; a host that is down shows the SSH error, the others still report', { timeout: 300_000 }, async (t) => {
    const inv = join(fleet.dir, 'with-down.ini');
    writeFileSync(inv, `[gateways]\n${fleet.hosts.map((h) => h.alias).join('\n')}\nfleet-down ansible_host=127.0.0.1 ansible_port=9\n`);
    const args = ['status', '--inventory', inv, '--ssh-config', fleet.sshConfig, '--only', GATE.join(',')];
    const one = await clawops([...args, '--limit', 'fleet-1', '--json']);
    assert.equal(one.code, 0, one.stderr);
    const all = await clawops([...args, '--json']);
    assert.equal(all.code, 2, 'exit 2: not every host passes');
    t.diagnostic(`one host: ${one.ms} ms, four (one down): ${all.ms} ms`);
    const rows = (JSON.parse(all.stdout) as { hosts: { host: string; reachable: boolean; error?: string; gate?: { result: string; total: number }; burnin?: { target: number }; incidents?: number; signedOff?: unknown }[] }).hosts;
    assert.deepEqual(rows.map((r) => [r.host, r.reachable, r.gate?.result ?? null]), [...fleet.hosts.map((h) => [h.alias, true, 'pass']), ['fleet-down', false, null]]);
    for (const r of rows.slice(0, 3)) assert.deepEqual([r.gate?.total, r.burnin?.target, r.incidents, r.signedOff], [GATE.length, 7, 0, null], r.host);
    assert.match(rows[3]?.error ?? '', /127\.0\.0\.1.*(refused|port 9)/i);
    const human = await clawops(args);
    outputs.push(one.stdout, one.stderr, all.stdout, all.stderr, human.stdout, human.stderr);
    assert.match(human.stdout, /^fleet-down +UNREACHABLE: .*$/m);
    assert.match(human.stdout, /^4 host\(s\): 3 pass, 0 fail, 1 not read/m);
  });

  test('--check --diff: each host shows the plan for the new spec; nothing on any host changes', { timeout: 600_000 }, async () => {
    writeFileSync(join(dir, 'spec.yaml'), spec(7200));
    const before = await Promise.all(fleet.hosts.map(({ tb }) => snapshot(tb.executor, [JAIL, '/etc/clawops/clawops.yaml'])));
    const dry = play(['clawops.gateway.site', '--check', '--diff']);
    assert.equal(dry.code, 0, failures(dry));
    const applied = byHost(dry, 'Apply the spec');
    for (const [i, { alias, tb }] of fleet.hosts.entries()) {
      const r = applied.get(alias);
      assert.equal(r?.changed, true, alias);
      assert.match(String(r?.msg), /^check mode: 0 to add, [1-9]\d* to change, 0 to remove$/);
      const diff = (r?.diff as { prepared?: string } | undefined)?.prepared ?? '';
      assert.match(diff, /jail\.local/);
      assert.match(diff, /^\s*\+bantime = 7200$/m);
      assert.deepEqual(await snapshot(tb.executor, [JAIL, '/etc/clawops/clawops.yaml']), before[i], `${alias}: unchanged by --check`);
    }
  });

  test('rolling: host 1 changed and gated; host 2 fails its gate after the change and its apply is undone; host 3 untouched; the play fails naming host and check', { timeout: 900_000 }, async (t) => {
    const [h1, h2, h3] = fleet.hosts as [typeof fleet.hosts[0], typeof fleet.hosts[0], typeof fleet.hosts[0]];
    // a hand-made way to root on host 2 that apply does not decide about (the fix is the operator's)
    await h2.tb.executor.run(['sh', '-c', "DEBIAN_FRONTEND=noninteractive apt-get install -y -q sudo >/dev/null && echo 'openclaw-svc ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/90-by-hand && chmod 440 /etc/sudoers.d/90-by-hand"], { timeoutMs: 300_000 });
    const jailBefore = await Promise.all([h2, h3].map(({ tb }) => snapshot(tb.executor, [JAIL])));
    const journals = async (tb: Testbed) => (await tb.executor.run(['sh', '-c', 'ls /var/lib/clawops/journal 2>/dev/null | wc -l'])).stdout.trim();
    const h3Journals = await journals(h3.tb);
    const roll = play(['clawops.gateway.rolling']);
    const story = roll.tasks.map((x) => `${x.host} ${x.task}: ${x.result.failed ? 'FAILED' : x.result.skipped ? 'skipped' : x.result.changed ? 'changed' : 'ok'} ${String(x.result.msg ?? '')}`).join('\n');
    t.diagnostic(story);
    assert.notEqual(roll.code, 0, 'the play fails');
    assert.match((await h1.tb.executor.readFile(JAIL))?.toString() ?? '', /^bantime\s*=\s*7200$/m, 'host 1 rolled');
    const gate2 = roll.tasks.find((x) => x.host === h2.alias && x.task === 'The go-live gate after the change')?.result;
    assert.equal(gate2?.failed, true);
    assert.match(String(gate2?.msg), /user\.sudo \[openclaw\] fail: openclaw-svc can run commands as root without a password: \/etc\/sudoers\.d\/90-by-hand/);
    assert.equal(roll.tasks.find((x) => x.host === h2.alias && x.task === 'Undo this host\'s apply')?.result.rc, 0, 'host 2 undone');
    assert.match(String(roll.tasks.find((x) => x.host === h2.alias && x.task === 'Stop the roll here')?.result.msg), new RegExp(`^${h2.alias}: the go-live gate fails on 1 check.*user\\.sudo.*\\(its apply was undone\\)$`));
    assert.deepEqual(await snapshot(h2.tb.executor, [JAIL]), jailBefore[0], 'host 2: jail.local back as it was');
    assert.deepEqual(await snapshot(h3.tb.executor, [JAIL]), jailBefore[1], 'host 3: untouched');
    assert.equal(await journals(h3.tb), h3Journals, 'host 3: no apply ran');
    assert.equal(roll.tasks.some((x) => x.host === h3.alias), false, 'no task ran on host 3');
    for (const h of [h1, h2]) {
      const b = roll.tasks.find((x) => x.host === h.alias && x.task === 'Backup before the change')?.result;
      assert.equal(b?.changed, true, `${h.alias}: ${String(b?.msg)}`);
      assert.match(String(b?.msg), /^backup: openclaw [0-9a-f]{8}$/);
    }
  });

  test('the canary: each host\'s restic password is in no playbook output, module result or status output', () => {
    assert.ok(outputs.length >= 10, 'the outputs of every run were kept');
    for (const o of outputs) assert.equal(o.includes(CANARY), false);
  });
});
