/**
 * Raw facts of a host in the runbooks' hardened state, for the default spec: every go-live check
 * passes on them. Tests break one thing at a time and expect one check id to catch it.
 * Shapes come from the recorded outputs in test/fixtures (ufw, iptables -S, systemctl show...).
 */
import { parseSpec } from '../../../src/desired/parse.ts';
import { createHash } from 'node:crypto';
import { desiredChain } from '../../../src/firewall/docker-user.ts';
import { describeSecret } from '../../../src/facts/secrets.ts';
import type { Raw } from '../../../src/facts/types.ts';
import { planRun } from '../../../src/checks/run.ts';
import { renderGatewayUnit } from '../../../src/openclaw/unit.ts';
import type { Profile } from '../../../src/facts/paths.ts';
import type { ResolvedSpec } from '../../../src/desired/resolve.ts';
import { factReader } from '../../../src/facts/collect.ts';
import { desiredResources } from '../../../src/engine/registry.ts';
import type { PlanOutcome } from '../../../src/engine/types.ts';
import { isFileResource, type FileChangeData } from '../../../src/resources/file.ts';
import { launcherTarget } from '../../../src/resources/self.ts';
import { SYSCTLS } from '../../../src/baseline/sysctl.ts';
import { auditRules, renderAuditRules } from '../../../src/baseline/audit.ts';

export const NOW = new Date('2026-11-21T12:00:00Z');
/** `needrestart -b -r l` on an up-to-date host */
export const NEEDRESTART_CURRENT = 'NEEDRESTART-VER: 3.6\nNEEDRESTART-KCUR: 6.1.0-28-amd64\nNEEDRESTART-KEXP: 6.1.0-28-amd64\nNEEDRESTART-KSTA: 1\n';

/** The spec of the hardened host these facts describe: the runbook's Docker sandbox, the docker group opted in. */
export function hardenedSpec(extraYaml = ''): ResolvedSpec {
  const r = parseSpec(`docker: {serviceUserGroup: true}\n${extraYaml}`);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
}
const cmd = (stdout: string, exitCode = 0, stderr = ''): Raw => ({ t: 'cmd', exitCode, stdout, stderr, timedOut: false, durationMs: 1 });
const file = (content: string | null): Raw => ({ t: 'file', content, durationMs: 1 });
const stat = (type: string, mode: string, owner: string, group = owner) => cmd(`${type}|${mode}|0|0|${owner}|${group}|10|1700000000\n`);
const SOUL = '# Agent Identity\n';
export const INVENTORY_SHA = 'a'.repeat(64);
/** the sandbox image clawops built and recorded */
export const SANDBOX_IMAGE_ID = `sha256:${'5'.repeat(64)}`;
export const SOUL_SHA = createHash('sha256').update(SOUL).digest('hex');
const iso = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString();
const sdTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/^/, 'Sat ');

export function hardenedConfig(version: '2026.9.6' | '2026.2.9'): Record<string, unknown> {
  const token = describeSecret('t'.repeat(64));
  const nine = version === '2026.9.6';
  return {
    gateway: {
      mode: 'local', bind: 'loopback', port: 18789,
      auth: { mode: 'token', token: nine ? { source: 'env', provider: 'default', id: 'OPENCLAW_GATEWAY_TOKEN' } : token },
      ...(nine ? { terminal: { enabled: false } } : { remote: { token } }),
      controlUi: nine ? { enabled: false } : { enabled: false, allowInsecureAuth: false },
    },
    discovery: { mdns: { mode: 'off' } },
    ...(nine ? {} : { logging: { redactSensitive: 'tools' } }),
    tools: { deny: ['gateway', 'nodes'], elevated: { enabled: false }, profile: 'messaging' },
    agents: { defaults: { model: { primary: 'anthropic/claude' }, sandbox: { mode: 'all', scope: 'session', workspaceAccess: 'ro', docker: { network: 'none', readOnlyRoot: true } } } },
    channels: { telegram: { dmPolicy: 'pairing', groupPolicy: 'disabled', configWrites: false } },
  };
}

/** OpenClaw 2026.9.6's report (shape from its config guard) for a config it rejects, as the gateway writes it to the journal. */
export const EXIT78_JOURNAL = ['OpenClaw config is invalid', 'File: ~/.openclaw/openclaw.json', 'Problem:', '  - gateway.controlUi: Unrecognized key: "allowInsecureAuth"', '', 'Inspect: openclaw config validate', 'openclaw.service: Main process exited, code=exited, status=78/CONFIG'].join('\n');

export const LINT_EXPECTED = [
  { checkId: 'core/doctor/node-hosting-preconditions', severity: 'warning', message: 'Gateway is only bound to loopback. Set gateway.bind=lan, enable tailscale serve, or configure plugins.entries.device-pair.config.publicUrl.', path: 'gateway.bind', requirement: 'node-onboarding-url' },
  { checkId: 'core/doctor/skill-workshop-tool-policy', severity: 'warning', message: 'agents.defaults.sandbox.mode: "all". "skill_workshop" is unavailable in a sandboxed run without library-authoring authority.', path: 'agents.defaults.sandbox.mode', target: 'main' },
];

function unit(props: Record<string, string>): string {
  return `${Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/** Each file clawops writes, as apply writes it (its resource planned against a missing file), in file.state's shape. */
function managedFileStates(spec: ResolvedSpec): Map<string, Raw> {
  const out = new Map<string, Raw>();
  for (const r of desiredResources(spec).filter(isFileResource)) {
    const missing = new Map<string, Raw>(r.needs().map((n) => [n.key, n.kind.kind === 'clawops.spec-meaning' ? file(null) : cmd('MISSING\n')]));
    const o = r.plan(factReader(missing)) as PlanOutcome;
    const d = ('changes' in o ? o.changes[0]?.data : undefined) as FileChangeData | undefined;
    if (!d) continue;
    const bytes = d.encoding === 'base64' ? Buffer.from(d.content, 'base64') : Buffer.from(d.content);
    const sha = createHash('sha256').update(bytes).digest('hex');
    out.set(d.path, cmd(`regular file|${d.mode.toString(8)}|0|0|${d.owner}|${d.group}|${bytes.length}|1700000000\n${sha}\n${bytes.toString('base64')}`));
  }
  return out;
}

export function hardenedRaw(spec: ResolvedSpec, version: '2026.9.6' | '2026.2.9' = '2026.9.6', profile: Profile = 'go-live'): Map<string, Raw> {
  const i = spec.resolved[0]!;
  const nine = version === '2026.9.6';
  const raw = new Map<string, Raw>();
  const managed = managedFileStates(spec);
  const byKind: Record<string, (arg: string) => Raw> = {
    'file.state': (p) => managed.get(p) ?? cmd('MISSING\n'),
    // the spec copy is the rendered one: what it means is not needed (read only when the text differs)
    'clawops.spec-meaning': () => file(null),
    'clawops.install': () => cmd(`current=clawops-1.0.0-abc\nbin=symlink:${launcherTarget()}\nmarker:\n{"version":"1.0.0","hash":"sha256:abc","files":1}\n`),
    'node.version': () => cmd('v24.16.0\n'),
    'openclaw.install': () => cmd(`BIN=${i.bin}\nPKG=${i.npmPrefix}/lib/node_modules/openclaw/package.json\n  "version": "${version}",\n`),
    pkg: () => cmd('ii \n'),
    file: (p) => {
      if (p.endsWith('20auto-upgrades')) return file('APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n');
      if (p === '/etc/docker/daemon.json') return file(JSON.stringify({ ...spec.docker.daemon, 'live-restore': true }));
      // as apply renders it (9.x reads the token from the env file; 2.x keeps it in openclaw.json)
      if (p === `/etc/systemd/system/${i.unit}`) return file(renderGatewayUnit({ ...spec, openclaw: { ...spec.openclaw, version } }, i, version));
      if (p.endsWith('/identity/openclaw.sha256')) return file(`${SOUL_SHA}  ${i.stateDir}/workspace/SOUL.md\n`);
      if (p.endsWith('/inventory/openclaw.tsv')) return file(`workspace-skills\tnotes\t${INVENTORY_SHA}\n`);
      if (p.endsWith('/backup/last.json')) return file(JSON.stringify({ schemaVersion: 1, kind: 'backup', ok: true, startedAt: iso(3_600_000), finishedAt: iso(3_500_000), lastSuccessAt: iso(3_500_000), durationMs: 1, host: 'h', repository: 'r', instances: [] }));
      if (p.endsWith('/sandbox-image/built.json')) return file(JSON.stringify({ image: spec.sandbox.image, id: SANDBOX_IMAGE_ID, recipe: 'sha256:' + 'e'.repeat(64), builtAt: iso(86_400_000) }));
      if (p.endsWith('/credentials.json')) return file(JSON.stringify({ schemaVersion: 1, credentials: { 'gateway-token:openclaw': { at: iso(30 * 86_400_000), how: 'rotate' } } }));
      if (p.endsWith('/backup/drill.json')) return file(JSON.stringify({ schemaVersion: 1, kind: 'drill', ok: true, startedAt: iso(86_400_000), finishedAt: iso(86_000_000), lastSuccessAt: iso(86_000_000), host: 'h', instance: 'openclaw', steps: [] }));
      return file(null);
    },
    'unit': (u) => {
      if (u === i.unit) return cmd(unit({ Id: u, LoadState: 'loaded', ActiveState: 'active', SubState: 'running', UnitFileState: 'enabled', Result: 'success', MainPID: '42', NRestarts: '0', Restart: 'always', StartLimitBurst: '5' }));
      if (u.endsWith('.timer')) {
        const period = u.includes('health') ? 60_000 : 3_600_000;
        return cmd(unit({ Id: u, LoadState: 'loaded', ActiveState: 'active', SubState: 'waiting', UnitFileState: 'enabled', LastTriggerUSec: sdTime(NOW.getTime() - period / 2), NextElapseUSecRealtime: sdTime(NOW.getTime() + period / 2), Unit: u.replace('.timer', '.service') }));
      }
      return cmd(unit({ Id: u, LoadState: 'loaded', ActiveState: 'active', SubState: 'running', UnitFileState: 'enabled', Result: 'success' }));
    },
    fail2ban: () => cmd('Status\n|- Number of jail:\t1\n`- Jail list:\tsshd\n'),
    user: () => cmd(`${i.user}:x:999:999::${i.home}:/usr/sbin/nologin\n---\n!\n---\n${i.user}\n`),
    stat: (p) => {
      if (p === i.home || p === i.stateDir) return stat('directory', '700', i.user);
      if (p === `/var/log/openclaw/${i.name}`) return stat('directory', '750', i.user);
      if (p === `${i.stateDir}/openclaw.json` || (nine && p === i.envFile)) return stat('regular file', '600', i.user);
      if (p.endsWith('SOUL.md')) return stat('regular file', '444', 'root', i.user);
      if (p.endsWith('.sha256')) return stat('regular file', '644', 'root');
      if (p.endsWith('/inventory/openclaw.tsv')) return stat('regular file', '600', 'root');
      if (p.startsWith('/etc/clawops/')) return stat('regular file', '600', 'root');
      return cmd('MISSING\n');
    },
    sha256: () => cmd(`${SOUL_SHA}\n`),
    // a host whose ledger has no history yet (the testbed's answer before the timers ran)
    'ledger.memory': () => cmd('NO-LEDGER\n'),
    'systemd.exposure': () => cmd('→ Overall exposure level for openclaw.service: 2.9 OK 🙂\n'),
    listen: () => cmd(`LISTEN 0 511 127.0.0.1:${i.port} 0.0.0.0:* users:(("openclaw-gatewa",pid=42,fd=20))\nLISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=7,fd=3))\n`),
    // 2.x has no health endpoint, and with the Control UI off /healthz is a 404 (seen on the testbed); 9.x
    // answers /healthz and /readyz (the testbed's answers, as curl writes them with their time)
    http: (url) => {
      if (!nine) return cmd('Not Found\n404 0.001807 text/plain; charset=utf-8');
      if (url.endsWith('/readyz')) return cmd('{"ready":true,"failing":[],"uptimeMs":938941,"eventLoop":{"degraded":false,"degradedSinceMs":null,"reasons":[],"delayP99Ms":25.7,"delayMaxMs":25.7,"utilization":0.006}}\n200 0.020271 application/json; charset=utf-8');
      return cmd('{"ok":true,"status":"live"}\n200 0.018512 application/json; charset=utf-8');
    },
    ufw: () => cmd(['Status: active', 'Logging: on (low)', 'Default: deny (incoming), allow (outgoing), disabled (routed)', 'New profiles: skip', '', 'To                         Action      From', '--                         ------      ----', '22/tcp                     ALLOW IN    Anywhere                   # clawops: ssh safety net', 'Anywhere on tailscale0     ALLOW IN    Anywhere                   # clawops', '22/tcp (v6)                ALLOW IN    Anywhere (v6)              # clawops: ssh safety net', 'Anywhere (v6) on tailscale0 ALLOW IN    Anywhere (v6)              # clawops', ''].join('\n')),
    'iptables.docker-user': () => cmd(['-P INPUT DROP', '-P FORWARD DROP', '-N DOCKER-USER', '-A FORWARD -j DOCKER-USER', ...desiredChain(spec.firewall.managementInterfaces), ''].join('\n')),
    'openclaw.config': () => file(JSON.stringify(hardenedConfig(version))),
    envfile: () => file(nine ? `OPENCLAW_GATEWAY_TOKEN=${describeSecret('t'.repeat(64))}\n` : null),
    'openclaw.audit': () => cmd(JSON.stringify({ summary: { critical: 0, warn: 0, info: 1 }, findings: [{ checkId: 'summary.attack_surface', severity: 'info', title: 'Attack surface summary' }] })),
    'docker.sandbox-image': () => cmd(`docker=yes\nlabels={"org.clawops.sandbox.recipe":"sha256:${'e'.repeat(64)}"}\nid=${SANDBOX_IMAGE_ID}\nbase=yes\ndigests=\n`),
    'openclaw.models': () => cmd('ok\n'),
    // a spec with a budget: nothing spent yet
    'openclaw.usage-cost': () => cmd(JSON.stringify({ daily: [], totals: { totalCost: 0, totalTokens: 0, missingCostEntries: 0 } })),
    // a provider key's reference holds a value (a spec with providers; the tests set the copy)
    'secret-source': () => file(describeSecret('k'.repeat(40))),
    'unit.journal': () => cmd('Started openclaw.service.\n'),
    // Debian's /etc/sudoers: no passwordless rule
    sudoers: () => cmd('==> /etc/sudoers\nDefaults\tenv_reset\nroot\tALL=(ALL:ALL) ALL\n%sudo\tALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n'),
    // the running gateway accepts the token in its file
    'openclaw.token-live': () => cmd('accepted\n'),
    'openclaw.pairing': () => cmd(`${JSON.stringify({ db: true, deviceId: 'cc4c82c0aa8c4ae9', cached: [{ role: 'operator', scopes: ['operator.read'] }], paired: { role: 'operator', roles: ['operator'], scopes: ['operator.read'], approvedScopes: ['operator.read'], approvedVia: 'silent', clientId: 'cli', clientMode: 'cli' } })}\n`),
    // as seen on the applied testbed: the two findings the spec's choices explain (suppressed with their reasons)
    'openclaw.doctor-lint': () => cmd(JSON.stringify({ schemaVersion: 1, ok: false, checksRun: 35, findings: LINT_EXPECTED }), 1),
    'tailscale.status': () => cmd(JSON.stringify({ BackendState: 'Running', Self: { Online: true, TailscaleIPs: ['100.101.102.103'] } })),
    'tailscale.serve': () => cmd('{}\n'),
    // a host with the baseline in force (a VM: every kernel setting can be set)
    sysctl: (keys) => cmd(`container none\n${keys.split('\n').map((k) => `${k}|rw|${SYSCTLS.find((x) => x.key === k)?.value ?? '0'}`).join('\n')}\n`),
    modules: (names) => cmd(`${names.split('\n').map((m) => `${m}|no|install /bin/true `).join('\n')}\n`),
    'login-umask': () => cmd('0027\n'),
    'systemd-core-limit': () => cmd('0\n'),
    debsums: () => cmd('rc=0\n'),
    // a host whose kernel is its own: the rules file and the rules loaded (directories as the kernel lists them)
    audit: () => cmd(`container none\n--- file\n${renderAuditRules(spec)}--- loaded\n${auditRules(spec).map((r) => (r.path.endsWith('.d') || !/\.[a-z]+$/.test(r.path) ? `-a always,exit -F dir=${r.path} -F perm=${r.perms} -F key=${r.key}` : `-w ${r.path} -p ${r.perms} -k ${r.key}`)).join('\n')}\n`),
    aide: () => cmd(`conf-sha256 ${'c'.repeat(64)}\nStart timestamp: 2026-11-21 12:00:00 +0000 (AIDE 0.18.3)\nAIDE found NO differences between database and filesystem. Looks okay!!\n\nNumber of entries:\t412\nrc=0\n`),
    needrestart: () => cmd(NEEDRESTART_CURRENT),
    // one workspace skill the operator installed and recorded
    'openclaw.inventory': () => cmd(`workspace-skills\tnotes\t${i.stateDir}/workspace/skills/notes\t${INVENTORY_SHA}\n`),
  };
  for (const p of planRun({ spec, profile, now: NOW })) {
    for (const r of p.refs) {
      const make = byKind[r.kind.kind];
      if (!make) throw new Error(`hardenedRaw: no fixture for fact kind ${r.kind.kind}`);
      raw.set(r.key, make(r.arg));
    }
  }
  return raw;
}
