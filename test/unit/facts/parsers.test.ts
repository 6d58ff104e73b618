/** Every parser, on recorded real output (test/fixtures/samples, firewall, host) or constructed Tailscale output. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Raw } from '../../../src/facts/types.ts';
import { isUnknown } from '../../../src/facts/types.ts';
import { dockerUserChain, parseChain, ufwStatus } from '../../../src/facts/firewall.ts';
import { httpHealth, listeners, parseSs } from '../../../src/facts/network.ts';
import { envFile, openclawAudit, openclawConfig, openclawInstall } from '../../../src/facts/openclaw.ts';
import { fail2banStatus, tailscaleServe, tailscaleStatus } from '../../../src/facts/services.ts';
import { dpkgPackage, fileStat, nodeVersion, serviceUser, splitBatch } from '../../../src/facts/system.ts';
import { parseExposure, parseSystemdTime, parseUnitFile, splitShow, systemdUnit, unitExposure } from '../../../src/facts/systemd.ts';
import { parseJson5 } from '../../../src/facts/json5.ts';
import { describeSecret, parseSecretDescriptor, sanitizeEnvFile, sanitizeJson } from '../../../src/facts/secrets.ts';

const fx = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), 'utf8');
const cmd = (stdout: string, exitCode = 0, stderr = ''): Raw => ({ t: 'cmd', exitCode, stdout, stderr, timedOut: false, durationMs: 1 });
const file = (content: string | null): Raw => ({ t: 'file', content, durationMs: 1 });

describe('openclaw security audit --json', () => {
  for (const v of ['2026.9.6', '2026.2.9']) {
    it(`parses oc${v}-security-audit.json (summary + findings)`, () => {
      const a = openclawAudit.parse(cmd(fx(`samples/oc${v}-security-audit.json`)), '');
      assert.ok(!isUnknown(a));
      assert.deepEqual(a.summary, { critical: 0, warn: 1, info: 1 });
      assert.equal(a.findings[1]?.checkId, 'gateway.trusted_proxies_missing');
    });
    it(`parses oc${v}-security-audit-deep.json`, () => {
      const a = openclawAudit.parse(cmd(fx(`samples/oc${v}-security-audit-deep.json`)), '');
      assert.ok(!isUnknown(a), JSON.stringify(a));
      assert.equal(typeof a.summary.critical, 'number');
    });
  }
  it('a timeout is unknown, never a verdict (the audit can hang)', () => {
    const v = openclawAudit.parse({ t: 'cmd', exitCode: null, stdout: '', stderr: '', timedOut: true, durationMs: 90_000 }, '');
    assert.ok(isUnknown(v));
    assert.match(v.unknown, /timed out after 90 s/);
  });
  it('exit 0 with no JSON is unknown (it always exits 0)', () => {
    const v = openclawAudit.parse(cmd('', 0, 'Error: missing scope: operator.read'), '');
    assert.ok(isUnknown(v));
    assert.match(v.unknown, /printed no JSON.*operator.read/);
  });
});

describe('openclaw.json', () => {
  it('2026.9.6 after onboarding: token becomes a descriptor, never the value', () => {
    const raw = file(JSON.stringify(sanitizeJson(JSON.parse(fx('samples/oc2026.9.6-openclaw-after-onboard.json')))));
    const c = openclawConfig.parse(raw, '/x/openclaw.json');
    assert.ok(!isUnknown(c) && !c.missing && 'config' in c);
    const token = (c.config.gateway as { auth: { token: string } }).auth.token;
    assert.deepEqual(parseSecretDescriptor(token), { length: '<REDACTED>'.length, fingerprint: parseSecretDescriptor(token)?.fingerprint });
    assert.equal((c.config.tools as { profile: string }).profile, 'full');
  });
  it('2026.2.9 after onboarding parses', () => {
    const c = openclawConfig.parse(file(fx('samples/oc2026.2.9-openclaw-after-onboard.json')), 'p');
    assert.ok(!isUnknown(c) && !c.missing && 'config' in c);
    assert.equal((c.config.gateway as { bind: string }).bind, 'loopback');
  });
  it('missing file is a value, invalid file unknown', () => {
    assert.deepEqual(openclawConfig.parse(file(null), 'p'), { missing: true });
    assert.ok(isUnknown(openclawConfig.parse({ t: 'error', message: 'p is not valid JSON5', durationMs: 0 }, 'p')));
  });
  it('JSON5 subset: comments, trailing commas, unquoted keys, single quotes', () => {
    assert.deepEqual(parseJson5("{ // c\n gateway: { bind: 'loopback', /* x */ port: 18789, },\n}"), { gateway: { bind: 'loopback', port: 18789 } });
  });
  it('env references are kept, literal secrets described', () => {
    const s = sanitizeJson({ gateway: { auth: { token: '${OPENCLAW_GATEWAY_TOKEN}' }, remote: { token: 'a'.repeat(64) } } }) as { gateway: { auth: { token: string }; remote: { token: string } } };
    assert.equal(s.gateway.auth.token, '${OPENCLAW_GATEWAY_TOKEN}');
    assert.equal(parseSecretDescriptor(s.gateway.remote.token)?.length, 64);
    assert.ok(!JSON.stringify(s).includes('a'.repeat(64)));
  });
  it('env file: secret values described, others kept', () => {
    const raw = file(sanitizeEnvFile('OPENCLAW_GATEWAY_TOKEN="' + 'f'.repeat(64) + '"\nNODE_ENV=production\n'));
    const v = envFile.parse(raw, 'e');
    assert.ok(!isUnknown(v) && !v.missing);
    assert.equal(parseSecretDescriptor(v.vars.OPENCLAW_GATEWAY_TOKEN)?.length, 64);
    assert.equal(v.vars.NODE_ENV, 'production');
    assert.equal(describeSecret('x'.repeat(40)), describeSecret('x'.repeat(40)));
  });
});

describe('openclaw install (package.json, no CLI spawn)', () => {
  it('reads bin, package.json and version', () => {
    const v = openclawInstall.parse(cmd('BIN=/usr/local/bin/openclaw\nPKG=/usr/local/lib/node_modules/openclaw/package.json\n  "version": "2026.9.6",\n'), '/b');
    assert.ok(!isUnknown(v));
    assert.equal(v.version.raw, '2026.9.6');
    assert.equal(v.bin, '/usr/local/bin/openclaw');
  });
  it('not installed is unknown with the reason', () => {
    const v = openclawInstall.parse(cmd('', 127, 'openclaw: not installed (neither /b nor on PATH)'), '/b');
    assert.ok(isUnknown(v));
    assert.match(v.unknown, /not installed/);
  });
});

describe('systemd', () => {
  it('systemd-analyze security text: 5.9 MEDIUM', () => {
    assert.deepEqual(parseExposure(fx('samples/systemd-analyze-security.txt')), { score: 5.9, level: 'MEDIUM' });
    const v = unitExposure.parse(cmd(fx('samples/systemd-analyze-security.txt')), 'u');
    assert.ok(!isUnknown(v) && v.score === 5.9);
  });
  it('systemctl show blocks split per unit, in order', () => {
    const out = 'Id=a.service\nLoadState=loaded\nActiveState=active\nNRestarts=2\n\nId=b.timer\nLoadState=not-found\nActiveState=inactive\n';
    const m = splitShow(cmd(out), ['a.service', 'b.timer']);
    const a = systemdUnit.parse(m.get('a.service')!, 'a.service');
    const b = systemdUnit.parse(m.get('b.timer')!, 'b.timer');
    assert.ok(!isUnknown(a) && !isUnknown(b));
    assert.equal(a.NRestarts, '2');
    assert.equal(b.LoadState, 'not-found');
  });
  it('no systemd as PID 1 is unknown with the reason', () => {
    const v = systemdUnit.parse(cmd('', 127, 'systemd is not running here (no systemd as PID 1)'), 'x');
    assert.ok(isUnknown(v) && /PID 1/.test(v.unknown));
  });
  it('timestamps', () => {
    assert.equal(parseSystemdTime('Sat 2026-11-21 13:14:09 UTC'), Date.parse('2026-11-21T13:14:09Z'));
    assert.equal(parseSystemdTime('n/a'), undefined);
    assert.equal(parseSystemdTime(''), undefined);
  });
  it('the runbook unit file', () => {
    const d = parseUnitFile(fx('openclaw/runbook-openclaw.service'));
    assert.equal(d.get('Service.User')?.[0], 'openclaw-svc');
    assert.equal(d.get('Unit.StartLimitBurst')?.[0], '5');
  });
});

describe('firewall', () => {
  it('ufw status verbose (mixed rules, v6, on-interface, outbound)', () => {
    const v = ufwStatus.parse(cmd(fx('firewall/ufw-status-verbose-mixed.txt')), '');
    assert.ok(!isUnknown(v));
    assert.equal(v.active, true);
    assert.deepEqual(v.defaults, { incoming: 'deny', outgoing: 'deny', routed: 'disabled' });
    const texts = v.rules.map((r) => r.text);
    assert.ok(texts.includes('Anywhere (v6) on tailscale0 ALLOW IN Anywhere (v6)'));
    const ts6 = v.rules.find((r) => r.text.startsWith('Anywhere (v6) on tailscale0'));
    assert.equal(ts6?.iface, 'tailscale0');
    assert.equal(ts6?.v6, true);
    const r8080 = v.rules.find((r) => r.to === '8080/tcp');
    assert.equal(r8080?.port, 8080);
    assert.equal(v.rules.filter((r) => r.direction === 'out').length, 4);
    assert.equal(v.rules.find((r) => r.to === '18789 on eth0')?.iface, 'eth0');
  });
  it('ufw inactive', () => {
    const v = ufwStatus.parse(cmd(fx('firewall/ufw-status-inactive.txt')), '');
    assert.ok(!isUnknown(v));
    assert.equal(v.active, false);
  });
  it('ufw from the samples (LIMIT rule with comment)', () => {
    const text = fx('samples/ufw-netns.txt');
    const block = text.slice(text.indexOf('Status: active'), text.indexOf('++++ ./run-in-ns.sh ufw status numbered'));
    const v = ufwStatus.parse(cmd(block), '');
    assert.ok(!isUnknown(v));
    assert.equal(v.rules[0]?.action, 'LIMIT IN');
    assert.equal(v.rules[0]?.port, 22);
  });
  it('iptables -S: DOCKER-USER without DROP, duplicated, two FORWARD jumps', () => {
    const v = dockerUserChain.parse(cmd(fx('firewall/iptables-S-docker-user-no-drop.txt')), '');
    assert.ok(!isUnknown(v) && v.exists);
    assert.equal(v.rules.length, 6);
    assert.equal(v.forwardJumps, 2);
    assert.equal(v.rules[1]?.inIface, 'tailscale0');
    assert.equal(v.rules[0]?.ctstate, 'RELATED,ESTABLISHED');
  });
  it('iptables -S without the chain', () => {
    assert.deepEqual(dockerUserChain.parse(cmd(fx('firewall/iptables-S-ufw-nochain.txt')), ''), { exists: false });
  });
  it('iptables-save from the samples: conditional DROP is an "other match"', () => {
    const c = parseChain(fx('samples/netns-iptables-save.txt'), 'DOCKER-USER');
    assert.ok(c.exists);
    assert.equal(c.rules[0]?.target, 'DROP');
    assert.equal(c.rules[0]?.otherMatches, true);
    assert.equal(c.rules[2]?.target, 'RETURN');
  });
});

describe('host', () => {
  it('ss -Htlnpe from the host fixtures (pid and owner uid too)', () => {
    const ls = parseSs(fx('host/ss-Htlnpe.txt'));
    assert.ok(ls.length >= 3);
    assert.deepEqual(ls[0], { address: '127.0.0.1', port: 22999, processes: ['sshd'], pid: 8025, uid: null });
    assert.equal(ls[2]?.uid, 65534);
    const v = listeners.parse(cmd('LISTEN 0 511 [::]:18789 [::]:* users:(("node",pid=1,fd=2))\nLISTEN 0 511 [::1]:18790 [::]:*\n'), '');
    assert.ok(!isUnknown(v));
    assert.deepEqual(v.map((l) => `${l.address}:${l.port}`), [':::18789', '::1:18790']);
  });
  it('dpkg-query batch', () => {
    const m = splitBatch(cmd('ii \nun\n'), ['curl', 'restic']);
    assert.deepEqual(dpkgPackage.parse(m.get('curl')!, 'curl'), { installed: true, status: 'ii' });
    assert.deepEqual(dpkgPackage.parse(m.get('restic')!, 'restic'), { installed: false, status: 'un' });
  });
  it('stat batch', () => {
    const m = splitBatch(cmd('directory|700|999|999|openclaw-svc|openclaw-svc|4096|1700000000\nMISSING\n'), ['/h', '/x']);
    const h = fileStat.parse(m.get('/h')!, '/h');
    assert.ok(!isUnknown(h) && !('missing' in h));
    assert.equal(h.mode, 0o700);
    assert.deepEqual(fileStat.parse(m.get('/x')!, '/x'), { missing: true });
  });
  it('user: passwd, locked shadow, groups', () => {
    const v = serviceUser.parse(cmd('openclaw-svc:x:999:999::/home/openclaw-svc:/usr/sbin/nologin\n---\n!\n---\nopenclaw-svc docker\n---\nopenclaw-svc\n'), 'openclaw-svc');
    assert.deepEqual(v, { exists: true, uid: 999, home: '/home/openclaw-svc', shell: '/usr/sbin/nologin', passwordLocked: true, groups: ['openclaw-svc', 'docker'], gid: 999, gecos: '', group: 'openclaw-svc' });
    assert.deepEqual(serviceUser.parse(cmd('NOUSER\n'), 'x'), { exists: false, groups: [] });
  });
  it('node --version', () => {
    assert.deepEqual(nodeVersion.parse(cmd('/usr/bin/node\nv24.16.0\n'), ''), { missing: false, path: '/usr/bin/node', version: '24.16.0', major: 24 });
    assert.deepEqual(nodeVersion.parse(cmd('MISSING\n'), ''), { missing: true });
  });
  it('fail2ban-client status (recorded)', () => {
    const v = fail2banStatus.parse(cmd(fx('samples/fail2ban-server-status.txt').split('\n').slice(0, 3).join('\n')), '');
    assert.deepEqual(v, { jails: ['openclaw-auth', 'sshd'] });
  });
});

describe('HTTP health', () => {
  it('JSON answer with status and content type', () => {
    const v = httpHealth.parse(cmd('{"ok":true,"status":"live"}\n200 application/json; charset=utf-8'), 'u');
    assert.ok(!isUnknown(v));
    assert.equal(v.status, 200);
    assert.equal(JSON.parse(v.body).ok, true);
  });
  it('refused connection is a value with status 0 (the check fails), not unknown', () => {
    const v = httpHealth.parse(cmd('', 7, "curl: (7) Failed to connect to 127.0.0.1 port 18789: Couldn't connect to server"), 'u');
    assert.ok(!isUnknown(v));
    assert.equal(v.status, 0);
    assert.match(v.error ?? '', /Failed to connect/);
  });
});

describe('tailscale (constructed fixtures: Tailscale cannot run here)', () => {
  it('status running / stopped', () => {
    assert.deepEqual(tailscaleStatus.parse(cmd(fx('check/tailscale-status-running.json')), ''), { backendState: 'Running', online: true, ips: ['100.101.102.103', 'fd7a:115c:a1e0::1'] });
    const s = tailscaleStatus.parse(cmd(fx('check/tailscale-status-stopped.json')), '');
    assert.ok(!isUnknown(s) && s.backendState === 'Stopped');
  });
  it('serve with funnel, serve without, nothing', () => {
    const f = tailscaleServe.parse(cmd(fx('check/tailscale-serve-funnel.json')), '');
    assert.ok(!isUnknown(f));
    assert.deepEqual(f.funnel, ['vps.example-tailnet.ts.net:443']);
    assert.equal(f.proxies['vps.example-tailnet.ts.net:443/'], 'http://127.0.0.1:18789');
    const p = tailscaleServe.parse(cmd(fx('check/tailscale-serve-private.json')), '');
    assert.ok(!isUnknown(p) && p.funnel.length === 0);
    assert.deepEqual(tailscaleServe.parse(cmd('{}\n'), ''), { proxies: {}, funnel: [] });
  });
  it('absent tailscale is unknown with the reason', () => {
    const v = tailscaleStatus.parse(cmd('', 127, 'tailscale: not installed on the target (cannot verify the tailnet from here)'), '');
    assert.ok(isUnknown(v) && /not installed/.test(v.unknown));
  });
});
