/** Table-driven: one breakage of a hardened host in, the check id that catches it and its fix out. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { desiredChain } from '../../../src/firewall/docker-user.ts';
import { describeSecret } from '../../../src/facts/secrets.ts';
import type { Raw } from '../../../src/facts/types.ts';
import { evaluateRun, planRun } from '../../../src/checks/run.ts';
import { parseWaivers } from '../../../src/checks/waivers-file.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import { EXIT78_JOURNAL, hardenedConfig, hardenedRaw, hardenedSpec, LINT_EXPECTED, NEEDRESTART_CURRENT, NOW } from './hardened-facts.ts';
import { openclawConfig } from '../../../src/facts/openclaw.ts';
import type { Executor } from '../../../src/exec/types.ts';


/** Sets the raw of the (one) fact of this kind, whatever its argument. */
function setByKind(r: Map<string, Raw>, kind: string, raw: Raw): void {
  const key = [...r.keys()].find((k) => k.startsWith(`${kind}:`));
  if (!key) throw new Error(`no ${kind} fact planned`);
  r.set(key, raw);
}

const cmd = (stdout: string, exitCode = 0): Raw => ({ t: 'cmd', exitCode, stdout, stderr: '', timedOut: false, durationMs: 1 });
const file = (content: string | null): Raw => ({ t: 'file', content, durationMs: 1 });
const HOME = '/home/openclaw-svc';
const CFG = `openclaw.config:${HOME}/.openclaw/openclaw.json`;

const specOf = (yaml = '') => hardenedSpec(yaml);
const AIDE_ADDED = `conf-sha256 ${'c'.repeat(64)}\nAIDE found differences between database and filesystem!!\n\nSummary:\n  Total number of entries:\t413\n  Added entries:\t\t1\n  Removed entries:\t\t0\n  Changed entries:\t\t0\n\n---------------------------------------------------\nAdded entries:\n---------------------------------------------------\n\nf++++++++++++++++: /usr/local/bin/helper\nrc=1\n`;
const MODULES = ['dccp', 'sctp', 'rds', 'tipc', 'usb-storage'].map((m) => `${m}|no|install /bin/true `).join('\n') + '\n';
/** the key of the sysctl fact with every baseline key (not the core-dump check's one-key fact) */
const sysctlKey = (r: Map<string, Raw>) => [...r.keys()].find((k) => k.startsWith('sysctl:net.'))!;
function sysctlWith(r: Map<string, Raw>, key: string, w: 'rw' | 'ro', value: string): Raw {
  const cur = r.get(sysctlKey(r)) as Extract<Raw, { t: 'cmd' }>;
  return cmd(cur.stdout.replace(new RegExp(`^${key.replaceAll('.', '\\.')}\\|.*$`, 'm'), `${key}|${w}|${value}`));
}

function withConfig(version: '2026.9.6' | '2026.2.9', edit: (c: Record<string, any>) => void): [string, Raw] {
  const c = hardenedConfig(version) as Record<string, any>;
  edit(c);
  return [CFG, file(JSON.stringify(c))];
}

interface Case {
  name: string;
  version?: '2026.9.6' | '2026.2.9';
  change: (raw: Map<string, Raw>) => void;
  id: string;
  fix: RegExp;
}

const ufwWith = (extra: string) => cmd(`Status: active\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n\nTo                         Action      From\n--                         ------      ----\nAnywhere on tailscale0     ALLOW IN    Anywhere\n${extra}\n`);

/** The raw the real probe makes of this file text (an unparsable file is a reading, without its content). */
const probedConfig = (text: string) => openclawConfig.probe!({ readFile: async () => Buffer.from(text) } as unknown as Executor, 'p') as Promise<Raw>;
const CUT_SHORT = await probedConfig(`{ gateway: { mode: "local", auth: { token: "${'s'.repeat(64)}"`);

const CASES: Case[] = [
  { name: 'a new workspace skill appears', change: (r) => setByKind(r, 'openclaw.inventory', cmd(`workspace-skills\tnotes\t${HOME}/.openclaw/workspace/skills/notes\t${'a'.repeat(64)}\nworkspace-skills\tcrypto-helper\t${HOME}/.openclaw/workspace/skills/crypto-helper\t${'b'.repeat(64)}\n`)), id: 'identity.extensions', fix: /rm -rf -- PATH.*rm \/var\/lib\/clawops\/inventory\/openclaw\.tsv && clawops apply/ },
  { name: 'a recorded plugin changed', change: (r) => setByKind(r, 'openclaw.inventory', cmd(`workspace-skills\tnotes\t${HOME}/.openclaw/workspace/skills/notes\t${'c'.repeat(64)}\n`)), id: 'identity.extensions', fix: /manual: review \/home\/openclaw-svc\/\.openclaw\/workspace\/skills\/notes/ },
  { name: 'openclaw.json cut short (no longer parses)', change: (r) => r.set(CFG, CUT_SHORT), id: 'openclaw.config.present', fix: /puts back the newest copy in OpenClaw's \.bak ring that parses/ },
  { name: 'a kernel setting put back by hand (kptr_restrict 0)', change: (r) => r.set(sysctlKey(r), sysctlWith(r, 'kernel.kptr_restrict', 'rw', '0')), id: 'host.baseline.sysctl', fix: /clawops apply \(writes \/etc\/sysctl\.d\/zz-clawops-hardening\.conf and sets the values now\)/ },
  { name: 'the modprobe.d rules gone (dccp loadable)', change: (r) => setByKind(r, 'modules', cmd(MODULES.replace('dccp|no|install /bin/true', 'dccp|no|insmod /lib/modules/6.1.0/kernel/net/dccp/dccp.ko'))), id: 'host.baseline.modules', fix: /clawops apply \(writes the modprobe\.d file\)/ },
  { name: 'sctp loaded already', change: (r) => setByKind(r, 'modules', cmd(MODULES.replace('sctp|no', 'sctp|loaded'))), id: 'host.baseline.modules', fix: /^rmmod sctp \(or reboot\)$/ },
  { name: 'a login shell gets umask 022', change: (r) => r.set('login-umask', cmd('0022\n')), id: 'host.baseline.umask', fix: /clawops apply \(UMASK in \/etc\/login\.defs/ },
  { name: 'systemd gives services core files', change: (r) => r.set('systemd-core-limit', cmd('infinity\n')), id: 'host.baseline.core-dumps', fix: /re-executes systemd/ },
  { name: 'a binary dropped into /usr/local/bin', change: (r) => setByKind(r, 'aide', cmd(AIDE_ADDED)), id: 'host.baseline.aide', fix: /`clawops emergency evidence` first.*`clawops aide accept`/ },
  { name: 'the audit rules flushed (auditctl -D)', change: (r) => setByKind(r, 'audit', cmd('container none\n--- file\n# x\n--- loaded\nNo rules\n')), id: 'host.baseline.auditd', fix: /augenrules --load/ },
  { name: 'a package binary changed', change: (r) => r.set('debsums', cmd('debsums: changed file /usr/sbin/sshd (from openssh-server package)\nrc=2\n')), id: 'host.baseline.debsums', fix: /^manual: find out who changed \/usr\/sbin\/sshd and why .*`apt-get install --reinstall openssh-server`$/ },
  { name: 'sshd runs an outdated libc after an upgrade', change: (r) => r.set('needrestart', cmd(`${NEEDRESTART_CURRENT}NEEDRESTART-SVC: ssh.service\n`)), id: 'host.baseline.needrestart', fix: /^manual: systemctl restart ssh\.service$/ },
  { name: 'a newer kernel installed, not booted', change: (r) => r.set('needrestart', cmd(NEEDRESTART_CURRENT.replace('KEXP: 6.1.0-28', 'KEXP: 6.1.0-29').replace('KSTA: 1', 'KSTA: 3'))), id: 'host.baseline.needrestart', fix: /^manual: reboot \(the new kernel\)$/ },
  { name: 'ufw allow 18789/tcp', change: (r) => r.set('ufw', ufwWith('18789/tcp                  ALLOW IN    Anywhere')), id: 'firewall.ufw.allow-rules', fix: /^ufw delete allow 18789\/tcp$/ },
  { name: 'ufw disabled', change: (r) => r.set('ufw', cmd('Status: inactive\n')), id: 'firewall.ufw.active', fix: /clawops apply \(firewall step/ },
  { name: 'default allow incoming', change: (r) => r.set('ufw', cmd('Status: active\nDefault: allow (incoming), allow (outgoing), disabled (routed)\n')), id: 'firewall.ufw.incoming', fix: /^ufw default deny incoming$/ },
  { name: 'config chmod 644', change: (r) => r.set(`stat:${HOME}/.openclaw/openclaw.json`, cmd('regular file|644|999|999|openclaw-svc|openclaw-svc|10|1\n')), id: 'files.config', fix: /chmod 600 \/home\/openclaw-svc\/.openclaw\/openclaw.json/ },
  { name: 'state dir 755', change: (r) => r.set(`stat:${HOME}/.openclaw`, cmd('directory|755|999|999|openclaw-svc|openclaw-svc|10|1\n')), id: 'files.state-dir', fix: /chmod 700/ },
  { name: 'a "*" sender under a pairing DM policy', change: (r) => r.set(...withConfig('2026.9.6', (c) => (c.channels.telegram.allowFrom = ['*', '42']))), id: 'openclaw.config.channels', fix: /clawops apply/ },
  { name: 'a "*" group sender in an account', change: (r) => r.set(...withConfig('2026.9.6', (c) => (c.channels.telegram.accounts = { work: { groupAllowFrom: ['*'] } }))), id: 'openclaw.config.channels', fix: /clawops apply/ },
  { name: 'bind lan', change: (r) => r.set(...withConfig('2026.9.6', (c) => (c.gateway.bind = 'lan'))), id: 'openclaw.config.bind', fix: /gateway\.bind="loopback"/ },
  { name: 'gateway bound to 0.0.0.0', change: (r) => r.set('listen', cmd('LISTEN 0 511 0.0.0.0:18789 0.0.0.0:* users:(("openclaw-gatewa",pid=42,fd=20))\n')), id: 'network.gateway-loopback', fix: /gateway\.bind=loopback; then systemctl restart openclaw\.service/ },
  { name: 'SOUL.md edited', change: (r) => r.set(`sha256:${HOME}/.openclaw/workspace/SOUL.md`, cmd(`${'0'.repeat(64)}\n`)), id: 'identity.baseline', fix: /restore the file from a snapshot/ },
  { name: 'SOUL.md chmod 644', change: (r) => r.set(`stat:${HOME}/.openclaw/workspace/SOUL.md`, cmd('regular file|644|0|0|root|openclaw-svc|10|1\n')), id: 'identity.locked', fix: /chown root:openclaw-svc .*SOUL.md && chmod 444/ },
  { name: 'DOCKER-USER DROP removed', change: (r) => r.set('iptables.docker-user', cmd(['-N DOCKER-USER', '-A FORWARD -j DOCKER-USER', ...desiredChain(['tailscale0']).slice(0, -1)].join('\n'))), id: 'firewall.docker-user', fix: /iptables -A DOCKER-USER -j DROP/ },
  { name: 'service stopped', change: (r) => r.set('unit:openclaw.service', cmd('Id=openclaw.service\nLoadState=loaded\nActiveState=inactive\nSubState=dead\nUnitFileState=enabled\nResult=success\nNRestarts=0\nRestart=always\n')), id: 'service.active', fix: /systemctl start openclaw\.service/ },
  { name: 'start-limit latch', change: (r) => r.set('unit:openclaw.service', cmd('Id=openclaw.service\nLoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=enabled\nResult=start-limit-hit\nNRestarts=3\nRestart=always\nStartLimitBurst=5\n')), id: 'service.start-limit', fix: /systemctl reset-failed openclaw\.service/ },
  { name: 'a timer disabled', change: (r) => r.set('unit:clawops-backup.timer', cmd('Id=clawops-backup.timer\nLoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\n')), id: 'monitoring.timers', fix: /systemctl enable --now clawops-backup\.timer/ },
  { name: 'a passwordless sudo rule for the service user', change: (r) => r.set('sudoers', cmd('==> /etc/sudoers.d/agent\nopenclaw-svc ALL=(root) NOPASSWD: /usr/bin/systemctl\n')), id: 'user.sudo', fix: /visudo -f/ },
  { name: 'a cloud image\'s NOPASSWD:ALL for its default user', change: (r) => r.set('sudoers', cmd('==> /etc/sudoers.d/90-cloud-init-users\nubuntu ALL=(ALL) NOPASSWD:ALL\n')), id: 'host.sudo-nopasswd', fix: /narrow each rule/ },
  { name: 'the host contained', change: (r) => r.set('file:/var/lib/clawops/contained.json', file(JSON.stringify({ schemaVersion: 1, at: '2026-11-01T00:00:00.000Z', reason: 'x', incident: 1, instances: [], timers: [], containers: [], restartPolicies: {}, allowInterfaces: ['tailscale0'] }))), id: 'host.not-contained', fix: /clawops emergency recover/ },
  { name: 'token shortened', change: (r) => r.set(`envfile:${HOME}/.openclaw/gateway.systemd.env`, file(`OPENCLAW_GATEWAY_TOKEN=${describeSecret('short-token-1234')}\n`)), id: 'openclaw.config.auth', fix: /^clawops rotate gateway-token$/ },
  { name: 'the running gateway refuses the token in its file (it started before a hand edit)', change: (r) => setByKind(r, 'openclaw.token-live', cmd('refused\n')), id: 'network.gateway-token-live', fix: /^clawops apply \(restarts openclaw\.service on the token in its file\)/ },
  { name: 'the backup repository password readable by all', change: (r) => r.set('stat:/etc/clawops/restic-password', cmd('regular file|644|0|0|root|root|40|1\n')), id: 'files.secret-refs', fix: /^manual: chmod 600 \/etc\/clawops\/restic-password$/ },
  { name: 'a plugin enabled in openclaw.json that the spec does not name', change: (r) => r.set(...withConfig('2026.9.6', (c) => (c.plugins = { entries: { lobster: { enabled: true } } }))), id: 'openclaw.config.plugins', fix: /^manual: name it in the spec, then clawops apply: plugins\.disable: \[lobster\] turns it off/ },
  { name: 'wildcard in elevated allowFrom', change: (r) => r.set(...withConfig('2026.9.6', (c) => (c.tools.elevated = { enabled: true, allowFrom: { telegram: ['*'] } }))), id: 'openclaw.config.elevated', fix: /gateway config step/ },
  { name: '9.x: allowInsecureAuth present', change: (r) => r.set(...withConfig('2026.9.6', (c) => (c.gateway.controlUi.allowInsecureAuth = false))), id: 'openclaw.config.control-ui', fix: /removes the key/ },
  { name: '2.x: Control UI on, allowInsecureAuth absent', version: '2026.2.9', change: (r) => r.set(...withConfig('2026.2.9', (c) => (c.gateway.controlUi = { enabled: true }))), id: 'openclaw.config.control-ui', fix: /gateway config step/ },
  { name: '2.x: tokens differ', version: '2026.2.9', change: (r) => r.set(...withConfig('2026.2.9', (c) => (c.gateway.remote.token = describeSecret('x'.repeat(64))))), id: 'openclaw.config.token-alignment', fix: /clawops rotate gateway-token/ },
  { name: '9.x: literal token in openclaw.json', change: (r) => r.set(...withConfig('2026.9.6', (c) => (c.gateway.auth.token = describeSecret('y'.repeat(64))))), id: 'openclaw.config.token-alignment', fix: /moves the token to the env file/ },
  { name: 'operator terminal on (9.x default)', change: (r) => r.set(...withConfig('2026.9.6', (c) => delete c.gateway.terminal)), id: 'openclaw.config.terminal', fix: /gateway config step/ },
  { name: 'audit warn finding', change: (r) => r.set(`openclaw.audit:openclaw-svc ${HOME} ${HOME}/.openclaw/gateway.systemd.env ${HOME}/.npm-global/bin/openclaw`, cmd(JSON.stringify({ summary: { critical: 0, warn: 1, info: 0 }, findings: [{ checkId: 'gateway.trusted_proxies_missing', severity: 'warn', title: 'Reverse proxy headers are not trusted', remediation: 'Set gateway.trustedProxies' }] }))), id: 'audit.openclaw', fix: /gateway\.trusted_proxies_missing: Set gateway\.trustedProxies/ },
  { name: 'docker group', change: (r) => r.set('user:openclaw-svc', cmd(`openclaw-svc:x:999:999::${HOME}:/bin/bash\n---\n!\n---\nopenclaw-svc docker\n`)), id: 'user.docker-group', fix: /^manual: keep it knowingly .*docker\.serviceUserGroup: false/ },
  { name: 'Funnel on', change: (r) => r.set('tailscale.serve', cmd(JSON.stringify({ Web: {}, AllowFunnel: { 'vps.ts.net:443': true } }))), id: 'access.tailscale.funnel-off', fix: /tailscale funnel 443 off/ },
  { name: 'backup too old', change: (r) => r.set('file:/var/lib/clawops/backup/last.json', file(JSON.stringify({ schemaVersion: 1, kind: 'backup', ok: true, finishedAt: '2026-11-19T00:00:00Z', lastSuccessAt: '2026-11-19T00:00:00Z' }))), id: 'backup.recent', fix: /clawops backup run/ },
  { name: '9.x: the unit lost its token EnvironmentFile', change: (r) => r.set('file:/etc/systemd/system/openclaw.service', file(`[Service]\nUser=openclaw-svc\nEnvironmentFile=-${HOME}/.openclaw/.env\nExecStart=/x/openclaw gateway run\n`)), id: 'service.unit-file', fix: /render/ },
  { name: '9.x: the token env file is gone', change: (r) => r.set(`stat:${HOME}/.openclaw/gateway.systemd.env`, cmd('MISSING\n')), id: 'files.env', fix: /clawops apply/ },
  { name: '2.x: /healthz answers 503', version: '2026.2.9', change: (r) => r.set('http:http://127.0.0.1:18789/healthz', cmd('Service Unavailable\n503 text/plain')), id: 'network.gateway-health', fix: /systemctl restart openclaw\.service/ },
  { name: 'jail.local edited by hand', change: (r) => r.set('file.state:/etc/fail2ban/jail.local', cmd(`regular file|644|0|0|root|root|9|1700000000\n${'0'.repeat(64)}\n${Buffer.from('[sshd]\nenabled = false\n').toString('base64')}`)), id: 'host.managed-files', fix: /clawops apply/ },
  { name: 'the oc wrapper removed', change: (r) => r.set('file.state:/usr/local/bin/oc', cmd('MISSING\n')), id: 'host.managed-files', fix: /clawops apply/ },
  { name: 'the clawops launcher removed', change: (r) => r.set('clawops.install:/usr/local/lib/clawops\n/usr/local/bin/clawops', cmd('current=clawops-1.0.0-abc\nbin=absent\n')), id: 'host.clawops-installed', fix: /clawops apply/ },
  { name: 'unit writes the token', change: (r) => r.set('file:/etc/systemd/system/openclaw.service', file(`[Service]\nUser=openclaw-svc\nEnvironmentFile=-${HOME}/.openclaw/gateway.systemd.env\nEnvironment=OPENCLAW_GATEWAY_TOKEN=abc\nExecStart=/x/openclaw gateway run\n`)), id: 'service.unit-file', fix: /render/ },
  { name: '9.x: the CLI device paired as operator.admin (oc tui)', change: (r) => setByKind(r, 'openclaw.pairing', cmd(`${JSON.stringify({ db: true, deviceId: 'abcdef0123456789', cached: [{ role: 'operator', scopes: ['operator.admin', 'operator.read', 'operator.write'] }], paired: { role: 'operator', roles: ['operator'], scopes: ['operator.admin'], approvedScopes: ['operator.admin'], approvedVia: 'silent', clientId: 'openclaw-tui', clientMode: 'ui' } })}\n`)), id: 'audit.probe-device', fix: /pairs the service user's CLI device .* operator\.read/ },
  { name: '9.x: the CLI device never paired', change: (r) => setByKind(r, 'openclaw.pairing', cmd(`${JSON.stringify({ db: true, deviceId: null, cached: [], paired: null })}\n`)), id: 'audit.probe-device', fix: /clawops apply/ },
  { name: '9.x: doctor --lint flags the token as plaintext', change: (r) => setByKind(r, 'openclaw.doctor-lint', cmd(JSON.stringify({ ok: false, checksRun: 35, findings: [...LINT_EXPECTED, { checkId: 'core/doctor/security', severity: 'warning', message: 'WARNING: openclaw.json contains plaintext secret-bearing config fields.', requirement: 'config.plaintext_secrets', fixHint: 'Migrate them to SecretRefs' }] }), 1)), id: 'openclaw.doctor-lint', fix: /core\/doctor\/security: Migrate them to SecretRefs/ },
  { name: 'gateway stopped by a config OpenClaw rejects (exit 78)', change: (r) => { r.set('unit:openclaw.service', cmd('Id=openclaw.service\nLoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=enabled\nResult=exit-code\nNRestarts=0\nRestart=always\nExecMainStatus=78\nExecMainCode=1\n')); r.set('unit.journal:openclaw.service', cmd(`${EXIT78_JOURNAL}\n`)); }, id: 'service.active', fix: /fix the config key named above/ },
  { name: 'log directory readable by others', change: (r) => r.set('stat:/var/log/openclaw/openclaw', cmd('directory|755|999|999|openclaw-svc|openclaw-svc|10|1\n')), id: 'files.log-dir', fix: /chmod 750 \/var\/log\/openclaw\/openclaw/ },
];

describe('each breakage is caught by its check id with the exact fix', () => {
  for (const c of CASES) {
    it(`${c.name} -> ${c.id}`, () => {
      const version = c.version ?? '2026.9.6';
      const s = specOf(`openclaw: {version: "${version}"}`);
      const raw = hardenedRaw(s, version);
      c.change(raw);
      const results = evaluateRun(planRun({ spec: s, profile: 'go-live', now: NOW }), raw);
      const hit = results.find((r) => r.id === c.id);
      assert.equal(hit?.status, 'fail', `${c.id}: ${hit?.status} ${hit?.evidence}`);
      assert.match(hit!.remediation, c.fix);
      const others = results.filter((r) => r.status === 'fail' && r.id !== c.id).map((r) => r.id);
      assert.ok(others.length <= 1, `one breakage, one finding (also: ${others.join(', ')})`);
    });
  }
  it('at least 15 distinct ids are covered', () => assert.ok(new Set(CASES.map((c) => c.id)).size >= 15));
});

describe('waivers', () => {
  const s = specOf();
  const breakAudit = (raw: Map<string, Raw>) => CASES.find((c) => c.name === 'audit warn finding')!.change(raw);
  it('an active waiver turns a failure into waived; audit:<checkId> waives one finding', () => {
    const w = parseWaivers('waivers:\n  - {id: user.docker-group, reason: sandbox needs docker, expires: 2027-01-31}\n  - {id: "audit:gateway.trusted_proxies_missing", reason: loopback only, expires: 2027-01-31}\n', 'w.yaml', NOW);
    const raw = hardenedRaw(s);
    CASES.find((c) => c.id === 'user.docker-group')!.change(raw);
    breakAudit(raw);
    const results = evaluateRun(planRun({ spec: s, profile: 'go-live', now: NOW, waivers: w }), raw, w);
    assert.equal(results.find((r) => r.id === 'user.docker-group')?.status, 'waived');
    const audit = results.find((r) => r.id === 'audit.openclaw');
    assert.equal(audit?.status, 'pass');
    assert.match(audit!.evidence, /waived: gateway.trusted_proxies_missing/);
  });
  it('an expired waiver fails loudly and does not apply', () => {
    const w = parseWaivers('- {id: user.docker-group, reason: temporary, expires: 2026-11-01}\n', 'w.yaml', NOW);
    assert.equal(w.active.length, 0);
    const raw = hardenedRaw(s);
    CASES.find((c) => c.id === 'user.docker-group')!.change(raw);
    const results = evaluateRun(planRun({ spec: s, profile: 'go-live', now: NOW, waivers: w }), raw, w);
    assert.equal(results.find((r) => r.id === 'user.docker-group')?.status, 'fail');
    const v = results.find((r) => r.id === 'waivers.valid');
    assert.equal(v?.status, 'fail');
    assert.match(v!.evidence, /EXPIRED on 2026-11-01/);
  });
  it('a malformed waiver is reported', () => {
    const w = parseWaivers('- {id: x}\n', 'w.yaml', NOW);
    assert.match(w.problems[0] ?? '', /reason/);
  });
});
