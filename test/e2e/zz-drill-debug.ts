import { randomBytes } from 'node:crypto';
import { startTestbed } from '../helpers/testbed.ts';
import { probeGateway } from '../../src/backup/gateway.ts';
const HOME = '/home/oc'; const STATE = `${HOME}/.openclaw`;
const tb = await startTestbed({ openclaw: '2026.9.6' });
const sh = (s: string, t = 300_000) => tb.executor.run(['bash', '-c', s], { timeoutMs: t, allowFailure: true });
try {
  await sh('apt-get install -y -q sqlite3 >/dev/null');
  await sh(`useradd --create-home --home-dir ${HOME} --shell /usr/sbin/nologin oc && mkdir -p ${STATE}/state ${STATE}/workspace && chmod 700 ${STATE}`);
  await tb.executor.writeFile(`${STATE}/openclaw.json`, JSON.stringify({ gateway: { mode: 'local', bind: 'loopback', port: 18789, auth: { mode: 'token', token: '${OPENCLAW_GATEWAY_TOKEN}' } } }, null, 2), { mode: 0o600 });
  await tb.executor.writeFile(`${STATE}/gateway.systemd.env`, `OPENCLAW_GATEWAY_TOKEN=${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  await sh(`chown -R oc:oc ${HOME}`);
  await sh(`systemd-run --unit=prod -p User=oc -p EnvironmentFile=${STATE}/gateway.systemd.env -p Environment="HOME=${HOME} OPENCLAW_STATE_DIR=${STATE} OPENCLAW_CONFIG_PATH=${STATE}/openclaw.json OPENCLAW_SKIP_CHANNELS=1" /usr/local/bin/openclaw gateway run`);
  const up = await sh(`for i in $(seq 1 240); do r=$( (exec 3<>/dev/tcp/127.0.0.1/18789 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && timeout 5 cat <&3) 2>/dev/null); case $r in *'"ok":true'*) echo up; exit 0;; esac; sleep 1; done; exit 1`);
  console.log('prod', up.stdout, up.exitCode);
  await sh('systemctl stop prod');
  const scratch = '/var/lib/clawops/backup/scratch/drill-x';
  await sh(`install -d -m 0700 /var/lib/clawops /var/lib/clawops/backup /var/lib/clawops/backup/scratch ${scratch} ${scratch}/instance ${scratch}/instance/oc && cp -a ${STATE} ${scratch}/instance/oc/state && chown -R root:root ${scratch}`);
  const p = await probeGateway(tb.executor, { bin: '/usr/local/bin/openclaw', stateDir: `${scratch}/instance/oc/state`, envFile: `${scratch}/instance/oc/state/gateway.systemd.env`, home: `${scratch}/home`, version: '2026.9.6', limitSec: 200, user: 'oc', userPath: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' });
  console.log(JSON.stringify(p));
  const j = await sh(`journalctl -o cat --no-pager -u 'clawops-drill-*' | grep -iv '^$' | tail -n 60`);
  console.log(j.stdout);
} finally { await tb.stop(); }
