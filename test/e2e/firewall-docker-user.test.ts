/** The DOCKER-USER chain in a network namespace: repair a broken chain, re-plan empty, survive a "reboot". */
import { planNow } from '../../src/engine/plan.ts';
import { planDockerUser } from '../../src/resources/firewall/docker-user.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Resource } from '../../src/engine/types.ts';
import { desiredChain, PERSIST_UNIT_PATH, PERSIST_WANTS_PATH } from '../../src/firewall/docker-user.ts';
import { firewallResources } from '../../src/resources/firewall/index.ts';
import { resolveSpec } from '../../src/desired/resolve.ts';
import { Spec } from '../../src/desired/schema.ts';
import { createNetns, memoryJournal, netnsSkipReason, type Netns, hostFirewallSnapshot } from '../helpers/netns.ts';

describe('DOCKER-USER resource in a network namespace', { skip: netnsSkipReason() }, () => {
  let ns: Netns;
  let res: Resource;
  const hostBefore = hostFirewallSnapshot();
  const chain = async (): Promise<string[]> =>
    (await ns.executor.run(['iptables', '-w', '-S'])).stdout.split('\n').filter((l) => /^-A (DOCKER-USER|FORWARD -j DOCKER-USER)/.test(l));
  const converge = async (): Promise<string[]> => {
    const p = await planNow(res, ns.executor);
    if ('noop' in p) return [];
    for (const c of p.changes) await res.apply(ns.executor, c, memoryJournal());
    return p.changes.map((c) => c.summary);
  };
  before(async () => {
    ns = await createNetns({ ufw: false });
    const spec = resolveSpec(Spec.parse({ stateDir: `${ns.dir}/state`, firewall: { confirmTimeoutSec: 10 } }));
    res = firewallResources(spec, { openConfirmConnection: async () => ns.connect() }).find((r) => r.id === 'iptables:DOCKER-USER')!;
  });
  after(async () => {
    await ns?.destroy();
    assert.deepEqual(hostFirewallSnapshot(), hostBefore, "this machine's iptables-save must be unchanged");
  });

  it('repairs the runbook run twice with DROP deleted; re-plan empty; re-run adds nothing', async () => {
    await ns.executor.run(['sh', '-c', [
      'iptables -N DOCKER-USER', 'iptables -I FORWARD 1 -j DOCKER-USER', 'iptables -A FORWARD -j DOCKER-USER',
      'for i in 1 2; do iptables -I DOCKER-USER -i lo -j ACCEPT; iptables -I DOCKER-USER -i tailscale0 -j ACCEPT; done',
    ].join(' && ')]);
    const t0 = performance.now();
    const applied = await converge();
    console.log(`# DOCKER-USER repair: ${applied.length} changes in ${Math.round(performance.now() - t0)} ms`);
    assert.equal(applied.length, 4);
    assert.deepEqual(await chain(), ['-A FORWARD -j DOCKER-USER', ...desiredChain(['tailscale0'])]);
    assert.deepEqual(await converge(), []);
    // the same chain change applied again (an interrupted run re-run) does not duplicate anything
    const p = planDockerUser({ chainExists: false, chain: [], forwardJumps: 0, jumpFirst: false, unit: null, enabled: false }, ['tailscale0']);
    assert.ok('changes' in p);
    for (const c of p.changes) await res.apply(ns.executor, c, memoryJournal());
    assert.deepEqual(await chain(), ['-A FORWARD -j DOCKER-USER', ...desiredChain(['tailscale0'])]);
  });

  it('persistence: missing enablement is detected; the unit rebuilds the chain after a "reboot"', async () => {
    await ns.executor.run(['rm', '-f', PERSIST_WANTS_PATH]);
    assert.deepEqual(await converge(), [`enable ${PERSIST_UNIT_PATH} at boot`]);
    assert.equal((await ns.executor.stat(PERSIST_WANTS_PATH))?.type, 'symlink');
    // a reboot: empty tables, then what systemd runs for the unit (ExecStart lines, '-' = failure ignored)
    await ns.executor.run(['sh', '-c', 'iptables -F FORWARD && iptables -F DOCKER-USER && iptables -X DOCKER-USER']);
    assert.deepEqual(await chain(), []);
    const unit = (await ns.executor.readFile(PERSIST_UNIT_PATH))!.toString();
    for (const line of unit.split('\n').filter((l) => l.startsWith('ExecStart='))) {
      const cmd = line.slice('ExecStart='.length);
      const r = await ns.executor.run(['sh', '-c', cmd.replace(/^-/, '')], { allowFailure: cmd.startsWith('-') });
      assert.ok(r.exitCode === 0 || cmd.startsWith('-'), cmd);
    }
    assert.deepEqual(await chain(), ['-A FORWARD -j DOCKER-USER', ...desiredChain(['tailscale0'])]);
    assert.deepEqual(await converge(), []);
  });
});
