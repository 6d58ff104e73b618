/**
 * Upgrade and rollback on the systemd testbed, starting from OpenClaw 2026.2.9 with a gateway
 * unit running as the service user on a state that holds a marker file.
 *
 * 2026.2.9 does not install with a plain offline `npm install -g` (see the testbed's overrides),
 * so its side-by-side version prefix is laid out from the testbed's prebuilt install (bin and
 * package linked in); 2026.9.6 is installed for real, offline from the testbed's npm cache.
 *
 * The failing upgrade is honest about what fails: the real 2026.9.6 is installed, then its
 * `dist/` (the compiled code its bin imports) is moved away, as a truncated or partial install
 * would leave it, so the 9.6 gateway exits at start and never becomes healthy. The upgrade must
 * then roll back by itself: 2026.2.9 runs again, healthy, on its pre-upgrade state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { BackupContext } from '../../src/backup/context.ts';
import { parseSpec } from '../../src/spec/parse.ts';
import type { ResolvedInstance } from '../../src/spec/resolve.ts';
import { readKnownGood } from '../../src/upgrade/known-good.ts';
import { versionDir } from '../../src/upgrade/layout.ts';
import { runRollback, runUpgrade } from '../../src/upgrade/run.ts';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';

const PORT = 18789;
const NPM_CACHE = '/var/cache/clawops-npm';
const SPEC = `instances: [{name: oc, user: oc, home: /home/oc, port: ${PORT}}]
openclaw: {version: 2026.2.9}
backup: {repository: /var/backups/clawops-restic, password: {file: /etc/clawops/restic-password}}
`;

describe('clawops upgrade / rollback on the testbed (2026.2.9 -> 2026.9.6)', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  let ctx: BackupContext;
  let inst: ResolvedInstance;
  const sh = (script: string, timeoutMs = 120_000) => tb.executor.run(['bash', '-c', script], { timeoutMs });
  const version = async () => (await sh(`sudo -u oc /home/oc/.npm-global/bin/openclaw --version`, 120_000)).stdout.trim();

  before(async () => {
    tb = await startTestbed({ openclaw: '2026.2.9' });
    const parsed = parseSpec(SPEC);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    inst = parsed.spec.resolved[0]!;
    const v29 = versionDir(inst, '2026.2.9');
    await sh('apt-get install -y -q restic sqlite3 sudo >/dev/null', 300_000);
    await sh(`useradd -m -s /bin/bash oc && mkdir -p /etc/clawops ${v29}/bin ${v29}/lib/node_modules /home/oc/.openclaw/workspace /home/oc/.openclaw/tmp
      ln -s /opt/clawops-openclaw/node_modules/.bin/openclaw ${v29}/bin/openclaw
      ln -s /opt/clawops-openclaw/node_modules/openclaw ${v29}/lib/node_modules/openclaw
      ln -s .npm-global.versions/2026.2.9 /home/oc/.npm-global
      echo 'written on 2026.2.9' > /home/oc/.openclaw/workspace/MARKER.md
      chown -R oc:oc /home/oc && chmod 700 /home/oc/.openclaw`);
    // 2.9 has no \${ENV} token reference: the token is in the config (0600, service user)
    await tb.executor.writeFile(`${inst.stateDir}/openclaw.json`, JSON.stringify({ gateway: { mode: 'local', bind: 'loopback', port: PORT, auth: { mode: 'token', token: randomBytes(24).toString('hex') } } }, null, 2), { mode: 0o600, owner: 'oc', group: 'oc' });
    await tb.executor.writeFile('/etc/clawops/restic-password', `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    await tb.executor.writeFile(`/etc/systemd/system/${inst.unit}`, `[Unit]
Description=OpenClaw gateway (upgrade e2e)
[Service]
User=oc
Environment=HOME=/home/oc TMPDIR=/home/oc/.openclaw/tmp PATH=/home/oc/.npm-global/bin:/usr/local/bin:/usr/bin:/bin
Environment=OPENCLAW_SKIP_CHANNELS=1 OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_SKIP_CRON=1
ExecStart=${inst.bin} gateway run
Restart=on-failure
RestartSec=2
[Install]
WantedBy=multi-user.target
`, { mode: 0o644 });
    await sh(`systemctl daemon-reload && systemctl start ${inst.unit}`);
    ctx = { ex: tb.executor, spec: parsed.spec, env: {}, specText: { name: 'clawops.yaml', text: SPEC }, log: (l) => process.stderr.write(`# ${l}\n`) };
  });
  after(() => tb?.stop());

  test('a 9.6 whose gateway cannot start is rolled back automatically to 2.9 on its pre-upgrade state', async (t) => {
    assert.equal(await version(), '2026.2.9');
    const r = await runUpgrade(ctx, '2026.9.6', {
      npmCache: NPM_CACHE, checks: ['service.active'], healthTimeoutSec: 90,
      afterInstall: async (dir) => {
        await sh(`mv ${dir}/lib/node_modules/openclaw/dist ${dir}/lib/node_modules/openclaw/dist.moved-by-test`);
      },
    });
    t.diagnostic(`steps: ${r.steps.map((s) => `${s.name} ${s.status} ${s.durationMs} ms`).join(', ')}`);
    t.diagnostic(`rollback took ${r.rollback?.durationMs} ms: ${r.rollback?.steps.map((s) => `${s.name} ${s.durationMs} ms`).join(', ')}`);
    assert.equal(r.failedStep, 'gate', r.error);
    assert.equal(r.outcome, 'rolled-back', r.rollback?.error);
    assert.equal(r.exitCode, 2);
    assert.equal(await version(), '2026.2.9');
    assert.equal((await sh(`cat ${inst.stateDir}/workspace/MARKER.md; systemctl is-active ${inst.unit}`)).stdout, 'written on 2026.2.9\nactive\n');
    assert.equal(await readKnownGood(tb.executor, ctx.spec, inst), undefined, 'a failed upgrade records nothing as known-good');
  });

  test('upgrade 2.9 -> 9.6 succeeds, then rollback on demand returns to 2.9 and its state', async (t) => {
    // the test's damage undone: the side-by-side 9.6 is complete again (and reused, not reinstalled)
    const dir = versionDir(inst, '2026.9.6');
    await sh(`mv ${dir}/lib/node_modules/openclaw/dist.moved-by-test ${dir}/lib/node_modules/openclaw/dist`);
    await sh(`echo 'written on 2.9 before the upgrade' > ${inst.stateDir}/workspace/BEFORE.md && chown oc:oc ${inst.stateDir}/workspace/BEFORE.md`);
    const r = await runUpgrade(ctx, '2026.9.6', { npmCache: NPM_CACHE, checks: ['service.active'], healthTimeoutSec: 180 });
    t.diagnostic(`upgrade ${r.durationMs} ms: ${r.steps.map((s) => `${s.name} ${s.status} ${s.durationMs} ms`).join(', ')}`);
    assert.equal(r.outcome, 'upgraded', r.error);
    assert.equal(r.exitCode, 0);
    assert.match(await version(), /^OpenClaw 2026\.9\.6/);
    const health = await sh(`node -e "fetch('http://127.0.0.1:${PORT}/healthz').then(async r => console.log(r.status, await r.text()))"`);
    assert.match(health.stdout, /^200 .*"ok":true/);
    assert.equal((await readKnownGood(tb.executor, ctx.spec, inst))?.version, '2026.9.6');

    await sh(`echo 'written on 9.6' > ${inst.stateDir}/workspace/AFTER.md`);
    const rb = await runRollback(ctx, '2026.2.9', { healthTimeoutSec: 180 });
    t.diagnostic(`rollback on demand ${rb.durationMs} ms: ${rb.steps.map((s) => `${s.name} ${s.durationMs} ms`).join(', ')}`);
    assert.equal(rb.outcome, 'rolled-back', rb.error);
    assert.equal(await version(), '2026.2.9');
    const files = await sh(`ls ${inst.stateDir}/workspace; systemctl is-active ${inst.unit}`);
    assert.match(files.stdout, /BEFORE\.md/);
    assert.doesNotMatch(files.stdout, /AFTER\.md/, 'the state is the pre-upgrade one');
    assert.match(files.stdout, /active\n$/);
  });
});
