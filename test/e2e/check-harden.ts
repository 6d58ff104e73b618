/**
 * Brings a fresh testbed to the runbooks' hardened state by hand, through the executor: packages
 * from the testbed's offline apt repo, the service user, modes, the gateway config and unit as
 * clawops renders them (src/openclaw), token in the env file, SOUL.md locked with its baseline,
 * ufw inside the container, the DOCKER-USER chain with its boot unit, fail2ban, unattended-upgrades,
 * the check timers, backup/drill records. Then starts the real gateway and waits for it.
 */
import type { Executor } from '../../src/exec/types.ts';
import { desiredChain, PERSIST_UNIT, PERSIST_UNIT_PATH, renderPersistUnit } from '../../src/firewall/docker-user.ts';
import { desiredConfigKeys } from '../../src/openclaw/config-keys.ts';
import { setPath, type JsonObject } from '../../src/openclaw/config-doc.ts';
import { renderGatewayUnit } from '../../src/openclaw/unit.ts';
import { capabilities } from '../../src/openclaw/versions.ts';
import { identityBaselinePath, lastBackupPath, lastDrillPath, PROFILES, timerUnit, unitFilePath } from '../../src/facts/paths.ts';
import type { ResolvedSpec } from '../../src/desired/resolve.ts';

export const SPEC_YAML = (version: string) => `openclaw: {version: "${version}"}
os: {packages: [curl, ca-certificates, jq, ufw, fail2ban, restic]}
`;

async function sh(ex: Executor, script: string, timeoutMs = 300_000): Promise<string> {
  const r = await ex.run(['bash', '-ec', script], { timeoutMs });
  return r.stdout;
}

export function hardenedConfigFor(spec: ResolvedSpec, version: string): JsonObject {
  const inst = spec.resolved[0]!;
  const doc: JsonObject = {};
  for (const k of desiredConfigKeys(spec, inst, version)) if (k.value !== undefined) setPath(doc, k.path, k.value);
  setPath(doc, ['gateway', 'auth', 'token'], '${OPENCLAW_GATEWAY_TOKEN}');
  if (!capabilities(version).tokenEnvReference) setPath(doc, ['gateway', 'remote', 'token'], '${OPENCLAW_GATEWAY_TOKEN}');
  return doc;
}

export async function harden(ex: Executor, spec: ResolvedSpec, version: string): Promise<void> {
  const i = spec.resolved[0]!;
  const S = i.stateDir;
  await sh(ex, `export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q ${[...spec.os.packages, 'unattended-upgrades', 'iptables'].join(' ')} >/dev/null
id ${i.user} >/dev/null 2>&1 || useradd --system --create-home --home-dir ${i.home} --shell /usr/sbin/nologin ${i.user}
passwd -l ${i.user} >/dev/null; chmod 700 ${i.home}
install -d -o ${i.user} -g ${i.user} -m 700 ${S} ${S}/workspace
install -d -o ${i.user} -g ${i.user} -m 755 ${i.npmPrefix} ${i.npmPrefix}/bin
ln -sf "$(command -v openclaw)" ${i.bin}
umask 077; printf 'OPENCLAW_GATEWAY_TOKEN=%s\\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n')" > ${i.envFile}
chown ${i.user}:${i.user} ${i.envFile}; chmod 600 ${i.envFile}
install -d -m 755 /etc/clawops /var/lib/clawops /var/lib/clawops/identity /var/lib/clawops/backup /etc/docker
umask 077; head -c 32 /dev/urandom | od -An -tx1 > /etc/clawops/restic-password
printf '# Agent Identity\\n\\nYou are a helpful personal assistant.\\n' > ${S}/workspace/SOUL.md
chown root:${i.user} ${S}/workspace/SOUL.md; chmod 444 ${S}/workspace/SOUL.md
sha256sum ${S}/workspace/SOUL.md > ${identityBaselinePath(spec, i)}; chmod 644 ${identityBaselinePath(spec, i)}
printf 'APT::Periodic::Update-Package-Lists "1";\\nAPT::Periodic::Unattended-Upgrade "1";\\n' > /etc/apt/apt.conf.d/20auto-upgrades
printf '[DEFAULT]\\nbantime = 3600\\n[sshd]\\nenabled = true\\nbackend = systemd\\nmaxretry = 3\\n' > /etc/fail2ban/jail.local
systemctl restart fail2ban
ufw --force reset >/dev/null; ufw default deny incoming >/dev/null; ufw default allow outgoing >/dev/null
ufw allow 22/tcp >/dev/null; ufw allow in on tailscale0 >/dev/null; ufw --force enable >/dev/null
`);
  await ex.writeFile(`${S}/openclaw.json`, `${JSON.stringify(hardenedConfigFor(spec, version), null, 2)}\n`, { mode: 0o600, owner: i.user, group: i.user });
  await ex.writeFile('/etc/docker/daemon.json', `${JSON.stringify(spec.docker.daemon, null, 2)}\n`, { mode: 0o644 });
  await ex.writeFile(unitFilePath(i), renderGatewayUnit(spec, i, version), { mode: 0o644 });
  await ex.writeFile(PERSIST_UNIT_PATH, renderPersistUnit(spec.firewall.managementInterfaces), { mode: 0o644 });
  const now = new Date().toISOString();
  await ex.writeFile(lastBackupPath(spec), JSON.stringify({ schemaVersion: 1, kind: 'backup', ok: true, startedAt: now, finishedAt: now, lastSuccessAt: now, durationMs: 1, host: 'tb', repository: spec.backup.repository, instances: [] }), { mode: 0o644 });
  await ex.writeFile(lastDrillPath(spec), JSON.stringify({ schemaVersion: 1, kind: 'drill', ok: true, startedAt: now, finishedAt: now, lastSuccessAt: now, host: 'tb', instance: i.name, steps: [] }), { mode: 0o644 });
  for (const p of PROFILES) {
    if (p === 'go-live') continue;
    const t = timerUnit(p);
    await ex.writeFile(`/etc/systemd/system/${t.replace('.timer', '.service')}`, `[Service]\nType=oneshot\nExecStart=/bin/true\n`, { mode: 0o644 });
    // OnActiveSec makes each timer fire once right away, so "recently run" is true on a fresh host
    await ex.writeFile(`/etc/systemd/system/${t}`, `[Timer]\nOnCalendar=${spec.monitoring.schedules[p]}\nOnActiveSec=1s\n[Install]\nWantedBy=timers.target\n`, { mode: 0o644 });
  }
  await sh(ex, `systemctl daemon-reload
systemctl enable --now ${PERSIST_UNIT} ${PROFILES.filter((p) => p !== 'go-live').map((p) => timerUnit(p as Exclude<typeof p, 'go-live'>)).join(' ')} >/dev/null 2>&1
systemctl enable --now ${i.unit} >/dev/null 2>&1
iptables -S DOCKER-USER >/dev/null
for n in $(seq 1 60); do ss -tlnH "sport = :${i.port}" | grep -q . && break; sleep 1; done
for n in $(seq 1 30); do curl -fsS -m 2 http://127.0.0.1:${i.port}/healthz >/dev/null 2>&1 && break; sleep 1; done
sleep 2`, 150_000);
  void desiredChain;
}
