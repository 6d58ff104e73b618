/**
 * The guard's systemd mechanism on a real systemd host (the nspawn testbed, private network): an
 * unconfirmed change is reverted by a transient `systemd-run --on-active` timer; a confirmed one
 * stops the timer and stays.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nspawnExecutor } from '../../src/exec/nspawn.ts';
import { armGuard, confirmGuard, guardUnitName, type GuardOptions } from '../../src/firewall/guard.ts';
import { startTestbed, testbedSkipReason, type Testbed } from '../helpers/testbed.ts';

describe('lock-out guard on systemd (testbed)', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  let opts: GuardOptions;
  const policy = async (): Promise<string> => (await tb.executor.run(['iptables', '-w', '-S', 'INPUT'])).stdout.split('\n')[0] ?? '';
  before(async () => {
    tb = await startTestbed();
    await tb.executor.run(['sh', '-c', 'command -v iptables-save || DEBIAN_FRONTEND=noninteractive apt-get install -y -q iptables'], { timeoutMs: 180_000 });
    opts = { dir: '/var/lib/clawops/firewall-guard', timeoutSec: 5, files: [], openConfirmConnection: async () => nspawnExecutor(tb.name) };
  });
  after(() => tb?.stop());

  it('unconfirmed: the transient timer restores the rules', async () => {
    const g = await armGuard(tb.executor, opts);
    assert.equal(g.mechanism, 'systemd');
    assert.equal((await tb.executor.run(['systemctl', 'is-active', `${guardUnitName(g.id)}.timer`], { allowFailure: true })).stdout.trim(), 'active');
    await tb.executor.run(['iptables', '-w', '-P', 'INPUT', 'DROP']);
    assert.equal(await policy(), '-P INPUT DROP');
    let restored = false;
    for (let i = 0; i < 40 && !restored; i++) {
      await new Promise((r) => setTimeout(r, 250));
      restored = (await policy()) === '-P INPUT ACCEPT';
    }
    assert.ok(restored, 'the previous policy came back');
    assert.ok(await tb.executor.stat(`${g.dir}/reverted`));
  });

  it('confirmed: the timer is stopped and the change stays', async () => {
    const g = await armGuard(tb.executor, opts);
    await tb.executor.run(['iptables', '-w', '-P', 'INPUT', 'DROP']);
    await confirmGuard(tb.executor, g, opts);
    assert.notEqual((await tb.executor.run(['systemctl', 'is-active', `${guardUnitName(g.id)}.timer`], { allowFailure: true })).stdout.trim(), 'active');
    await new Promise((r) => setTimeout(r, (opts.timeoutSec + 1) * 1000));
    assert.equal(await policy(), '-P INPUT DROP');
    assert.equal(await tb.executor.stat(g.dir), null);
  });
});
