import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { accountOf, hostProblems, type Account } from '../../../src/resources/preflight.ts';
import { parseIpLink, parseSs } from '../../../src/facts/network.ts';
import { serviceUser } from '../../../src/facts/system.ts';
import { isUnknown } from '../../../src/facts/types.ts';
import { cmdRaw } from '../../helpers/facts.ts';
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
    const problems = hostProblems(spec(c.yaml), { listeners: c.listeners, uids: c.uids, accounts: {}, interfaces: c.ifaces }, 'nspawn:t');
    assert.deepEqual(problems.map((p) => p.path), c.paths);
    for (const p of problems) assert.match(p.message, /nspawn:t/);
  });
}

// `getent passwd U` + `:` + `id -gn U` (Debian 12 entries), read through the gate's `user` fact
const passwd = `openclaw-svc:x:998:998:clawops service user:/home/openclaw-svc:/usr/sbin/nologin:openclaw-svc
oc:x:997:997::/home/oc:/usr/sbin/nologin:oc
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin:www-data
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin:nogroup
toor:x:0:0::/home/toor:/bin/bash:root
admin:x:1000:1000:Admin,,,:/home/admin:/bin/bash:admin
nobody-here:-
`;

/** Each line as the `user` fact's probe prints it (passwd entry, shadow lock char, groups, primary group). */
function parseAccounts(text: string): Record<string, Account | null> {
  const out: Record<string, Account | null> = {};
  for (const line of text.split('\n').filter(Boolean)) {
    const f = line.split(':');
    const name = f[0] ?? '';
    const stdout = f.length < 8 ? 'NOUSER\n' : `${f.slice(0, 7).join(':')}\n---\n!\n---\n${f[7]}\n---\n${f[7]}\n`;
    const u = serviceUser.parse(cmdRaw(stdout), name);
    assert.ok(!isUnknown(u));
    out[name] = accountOf(u);
  }
  return out;
}

test('preflight: passwd entries with their primary group; a missing user is null', () => {
  const a = parseAccounts(passwd);
  assert.deepEqual(a['openclaw-svc'], { uid: 998, gid: 998, gecos: 'clawops service user', home: '/home/openclaw-svc', shell: '/usr/sbin/nologin', group: 'openclaw-svc' });
  assert.equal(a['nobody-here'], null);
  assert.equal(a['sshd']?.group, 'nogroup');
});

const accountCases: { name: string; yaml: string; message?: RegExp; path?: string }[] = [
  { name: 'marked by clawops -> taken', yaml: 'instances: [{name: openclaw}]' },
  { name: 'made by an earlier clawops (system uid, no comment, own group, spec home, nologin) -> taken', yaml: 'instances: [{name: oc, user: oc}]' },
  { name: 'the same account with another home -> refused', yaml: 'instances: [{name: oc, user: oc, home: /srv/oc}]', path: 'instances[0].user', message: /^oc is an existing account on nspawn:t \(uid 997, home \/home\/oc\) that clawops did not create: .* `usermod -c 'clawops service user' oc`$/ },
  { name: 'www-data -> refused', yaml: 'instances: [{name: web, user: www-data, home: /var/www}]', path: 'instances[0].user', message: /^www-data is an existing account on nspawn:t \(uid 33, home \/var\/www, "www-data"\) that clawops did not create: it would lock its password/ },
  { name: 'sshd (empty comment, no own group) -> refused', yaml: 'instances: [{name: s, user: sshd, home: /srv/sshd}]', path: 'instances[0].user', message: /^sshd is an existing account/ },
  { name: 'a uid-0 alias of root -> refused', yaml: 'instances: [{name: a, user: nobody-here}, {name: toor}]', path: 'instances[1].name', message: /^toor is an existing account on nspawn:t \(uid 0, home \/home\/toor\) with uid 0: the gateway would run as root; name a dedicated user$/ },
  { name: "an admin's login -> refused", yaml: 'instances: [{name: a, user: admin}]', path: 'instances[0].user', message: /did not create/ },
  { name: 'absent -> clawops creates it', yaml: 'instances: [{name: a, user: nobody-here}]' },
];
for (const c of accountCases) {
  test(`preflight: service user ${c.name}`, () => {
    const accounts: Record<string, Account | null> = parseAccounts(passwd);
    const problems = hostProblems(spec(`${c.yaml}\nfirewall: {enabled: false}`), { listeners: [], uids: {}, accounts, interfaces: [] }, 'nspawn:t');
    assert.deepEqual(problems.map((p) => p.path), c.path ? [c.path] : []);
    if (c.message) assert.match(problems[0]?.message ?? '', c.message);
  });
}
