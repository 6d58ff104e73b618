import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { dockerUserChain, ufwStatus } from '../../../src/facts/firewall.ts';
import { cmdRaw } from '../../helpers/facts.ts';
import { dependentSessions, parseSessionProbe } from '../../../src/firewall/sessions.ts';
import { isManaged, isSafetyNet, opensGatewayPort, parseShowAdded, parseUfwRule, portSpecIncludes } from '../../../src/firewall/ufw-rules.ts';
import { parseDefaultUfw } from '../../../src/firewall/ufw-status.ts';

const fx = (f: string): string => readFileSync(new URL(`../../fixtures/firewall/${f}`, import.meta.url), 'utf8');
const sample = (f: string): string => readFileSync(new URL(`../../fixtures/samples/${f}`, import.meta.url), 'utf8');

describe('ufw status verbose', () => {
  const status = (f: string) => ufwStatus.parse(cmdRaw(fx(f)), '');
  it('inactive: no defaults printed', () => {
    assert.deepEqual(status('ufw-status-inactive.txt'), { installed: true, active: false, defaults: {}, rules: [] });
  });
  it('active: defaults line, routed shown as disabled while forwarding is off', () => {
    const v = status('ufw-status-verbose-mixed.txt');
    assert.ok('active' in v && v.active);
    assert.deepEqual(v.defaults, { incoming: 'deny', outgoing: 'deny', routed: 'disabled' });
  });
  it('/etc/default/ufw is the source of truth for all three policies', () => {
    assert.deepEqual(parseDefaultUfw(fx('default-ufw-deny-outgoing.txt')), { incoming: 'deny', outgoing: 'deny', routed: 'deny' });
  });
});

describe('ufw show added', () => {
  it('no rules', () => assert.deepEqual(parseShowAdded(fx('ufw-show-added-none.txt')), []));
  it('simple and extended forms, with and without comments', () => {
    const rules = parseShowAdded(fx('ufw-show-added-mixed.txt'));
    assert.equal(rules.length, 9);
    const [net, ts, out443, p8080, from10, eth0, tsPort, deny, wg0] = rules;
    assert.deepEqual(
      { text: net?.text, key: net?.key, comment: net?.comment, port: net?.port },
      { text: 'allow 22/tcp', key: 'in 22/tcp', comment: 'clawops: ssh safety net', port: '22/tcp' },
    );
    assert.deepEqual({ iface: ts?.iface, dir: ts?.direction, port: ts?.port }, { iface: 'tailscale0', dir: 'in', port: null });
    assert.deepEqual({ dir: out443?.direction, port: out443?.port, key: out443?.key }, { dir: 'out', port: '443/tcp', key: 'out 443/tcp' });
    assert.equal(p8080?.comment, null);
    assert.deepEqual({ from: from10?.from, port: from10?.port }, { from: '10.0.0.0/8', port: '18789/tcp' });
    assert.deepEqual({ iface: eth0?.iface, port: eth0?.port }, { iface: 'eth0', port: '18789' });
    assert.deepEqual({ iface: tsPort?.iface, port: tsPort?.port }, { iface: 'tailscale0', port: '18789/tcp' });
    assert.equal(deny?.action, 'deny');
    assert.deepEqual({ dir: wg0?.direction, iface: wg0?.iface, managed: wg0 && isManaged(wg0) }, { dir: 'out', iface: 'wg0', managed: true });
  });
  it('the recorded runbook sample (limit with a comment)', () => {
    const r = parseUfwRule("ufw limit 22/tcp comment 'rate-limit ssh'");
    assert.ok(r && isSafetyNet(r) && !isManaged(r));
    assert.equal(r.comment, 'rate-limit ssh');
  });
});

describe('rule classification', () => {
  const rule = (s: string) => {
    const r = parseUfwRule(s);
    assert.ok(r, s);
    return r;
  };
  const cases: [string, boolean][] = [
    ['allow 18789/tcp', true],
    ['allow 18789', true],
    ['limit 18000:19000/tcp', true],
    ['allow 22,18789/tcp', true],
    ['allow 18789/udp', false],
    ['deny 18789/tcp', false],
    ['allow out 18789/tcp', false],
    ['allow in on tailscale0 to any port 18789 proto tcp', false],
    ['allow in on eth0 to any port 18789', true],
    ['allow in on eth0', true],
    ['allow from 10.0.0.0/8 to any port 18789 proto tcp', true],
    ['allow from 10.0.0.0/8', true],
    ['allow 8080/tcp', false],
  ];
  for (const [text, opens] of cases) {
    it(`${text} ${opens ? 'opens' : 'does not open'} gateway port 18789`, () => {
      assert.equal(opensGatewayPort(rule(text), [18789], ['tailscale0']), opens);
    });
  }
  it('port specs', () => {
    assert.equal(portSpecIncludes('60000:61000/tcp', 60001), true);
    assert.equal(portSpecIncludes('ssh', 22), false);
    assert.equal(portSpecIncludes(null, 1), true);
  });
  it('safety net: only an unrestricted in allow/limit of 22', () => {
    assert.equal(isSafetyNet(rule('allow 22/tcp')), true);
    assert.equal(isSafetyNet(rule('allow 22')), true);
    assert.equal(isSafetyNet(rule('allow in on eth0 to any port 22')), false);
    assert.equal(isSafetyNet(rule('allow from 10.0.0.0/8 to any port 22')), false);
    assert.equal(isSafetyNet(rule('deny 22/tcp')), false);
  });
});

describe('iptables -S', () => {
  const chain = (text: string) => dockerUserChain.parse(cmdRaw(text), '');
  it('no DOCKER-USER chain under ufw', () => {
    assert.deepEqual(chain(fx('iptables-S-ufw-nochain.txt')), { exists: false });
  });
  it('the runbook run twice: duplicates and two jumps', () => {
    const c = chain(fx('iptables-S-docker-user-runbook-twice.txt'));
    assert.ok('exists' in c && c.exists);
    assert.equal(c.rules.length, 8);
    assert.equal(c.forwardJumps, 2);
  });
  it('the shared netns sample', () => {
    // `iptables -S FORWARD` only: the chain itself is declared elsewhere in a full `iptables -S`
    const c = chain(`-N DOCKER-USER\n${sample('docker-user-netns.txt').replace(/^\+\+\+\+.*$/gm, '')}`);
    assert.ok('exists' in c && c.exists && c.jumpFirst === true);
  });
});

describe('ssh session probe', () => {
  it('over the management interface: nothing depends on port 22', () => {
    const s = parseSessionProbe(fx('session-probe-mgmt.txt'));
    assert.deepEqual(s, [{ peer: '100.80.0.2', local: '100.80.0.1', iface: 'tailscale0' }]);
    assert.deepEqual(dependentSessions(s, ['tailscale0']), []);
  });
  it('over the public interface: clawops’ own session depends on it', () => {
    const s = parseSessionProbe(fx('session-probe-public.txt'));
    assert.equal(s.length, 2);
    assert.deepEqual(dependentSessions(s, ['tailscale0']), [{ peer: '198.51.100.2', local: '198.51.100.1', iface: 'eth0' }]);
  });
  it('SSH_CONNECTION alone (local run from an ssh login) counts; loopback does not', () => {
    const probe = (sc: string) => `## ssh_connection\n${sc}\n## ss\n## addr\n2: eth0    inet 203.0.113.5/24 brd x\n`;
    assert.equal(dependentSessions(parseSessionProbe(probe('203.0.113.9 5000 203.0.113.5 22')), ['tailscale0']).length, 1);
    assert.equal(dependentSessions(parseSessionProbe(probe('127.0.0.1 5000 127.0.0.1 22')), ['tailscale0']).length, 0);
    assert.equal(dependentSessions(parseSessionProbe(probe('203.0.113.9 5000 203.0.113.5 2222')), ['tailscale0']).length, 0);
  });
});
