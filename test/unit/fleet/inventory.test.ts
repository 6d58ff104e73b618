/** Ansible inventories (YAML and INI) read as ansible-inventory resolves them, their ssh:// targets, and the fleet status over fake hosts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClawopsError } from '../../../src/core/errors.ts';
import { expandHostPattern, hostTarget, parseInventory, selectHosts } from '../../../src/fleet/inventory.ts';
import { fleetStatus, formatFleet } from '../../../src/fleet/status.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';

const YAML = `all:
  vars:
    ansible_user: ops
    tier: base
  children:
    gateways:
      vars:
        tier: gw
        ansible_ssh_common_args: -F ssh/config -o UserKnownHostsFile=known -o ForwardAgent=no
      hosts:
        gw-[1:2]:
        gw-eu: { ansible_host: 100.64.0.11, ansible_port: 2222, tier: special }
    standby:
      hosts:
        gw-1: { ansible_ssh_private_key_file: /keys/sb }
`;

const INI = `# a comment
lonely ansible_host=10.0.0.9

[gateways]
gw-a ansible_host=10.0.0.1 ansible_user="root"
gw-[b:c]

[gateways:vars]
ansible_port=22

[prod:children]
gateways

[prod:vars]
ansible_user=deploy
`;

describe('Ansible inventories', () => {
  it("YAML: ranges expanded, host variables over a group's, a child group's over its parent's, hosts in several groups merged", () => {
    const hosts = parseInventory(YAML, 'inv.yml');
    assert.deepEqual(hosts.map((h) => h.name), ['gw-1', 'gw-2', 'gw-eu']);
    const [gw1, , eu] = hosts;
    assert.deepEqual(gw1?.groups, ['all', 'gateways', 'standby']);
    assert.deepEqual([gw1?.vars.tier, gw1?.vars.ansible_user, gw1?.vars.ansible_ssh_private_key_file], ['gw', 'ops', '/keys/sb']);
    assert.equal(eu?.vars.tier, 'special');
  });
  it('INI: sections, :vars, :children, quoted values, ungrouped hosts', () => {
    const hosts = parseInventory(INI, 'hosts.ini');
    assert.deepEqual(hosts.map((h) => `${h.name}@${h.vars.ansible_user ?? '-'}:${h.vars.ansible_port ?? '-'}`), ['lonely@-:-', 'gw-a@root:22', 'gw-b@deploy:22', 'gw-c@deploy:22']);
    assert.deepEqual(hosts[1]?.groups, ['all', 'prod', 'gateways']);
  });
  it('--limit picks hosts and groups; a name that matches nothing is an error naming the hosts', () => {
    const hosts = parseInventory(INI, 'hosts.ini');
    assert.deepEqual(selectHosts(hosts, 'lonely,gateways').map((h) => h.name), ['lonely', 'gw-a', 'gw-b', 'gw-c']);
    assert.throws(() => selectHosts(hosts, 'nope'), /--limit names no host or group of the inventory: nope/);
  });
  it('bad input is named: an INI line that is not key=value, a group that contains itself', () => {
    assert.throws(() => parseInventory('[g]\nh1 ansible_host\n', 'x.ini'), (e: Error) => e instanceof ClawopsError && /x\.ini: inventory line 2: cannot read "ansible_host"/.test(e.message));
    assert.throws(() => parseInventory('[a:children]\nb\n[b:children]\na\n', 'x.ini'), /x\.ini: group a contains itself \(a -> b -> a\)/);
    assert.deepEqual(expandHostPattern('web[08:10].example'), ['web08.example', 'web09.example', 'web10.example']);
  });
  it('targets: ansible_host/port/user, the key and -F/UserKnownHostsFile resolved beside the inventory; other ssh options reported as ignored; templates refused', () => {
    const [gw1, , eu] = parseInventory(YAML, '/srv/fleet/inv.yml');
    const t = hostTarget(eu!, '/srv/fleet/inv.yml');
    assert.equal(t.target, `ssh://ops@100.64.0.11:2222?knownHosts=${encodeURIComponent('/srv/fleet/known')}&config=${encodeURIComponent('/srv/fleet/ssh/config')}`);
    assert.deepEqual(t.ignored, ['-o ForwardAgent=no']);
    assert.match(hostTarget(gw1!, '/srv/fleet/inv.yml', '/etc/fleet-ssh').target, /^ssh:\/\/ops@gw-1\?knownHosts=.*&identity=%2Fkeys%2Fsb&config=%2Fsrv%2Ffleet%2Fssh%2Fconfig$/);
    assert.throws(() => hostTarget({ name: 'h', groups: [], vars: { ansible_host: '{{ lookup("x") }}' } }, 'i.yml'), /ansible_host is a template/);
  });
});

describe('status --inventory over fake hosts', () => {
  const report = (gate: 'pass' | 'fail') => JSON.stringify({
    schemaVersion: 1, profile: 'go-live', failOn: 'critical', allowUnknown: false,
    results: [{ id: 'user.sudo', severity: 'critical', status: gate === 'pass' ? 'pass' : 'fail', evidence: 'a rule', remediation: 'remove it' }],
    summary: { total: 1, byStatus: { pass: gate === 'pass' ? 1 : 0, fail: gate === 'pass' ? 0 : 1 }, blocking: 0, gate },
  });
  const status = JSON.stringify({ incidents: [{}], burnin: { streak: 3, target: 7, complete: false }, signedOff: null });
  it('each host read with the gate, burn-in, incidents and sign-off; an unreachable one reported with the SSH error while the others still report', async () => {
    const hosts = parseInventory('[gateways]\nok1\nbad\ndown\n', '/x/inv.ini');
    const seen: string[] = [];
    const rows = await fleetStatus(hosts, {
      inventoryFile: '/x/inv.ini', parallel: 2, checkArgs: ['--only', 'user.sudo'],
      connect: (target) => {
        seen.push(target);
        const ex = new RecorderExecutor(target);
        if (target.includes('down')) return ex.on(() => true, { exitCode: 255, stderr: 'ssh: connect to host down port 22: Connection refused\r\n' });
        return ex.on((a) => a.includes('check'), { exitCode: target.includes('bad') ? 2 : 0, stdout: report(target.includes('bad') ? 'fail' : 'pass') })
          .on((a) => a.includes('status'), { exitCode: 2, stdout: status });
      },
    });
    assert.deepEqual(seen.sort(), ['ssh://root@bad', 'ssh://root@down', 'ssh://root@ok1']);
    assert.deepEqual(rows.map((r) => [r.host, r.reachable, r.gate?.result ?? null, r.incidents ?? null]), [['ok1', true, 'pass', 1], ['bad', true, 'fail', 1], ['down', false, null, null]]);
    assert.equal(rows[2]?.error, 'ssh: ssh: connect to host down port 22: Connection refused');
    const text = formatFleet(rows, 1234).join('\n');
    assert.match(text, /^bad +FAIL: user\.sudo +3\/7 +1 +not yet$/m);
    assert.match(text, /^ +user\.sudo fail: a rule \(fix: remove it\)$/m);
    assert.match(text, /^down +UNREACHABLE: ssh: ssh: connect to host down port 22: Connection refused$/m);
    assert.match(text, /3 host\(s\): 1 pass, 1 fail, 1 not read \(1\.2 s\)$/);
  });
});
