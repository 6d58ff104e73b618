/**
 * End to end on a fresh testbed: `clawops apply --yes` with the example spec, idempotency (apply,
 * re-read, re-plan: empty), a second apply undone byte for byte, and plan-time refusals that
 * change nothing.
 */
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';
import { addTailscaleStandIn, clawops, EXAMPLE, leftoverTempFiles, snapshot } from './apply-cli.ts';

const TOUCHED = [
  '/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow', '/etc/fail2ban/jail.local', '/etc/apt/apt.conf.d/20auto-upgrades',
  '/etc/docker/daemon.json', '/etc/docker', '/home/openclaw-svc', '/home/openclaw-svc/.openclaw', '/home/openclaw-agent2',
  '/home/openclaw-agent2/.openclaw', '/home/agent3', '/home/agent3/.openclaw',
];
const SEEDED_DAEMON = '{\n  "data-root": "/var/lib/docker",\n  "log-driver": "journald"\n}\n';

describe('apply: the example spec on a fresh testbed', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  let dir: string;
  const target = () => ['--target', `nspawn:${tb.name}`];
  before(async () => {
    tb = await startTestbed();
    dir = mkdtempSync(join(tmpdir(), 'clawops-apply-'));
    await addTailscaleStandIn(tb.executor);
    // an operator's own daemon.json: its keys must survive the merge
    await tb.executor.run(['install', '-d', '/etc/docker']);
    await tb.executor.writeFile('/etc/docker/daemon.json', SEEDED_DAEMON, { mode: 0o644, owner: 'root', group: 'root' });
  });
  after(async () => {
    await tb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('apply --yes converges; a re-plan is empty; files are as rendered', async (t) => {
    const first = await clawops(['apply', '--yes', ...target(), '-f', EXAMPLE]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Apply complete: \d+ changes/);
    t.diagnostic(`full apply: ${first.ms} ms`);
    const plan = await clawops(['plan', '--detailed-exitcode', ...target(), '-f', EXAMPLE]);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /Plan: 0 to add, 0 to change, 0 to remove\.$/m);
    t.diagnostic(`no-op re-plan: ${plan.ms} ms`);
    const daemon = JSON.parse((await tb.executor.readFile('/etc/docker/daemon.json'))?.toString() ?? '{}') as Record<string, unknown>;
    assert.equal(daemon['data-root'], '/var/lib/docker', 'existing keys are kept');
    assert.equal(daemon['log-driver'], 'json-file', 'spec keys win');
    const jail = await clawops(['render', 'jail.local', '-f', EXAMPLE]);
    assert.equal((await tb.executor.readFile('/etc/fail2ban/jail.local'))?.toString(), jail.stdout);
    const home = await tb.executor.stat('/home/openclaw-agent2/.openclaw');
    assert.deepEqual([home?.mode, home?.owner], [0o700, 'openclaw-agent2']);
    const pw = await tb.executor.run(['getent', 'passwd', 'openclaw-svc']);
    assert.match(pw.stdout, /:\/home\/openclaw-svc:\/usr\/sbin\/nologin$/m);
    assert.match((await tb.executor.run(['passwd', '-S', 'openclaw-svc'])).stdout, /^openclaw-svc L /);
    assert.equal((await tb.executor.run(['systemctl', 'is-active', 'fail2ban'])).stdout.trim(), 'active');
    assert.deepEqual(await leftoverTempFiles(tb.executor), []);
  });

  test('a saved plan is refused once its facts changed, naming the drifted resource', async () => {
    const spec = join(dir, 'bantime.yaml');
    writeFileSync(spec, readFileSync(EXAMPLE, 'utf8').replace('bantime: 3600', 'bantime: 7200'));
    const out = join(dir, 'plan.json');
    const plan = await clawops(['plan', '--detailed-exitcode', '--out', out, ...target(), '-f', spec]);
    assert.equal(plan.code, 2);
    // the saved plan edited after it was made (a jail that bans for 1 s): refused, nothing applied
    const saved = JSON.parse(readFileSync(out, 'utf8')) as { resources: { id: string; changes: { data: { content: string; encoding?: string } }[] }[] };
    const jailChange = saved.resources.find((r) => r.id === 'file:/etc/fail2ban/jail.local')!.changes[0]!.data;
    const text = jailChange.encoding === 'base64' ? Buffer.from(jailChange.content, 'base64').toString('utf8') : jailChange.content;
    assert.match(text, /bantime = 7200/);
    const edited = text.replace('bantime = 7200', 'bantime = 1');
    jailChange.content = jailChange.encoding === 'base64' ? Buffer.from(edited).toString('base64') : edited;
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(saved));
    const refusedEdit = await clawops(['apply', tampered, '--yes', ...target(), '-f', spec]);
    assert.equal(refusedEdit.code, 1, refusedEdit.stdout);
    assert.match(refusedEdit.stderr, /tampered\.json holds changes this spec does not plan on these facts: file:\/etc\/fail2ban\/jail\.local/);
    assert.doesNotMatch((await tb.executor.readFile('/etc/fail2ban/jail.local'))?.toString() ?? '', /bantime = 1\b/);
    await tb.executor.run(['sh', '-c', 'echo "# local edit" >> /etc/fail2ban/jail.local']);
    const refused = await clawops(['apply', out, '--yes', ...target(), '-f', spec]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the target changed since .*plan.json was made: file:\/etc\/fail2ban\/jail.local/);
    const noTty = await clawops(['apply', ...target(), '-f', spec]);
    assert.equal(noTty.code, 1);
    assert.match(noTty.stderr, /re-run with --yes/);
  });

  test('undo restores every file the last apply changed, byte for byte (owner and mode too)', async () => {
    // converge first, then snapshot, then a second apply that changes files, users and directories
    assert.equal((await clawops(['apply', '--yes', ...target(), '-f', EXAMPLE])).code, 0);
    await tb.executor.run(['chmod', '0755', '/home/openclaw-svc']);
    const before = await snapshot(tb.executor, TOUCHED);
    const spec = join(dir, 'more.yaml');
    writeFileSync(
      spec,
      readFileSync(EXAMPLE, 'utf8')
        .replace('bantime: 3600', 'bantime: 7200')
        .replace('    port: 18790\n', '    port: 18790\n  - name: agent3\n    port: 18791\n')
        .replace('log-driver: json-file', 'log-driver: local'),
    );
    const applied = await clawops(['apply', '--yes', ...target(), '-f', spec]);
    assert.equal(applied.code, 0, applied.stderr);
    const changed = await snapshot(tb.executor, TOUCHED);
    for (const p of ['/etc/passwd', '/etc/fail2ban/jail.local', '/etc/docker/daemon.json', '/home/agent3', '/home/openclaw-svc']) {
      assert.notEqual(changed[p], before[p], `${p} was changed by the second apply`);
    }
    const undo = await clawops(['undo', ...target(), '-f', spec]);
    assert.equal(undo.code, 0, undo.stderr);
    assert.deepEqual(await snapshot(tb.executor, TOUCHED), before);
  });

  test('plan-time refusals: a port in use and an unknown interface fail with spec paths and change nothing', async () => {
    await tb.executor.run(['systemd-run', '--unit', 'squatter', 'python3', '-m', 'http.server', '18790', '--bind', '127.0.0.1']);
    await tb.executor.run(['sh', '-c', 'for i in $(seq 50); do ss -Htln | grep -q :18790 && exit 0; sleep 0.1; done; exit 1']);
    const spec = join(dir, 'bad.yaml');
    writeFileSync(spec, readFileSync(EXAMPLE, 'utf8').replace('managementInterfaces: [tailscale0]', 'managementInterfaces: [tailscale0, wg7]').replace('bantime: 3600', 'bantime: 60'));
    const journalsBefore = (await tb.executor.run(['ls', '/var/lib/clawops/journal'])).stdout;
    const snap = await snapshot(tb.executor, TOUCHED);
    for (const cmd of ['plan', 'apply']) {
      const r = await clawops([cmd, ...(cmd === 'apply' ? ['--yes'] : []), ...target(), '-f', spec]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /instances\[1\]\.port: port 18790 is already in use on nspawn:\S+ by python3 \(pid \d+\)/);
      assert.match(r.stderr, /firewall\.managementInterfaces\[1\]: interface wg7 does not exist/);
      assert.match(r.stderr, /nothing was changed/);
    }
    assert.equal((await tb.executor.run(['ls', '/var/lib/clawops/journal'])).stdout, journalsBefore);
    assert.deepEqual(await snapshot(tb.executor, TOUCHED), snap);
    await tb.executor.run(['systemctl', 'stop', 'squatter']);
  });
});
