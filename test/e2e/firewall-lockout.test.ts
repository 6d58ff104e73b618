/**
 * The lock-out guard end to end, with real connections. Two namespaces joined by two veth pairs:
 * the "host" (ufw, a real sshd on :22) reached by the "operator" through `tailscale0` (the
 * management path, 100.80.0.1) and through `eth0` (the public path, 198.51.100.1). Every guarded
 * change is confirmed by a NEW ssh connection from the operator over tailscale0.
 */
import { planNow } from '../../src/engine/plan.ts';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ClawopsError } from '../../src/core/errors.ts';
import type { Executor } from '../../src/exec/types.ts';
import type { Resource } from '../../src/engine/types.ts';
import { firewallResources } from '../../src/resources/firewall/index.ts';
import { resolveSpec } from '../../src/desired/resolve.ts';
import { Spec } from '../../src/desired/schema.ts';
import { createNetns, linkVeth, memoryJournal, netnsSkipReason, startSshd, tcpProbe, type Netns, type Sshd, hostFirewallSnapshot } from '../helpers/netns.ts';

const MGMT_IP = '100.80.0.1';
const PUBLIC_IP = '198.51.100.1';
// the confirm waits half of it for a fresh ssh connection: 3 s was too little on a loaded 2-core machine
const TIMEOUT_SEC = 12;

describe('lock-out guard with real connections', { skip: netnsSkipReason() }, () => {
  let host: Netns;
  let op: Netns;
  let sshd: Sshd;
  let viaMgmt: Executor;
  const hostBefore = hostFirewallSnapshot();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const resources = (firewall: Record<string, unknown>): Resource[] =>
    firewallResources(resolveSpec(Spec.parse({ stateDir: `${host.dir}/state`, firewall: { confirmTimeoutSec: TIMEOUT_SEC, dockerUser: false, ...firewall } })), {
      openConfirmConnection: async () => viaMgmt,
    });
  const applyAll = async (res: Resource[]): Promise<void> => {
    for (const r of res) {
      const p = await planNow(r, host.executor);
      if ('changes' in p) for (const c of p.changes) await r.apply(host.executor, c, memoryJournal());
    }
  };

  before(async () => {
    host = await createNetns();
    op = await createNetns({ ufw: false });
    linkVeth(host, 'tailscale0', `${MGMT_IP}/24`, op, 'ts-op', '100.80.0.2/24');
    linkVeth(host, 'eth0', `${PUBLIC_IP}/24`, op, 'pub-op', '198.51.100.2/24');
    sshd = await startSshd(host);
    viaMgmt = sshd.connectFrom(op, MGMT_IP);
  });
  after(async () => {
    sshd?.stop();
    await host?.destroy();
    await op?.destroy();
    assert.deepEqual(hostFirewallSnapshot(), hostBefore, "this machine's iptables-save must be unchanged");
  });

  it('a good rule set is confirmed over a new connection and stays', async () => {
    assert.equal(await tcpProbe(op, MGMT_IP, 22), 'open');
    assert.equal(await tcpProbe(op, PUBLIC_IP, 22), 'open');
    assert.equal(await tcpProbe(op, PUBLIC_IP, 2222), 'refused');
    const t0 = performance.now();
    await applyAll(resources({}));
    console.log(`# good rule set applied and confirmed over ssh/tailscale0 in ${Math.round(performance.now() - t0)} ms`);
    await sleep((TIMEOUT_SEC + 1) * 1000); // past the deadline: nothing reverts
    assert.match((await host.executor.run(['ufw', 'status'])).stdout, /^Status: active/m);
    assert.equal(await tcpProbe(op, MGMT_IP, 22), 'open');
    assert.equal(await tcpProbe(op, PUBLIC_IP, 22), 'open', 'the safety net is still there');
    assert.equal(await tcpProbe(op, PUBLIC_IP, 2222), 'timeout', 'deny incoming is in force');
    assert.deepEqual(readdirSync(`${host.dir}/state/firewall-guard`), [], 'confirmed guards leave nothing behind');
  });

  it('refuses to drop the safety net while an ssh session comes in over eth0', async () => {
    const held = sshd.connectFrom(op, PUBLIC_IP).run(['sleep', '3']);
    await sleep(1500);
    const [ufw] = resources({ sshSafetyNet: false });
    await assert.rejects(planNow(ufw!, host.executor), (e: unknown) => e instanceof ClawopsError && /198\.51\.100\.2 -> 198\.51\.100\.1:22 \(eth0\)/.test(e.message));
    await held;
  });

  it('a rule set that cuts the management path is reverted automatically', async () => {
    // the operator "moved" management to wg0 and dropped the safety net: tailscale0 is cut
    const res = resources({ managementInterfaces: ['wg0'], sshSafetyNet: false });
    const t0 = performance.now();
    const err = await applyAll(res).then(() => null, (e: unknown) => e);
    const failedAt = performance.now();
    assert.ok(err instanceof ClawopsError, String(err));
    assert.match(err.message, /firewall change "ufw delete allow 22\/tcp \(SSH safety net no longer needed\)" was not confirmed over a new connection; the previous rules come back at/);
    // during: both paths are blocked
    assert.equal(await tcpProbe(op, MGMT_IP, 22), 'timeout');
    assert.equal(await tcpProbe(op, PUBLIC_IP, 22), 'timeout');
    // after: restored by the target on its own (bounded wait)
    let restoredAt = 0;
    for (let i = 0; i < 40 && !restoredAt; i++) {
      if ((await tcpProbe(op, PUBLIC_IP, 22, 500)) === 'open') restoredAt = performance.now();
    }
    assert.ok(restoredAt, 'connectivity came back');
    const [id] = readdirSync(`${host.dir}/state/firewall-guard`);
    const g = `${host.dir}/state/firewall-guard/${id}`;
    const firesAt = statSync(`${g}/deadline`).mtimeMs / 1000 + TIMEOUT_SEC;
    // the rules are back a moment before the revert script records when (bounded wait for its last step)
    for (let i = 0; i < 50 && !existsSync(`${g}/reverted`); i++) await sleep(100);
    const revertedAt = Number(readFileSync(`${g}/reverted-at`, 'utf8'));
    console.log(
      `# lock-out: change+failed confirmation ${Math.round(failedAt - t0)} ms; revert ran ${Math.round((revertedAt - firesAt) * 1000)} ms after its deadline; ` +
        `connectivity back ${Math.round(restoredAt - failedAt)} ms after apply failed`,
    );
    assert.ok(revertedAt - firesAt < 1.5, 'revert fires on time');
    assert.equal(await tcpProbe(op, MGMT_IP, 22), 'open', 'ssh over tailscale0 works again via the restored safety net');
    assert.match((await host.executor.run(['ufw', 'show', 'added'])).stdout, /^ufw allow 22\/tcp comment 'clawops: ssh safety net'$/m);
    assert.equal((await viaMgmt.run(['true'])).exitCode, 0, 'a new ssh connection through the management path works');
  });
});
