import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hostProblems } from '../../../src/resources/preflight.ts';
import { parseIpLink, parseSs } from '../../../src/facts/network.ts';
import { parseSpec } from '../../../src/desired/parse.ts';

const fixture = (f: string) => readFileSync(new URL(`../../fixtures/host/${f}`, import.meta.url), 'utf8');
const spec = (yaml: string) => {
  const r = parseSpec(yaml);
  assert.ok(r.ok);
  return r.spec;
};

test('preflight: real `ss -Htlnpe` (root listeners carry no uid) and `ip -o link`', () => {
  const ls = parseSs(fixture('ss-Htlnpe.txt'));
  assert.deepEqual(ls.map((l) => [l.port, l.processes[0], l.uid]), [[22999, 'sshd', null], [18799, 'python3', null], [18798, 'python3', 65534]]);
  assert.deepEqual(parseIpLink(fixture('ip-o-link.txt')), ['lo', 'ifb0', 'ifb1']);
  assert.deepEqual(parseIpLink('5: veth0@if4: <BROADCAST> mtu 1500'), ['veth0']);
});

const listener = (port: number, uid: number | null) => ({ address: '127.0.0.1', port, uid, processes: ['node'], pid: 42 });
const cases: { name: string; yaml: string; listeners: ReturnType<typeof listener>[]; uids: Record<string, number | null>; ifaces: string[]; paths: string[] }[] = [
  { name: 'free ports, interface present -> fine', yaml: 'firewall: {managementInterfaces: [eth0]}', listeners: [], uids: {}, ifaces: ['lo', 'eth0'], paths: [] },
  { name: 'port held by a root process -> instances[0].port', yaml: 'firewall: {managementInterfaces: [lo]}', listeners: [listener(18789, null)], uids: { 'openclaw-svc': 999 }, ifaces: ['lo'], paths: ['instances[0].port'] },
  { name: 'port held by the instance own user (its running gateway) -> fine', yaml: 'firewall: {managementInterfaces: [lo]}', listeners: [listener(18789, 999)], uids: { 'openclaw-svc': 999 }, ifaces: ['lo'], paths: [] },
  { name: 'second instance port held by another instance user -> instances[1].port', yaml: 'instances: [{name: a}, {name: b, port: 18800}]\nfirewall: {managementInterfaces: [lo]}', listeners: [listener(18800, 1001)], uids: { 'openclaw-svc': 999, b: 998 }, ifaces: ['lo'], paths: ['instances[1].port'] },
  { name: 'unknown interface -> firewall.managementInterfaces[1]', yaml: 'firewall: {managementInterfaces: [lo, tailscale0]}', listeners: [], uids: {}, ifaces: ['lo'], paths: ['firewall.managementInterfaces[1]'] },
  { name: 'firewall disabled -> interfaces not checked', yaml: 'firewall: {enabled: false, managementInterfaces: [nope0]}', listeners: [], uids: {}, ifaces: ['lo'], paths: [] },
];
for (const c of cases) {
  test(`preflight: ${c.name}`, () => {
    const problems = hostProblems(spec(c.yaml), { listeners: c.listeners, uids: c.uids, interfaces: c.ifaces }, 'nspawn:t');
    assert.deepEqual(problems.map((p) => p.path), c.paths);
    for (const p of problems) assert.match(p.message, /nspawn:t/);
  });
}
