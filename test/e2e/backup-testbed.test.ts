/**
 * On the systemd testbed with OpenClaw 2026.9.6: a gateway unit runs on its state while a bounded
 * writer commits to a WAL-mode SQLite DB in that state; back up; the drill restores, verifies,
 * integrity-checks and starts a throwaway gateway on the restored state (healthy on a free
 * loopback port); then an in-place restore stops the unit, keeps the replaced state, and the
 * gateway comes back healthy on the restored state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { BackupContext } from '../../src/backup/context.ts';
import { systemctlUnits } from '../../src/backup/context.ts';
import { runDrill } from '../../src/backup/drill.ts';
import { probeGateway } from '../../src/backup/gateway.ts';
import { restoreInPlace } from '../../src/backup/restore.ts';
import { runBackup } from '../../src/backup/run.ts';
import { parseSpec } from '../../src/desired/parse.ts';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';

const HOME = '/home/oc';
const STATE = `${HOME}/.openclaw`;
const PORT = 18789;

const UNIT = `[Unit]
Description=OpenClaw gateway (backup e2e)
[Service]
User=oc
Environment=HOME=${HOME} OPENCLAW_STATE_DIR=${STATE} OPENCLAW_CONFIG_PATH=${STATE}/openclaw.json
Environment=OPENCLAW_SKIP_CHANNELS=1 OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_SKIP_CRON=1
EnvironmentFile=${STATE}/gateway.systemd.env
ExecStart=/usr/local/bin/openclaw gateway run
Restart=on-failure
[Install]
WantedBy=multi-user.target
`;

const SPEC = `instances: [{name: oc, user: oc, home: ${HOME}, port: ${PORT}}]
openclaw: {version: 2026.9.6}
backup: {repository: /var/backups/clawops-restic, password: {file: /etc/clawops/restic-password}}
`;

// bounded: at most 400 transactions, stops when /tmp/stop-writer exists
const WRITER = `db=${STATE}/state/clawops-e2e.sqlite
sqlite3 "$db" 'PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, b INTEGER, body TEXT); CREATE TABLE IF NOT EXISTS batches (b INTEGER PRIMARY KEY, n INTEGER);' >/dev/null
for i in $(seq 1 400); do [ -e /tmp/stop-writer ] && break
  sqlite3 "$db" "PRAGMA busy_timeout=5000; BEGIN IMMEDIATE; INSERT INTO t (b, body) SELECT $i, hex(randomblob(64)) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<20) SELECT x FROM c); INSERT INTO batches VALUES ($i, 20); COMMIT;" >/dev/null
  sleep 0.05
done`;

describe('backup on the testbed with a running OpenClaw 2026.9.6 gateway', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  let ctx: BackupContext;
  const sh = (script: string, timeoutMs = 120_000) => tb.executor.run(['bash', '-c', script], { timeoutMs });
  const healthy = (port: number) =>
    sh(`for i in $(seq 1 120); do r=$( (exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 5 cat <&3) 2>/dev/null); case $r in *'"ok":true'*) echo up; exit 0;; esac; sleep 1; done; exit 1`, 180_000);

  before(async () => {
    tb = await startTestbed({ openclaw: '2026.9.6' });
    await sh('apt-get install -y -q restic sqlite3 >/dev/null', 300_000);
    // the service user owns its state, as `clawops apply` leaves it (the in-place restore re-owns by this name)
    await sh(`useradd --create-home --home-dir ${HOME} --shell /usr/sbin/nologin oc && mkdir -p ${STATE}/state ${STATE}/workspace /etc/clawops && chmod 700 ${STATE}`);
    const ex = tb.executor;
    await ex.writeFile(`${STATE}/openclaw.json`, JSON.stringify({ gateway: { mode: 'local', bind: 'loopback', port: PORT, auth: { mode: 'token', token: '${OPENCLAW_GATEWAY_TOKEN}' } } }, null, 2), { mode: 0o600 });
    await ex.writeFile(`${STATE}/gateway.systemd.env`, `OPENCLAW_GATEWAY_TOKEN=${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    await ex.writeFile(`${STATE}/workspace/SOUL.md`, '# Soul\n', { mode: 0o644 });
    await ex.writeFile('/etc/clawops/restic-password', `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    await sh(`chown -R oc:oc ${HOME}`);
    await ex.writeFile('/etc/systemd/system/oc.service', UNIT, { mode: 0o644 });
    await sh('systemctl daemon-reload && systemctl start oc.service');
    await healthy(PORT);
    const parsed = parseSpec(SPEC);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    ctx = { ex, spec: parsed.spec, env: {}, specText: { name: 'clawops.yaml', text: SPEC }, log: (l) => process.stderr.write(`# ${l}\n`) };
  });
  after(() => tb?.stop());

  test('backup while writing, drill with a throwaway gateway on the restored state, in-place restore', async (t) => {
    await sh(`rm -f /tmp/stop-writer; nohup bash -c '${WRITER.replace(/'/g, `'\\''`)}' >/dev/null 2>&1 &`);
    await sh('for i in $(seq 1 50); do [ -s /home/oc/.openclaw/state/clawops-e2e.sqlite ] && exit 0; sleep 0.2; done; exit 1');
    const rec = await runBackup(ctx);
    await sh('touch /tmp/stop-writer');
    assert.equal(rec.ok, true, rec.error);
    assert.ok((rec.instances[0]?.sqlite ?? 0) >= 2, 'the gateway DB and the written DB captured online');

    const drill = await runDrill(ctx, { gatewayLimitSec: 150 });
    t.diagnostic(`drill: ${drill.steps.map((s) => `${s.name} ${s.status} ${s.durationMs} ms`).join(', ')}; RTO ${drill.rto?.seconds} s`);
    assert.equal(drill.ok, true, drill.error);
    const gw = drill.steps.find((s) => s.name === 'gateway');
    assert.equal(gw?.status, 'pass', gw?.detail);
    assert.match(gw?.detail ?? '', /\(as oc\) healthy on 127\.0\.0\.1:\d+/, 'the throwaway gateway runs as the service user');
    assert.doesNotMatch(gw?.detail ?? '', new RegExp(`:${PORT} `), 'never on the production port');

    // production gateway still up; replace its state in place
    await healthy(PORT);
    await sh(`echo 'written after the backup' > ${STATE}/workspace/AFTER.md`);
    const r = await restoreInPlace({ ...ctx, units: systemctlUnits(tb.executor) }, 'latest', 'oc');
    t.diagnostic(`in-place restore ${r.durationMs} ms; kept ${r.replacedPath}`);
    assert.match(r.replacedPath ?? '', /^\/home\/oc\/\.openclaw\.replaced-\d{8}T\d{6}$/);
    // adopted on the same host: nothing to re-own, and this host's own gateway lease is kept
    assert.deepEqual(r.adopted, { reowned: { owners: 0, groups: 0 }, foreignLeasesCleared: 0 });
    const check = await sh(`test -e ${r.replacedPath}/workspace/AFTER.md && ! test -e ${STATE}/workspace/AFTER.md && sqlite3 -readonly ${STATE}/state/clawops-e2e.sqlite 'PRAGMA integrity_check; SELECT count(*) FROM batches b WHERE b.n != (SELECT count(*) FROM t WHERE t.b = b.b);'`);
    assert.deepEqual(check.stdout.trim().split('\n'), ['ok', '0']);
    assert.equal((await healthy(PORT)).stdout.trim(), 'up', 'the gateway runs on the restored state');
  });

  test('the throwaway gateway gets the production restart policy, bounded: a failed first start is retried, a crash loop is not', async (t) => {
    // the restart policy, not OpenClaw, is under test here (the drill above starts the real gateway): a
    // root-owned launcher fails the first start of each copy (a marker in the copy's state), then answers
    // /healthz on the drill's port as the gateway does; one that always fails cannot start at all
    // (inside sh single quotes: no single quote in it)
    const healthz = 'require("node:http").createServer((q, s) => s.end(JSON.stringify({ ok: true }))).listen(Number(process.env.OPENCLAW_GATEWAY_PORT), "127.0.0.1")';
    await tb.executor.writeFile('/usr/local/bin/oc-flaky', `#!/bin/sh\n[ -e "$OPENCLAW_STATE_DIR/.started" ] || { : > "$OPENCLAW_STATE_DIR/.started"; echo "first start fails" >&2; exit 1; }\nexec node -e '${healthz}'\n`, { mode: 0o755 });
    await tb.executor.writeFile('/usr/local/bin/oc-broken', '#!/bin/sh\necho "never starts" >&2\nexit 1\n', { mode: 0o755 });
    const probe = async (bin: string) => {
      const scratch = `/root/probe-${randomBytes(3).toString('hex')}`;
      // a live gateway's state: a staging file it renames away mid-copy is retried (at most 3 copies)
      await sh(`install -d -m 0700 ${scratch} && for i in 1 2 3; do rm -rf ${scratch}/state; cp -a ${STATE} ${scratch}/state && break; done && rm -f ${scratch}/state/.started`);
      try {
        return await probeGateway(tb.executor, {
          bin, stateDir: `${scratch}/state`, envFile: `${scratch}/state/gateway.systemd.env`, home: `${scratch}/home`,
          version: '2026.9.6', user: 'oc', userPath: '/usr/local/bin:/usr/bin:/bin', limitSec: 150,
        });
      } finally {
        await sh(`rm -rf -- ${scratch}`);
      }
    };
    const flaky = await probe('/usr/local/bin/oc-flaky');
    t.diagnostic(`flaky first start: ${flaky.status} in ${flaky.durationMs} ms: ${flaky.detail}`);
    assert.equal(flaky.status, 'pass', flaky.detail);
    assert.equal(flaky.restarts, 1);
    assert.match(flaky.detail, /after 1 restart$/);
    const broken = await probe('/usr/local/bin/oc-broken');
    t.diagnostic(`never starts: ${broken.status} in ${broken.durationMs} ms: ${broken.detail}`);
    assert.equal(broken.status, 'fail');
    assert.match(broken.detail, /exited before it was healthy \(2 restarts\): .*never starts/);
    assert.equal((await sh('systemctl list-units --all --plain --no-legend "clawops-drill-*" | wc -l')).stdout.trim(), '0', 'no drill unit left behind');
  });
});
