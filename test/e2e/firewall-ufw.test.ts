/** Real ufw in a network namespace: apply the plan, re-read, re-plan empty; hand rules; no duplicates. */
import { planNow } from '../../src/engine/plan.ts';
import { planUfw } from '../../src/firewall/ufw-plan.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Resource } from '../../src/engine/types.ts';
import type { Executor } from '../../src/exec/types.ts';
import { firewallResources } from '../../src/resources/firewall/index.ts';
import { resolveSpec } from '../../src/desired/resolve.ts';
import { Spec } from '../../src/desired/schema.ts';
import { createNetns, memoryJournal, netnsSkipReason, type Netns, hostFirewallSnapshot } from '../helpers/netns.ts';

async function converge(ex: Executor, resources: Resource[], journal = memoryJournal()): Promise<number> {
  let n = 0;
  for (const r of resources) {
    const p = await planNow(r, ex);
    if ('changes' in p) for (const c of p.changes) (await r.apply(ex, c, journal), n++);
  }
  return n;
}

function resources(ns: Netns, firewall: Record<string, unknown>): Resource[] {
  const spec = resolveSpec(Spec.parse({ stateDir: `${ns.dir}/state`, firewall: { confirmTimeoutSec: 10, ...firewall } }));
  return firewallResources(spec, { openConfirmConnection: async () => ns.connect() });
}

describe('ufw resource in a network namespace', { skip: netnsSkipReason() }, () => {
  let ns: Netns;
  const hostBefore = hostFirewallSnapshot();
  before(async () => {
    ns = await createNetns();
  });
  after(async () => {
    await ns?.destroy();
    assert.deepEqual(hostFirewallSnapshot(), hostBefore, "this machine's iptables-save must be unchanged");
  });

  it('hardened outbound: apply, re-read, re-plan is empty; a re-run adds nothing', async () => {
    const res = resources(ns, { outbound: 'hardened', dockerUser: false });
    const t0 = performance.now();
    const applied = await converge(ns.executor, res);
    const applyMs = performance.now() - t0;
    assert.equal(applied, 9); // 7 allow rules, deny outgoing, enable
    const t1 = performance.now();
    for (const r of res) assert.ok('noop' in await planNow(r, ns.executor), r.id);
    const replanMs = performance.now() - t1;
    console.log(`# ufw hardened: ${applied} changes applied in ${Math.round(applyMs)} ms; no-op re-plan ${Math.round(replanMs)} ms`);
    const status = (await ns.executor.run(['ufw', 'status', 'verbose'])).stdout;
    assert.match(status, /^Status: active/m);
    assert.match(status, /^Default: deny \(incoming\), deny \(outgoing\)/m);
    assert.match(status, /^Anywhere on tailscale0\s+ALLOW IN\s+Anywhere\s+# clawops$/m);
    const before = (await ns.executor.run(['ufw', 'show', 'added'])).stdout;
    // re-running every add of a fresh plan (what a re-run after an interruption does) changes nothing
    const fresh = resources(ns, { outbound: 'hardened', dockerUser: false })[0]!;
    const fw = resolveSpec(Spec.parse({ firewall: { outbound: 'hardened', dockerUser: false } }));
    const input = { firewall: fw.firewall, gatewayPorts: fw.resolved.map((i) => i.port) };
    for (const c of (planUfw({ installed: true, active: true, defaults: { incoming: 'deny', outgoing: 'deny', routed: 'deny' }, rules: [], sshSessions: [] }, input) as { changes: [] }).changes) {
      await fresh.apply(ns.executor, c, memoryJournal());
    }
    assert.equal((await ns.executor.run(['ufw', 'show', 'added'])).stdout, before);
  });

  it('hand rules: gateway openers removed, others kept and reported; back to standard outbound', async () => {
    for (const argv of [
      ['ufw', 'allow', '8080/tcp'],
      ['ufw', 'allow', '18789/tcp'],
      ['ufw', 'allow', 'from', '10.0.0.0/8', 'to', 'any', 'port', '18789', 'proto', 'tcp'],
    ]) await ns.executor.run(argv);
    const res = resources(ns, { dockerUser: false });
    const plan = await planNow(res[0]!, ns.executor);
    assert.ok('changes' in plan);
    assert.deepEqual(plan.changes.filter((c) => c.action === 'remove').length, 2 + 5);
    await converge(ns.executor, res);
    const again = await planNow(res[0]!, ns.executor);
    assert.ok('noop' in again);
    assert.match(again.noop, /1 rule\(s\) added by hand left alone: allow 8080\/tcp/);
    const added = (await ns.executor.run(['ufw', 'show', 'added'])).stdout;
    assert.doesNotMatch(added, /18789/);
    assert.match((await ns.executor.run(['ufw', 'status', 'verbose'])).stdout, /^Default: deny \(incoming\), allow \(outgoing\)/m);
  });
});
