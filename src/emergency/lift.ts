/**
 * `clawops emergency lift`: undo a containment exactly as its record says (a false alarm, or a step
 * of recover): the network cut out, each gateway's hold removed and the unit enabled and started
 * again only if it was before (`--no-start` leaves them stopped, e.g. for an in-place restore
 * first), the account's expiry and groups as they were, the paused timers as they were. Stopped
 * sandbox containers stay stopped with their restart policy back (OpenClaw starts fresh ones; remove
 * the old ones with `docker rm` once the evidence is collected); the incident stays open for a
 * person to resolve with a note. Idempotent: without a record there is nothing to lift.
 */
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import type { Step } from './contain.ts';
import { removeCut } from './firewall.ts';
import { holdDropIn, readContainRecord, removeContainRecord, type ContainRecord } from './record.ts';
import { followWrites } from '../engine/registry.ts';

export interface LiftResult {
  /** the record lifted; null: the host was not contained */
  record: ContainRecord | null;
  steps: Step[];
}

export async function lift(ex: Executor, spec: ResolvedSpec, o: { start: boolean; log?: (line: string) => void }): Promise<LiftResult> {
  const record = await readContainRecord(ex, spec);
  if (!record) return { record: null, steps: [] };
  const steps: Step[] = [];
  const say = (s: Step) => {
    steps.push(s);
    o.log?.(`${s.status.padEnd(7)} ${s.step}: ${s.detail}`);
  };
  // first: a gateway's replies on loopback leave through OUTPUT under its uid too
  const cut = await removeCut(ex);
  const cutFailed = cut.filter((c) => c.failed && !/is not installed/.test(c.failed));
  if (cutFailed.length > 0) throw new Error(`could not remove the network cut: ${cutFailed.map((c) => `${c.table}: ${c.failed}`).join('; ')}`);
  say({ step: 'outbound traffic', status: cut.some((c) => c.changed) ? 'done' : 'already', detail: 'the containment chain and its jumps removed' });
  for (const i of record.instances) {
    if (i.uid === null) continue;
    await ex.run(['usermod', '--expiredate', i.expiry === '' ? '' : i.expiry, '--', i.user]);
    for (const g of i.removedGroups) await ex.run(['gpasswd', '-a', i.user, g]);
    say({ step: `account ${i.user}`, status: 'done', detail: `expiry ${i.expiry === '' ? 'never' : i.expiry}${i.removedGroups.length ? `, back in ${i.removedGroups.join(', ')}` : ''}` });
  }
  // the record goes before the units start: their hold asserts it is absent
  await removeContainRecord(ex, spec);
  for (const i of record.instances) {
    const did: string[] = [];
    await ex.run(['rm', '-f', '--', holdDropIn(i.unit)]);
    await ex.run(['systemctl', 'daemon-reload']);
    did.push('hold removed', ...(await followWrites(spec, ex, [holdDropIn(i.unit)])));
    if (i.wasEnabled) {
      await ex.run(['systemctl', 'enable', '--quiet', '--', i.unit]);
      did.push('enabled');
    }
    if (i.wasActive && o.start) {
      await ex.run(['systemctl', 'reset-failed', '--', i.unit], { allowFailure: true });
      await ex.run(['systemctl', 'start', '--', i.unit], { timeoutMs: 180_000 });
      did.push('started');
    } else if (i.wasActive) did.push('left stopped (--no-start)');
    say({ step: `gateway ${i.unit}`, status: 'done', detail: did.join(', ') });
  }
  for (const t of record.timers) {
    if (t.wasEnabled) await ex.run(['systemctl', 'enable', '--quiet', '--', t.unit]);
    if (t.wasActive) await ex.run(['systemctl', 'start', '--', t.unit]);
    say({ step: `timer ${t.unit}`, status: t.wasEnabled || t.wasActive ? 'done' : 'already', detail: t.wasEnabled ? 'enabled again' : 'was not enabled before' });
  }
  if (record.containers.length > 0) {
    for (const [name, policy] of Object.entries(record.restartPolicies)) {
      if (policy && policy !== 'no') await ex.run(['docker', 'update', `--restart=${policy}`, name], { allowFailure: true, timeoutMs: 30_000 });
    }
    say({ step: 'sandbox containers', status: 'skipped', detail: `left stopped: ${record.containers.join(', ')} (docker rm them once the evidence is collected)` });
  }
  if (record.incident !== null) say({ step: 'incident', status: 'skipped', detail: `#${record.incident} stays open: clawops incident resolve ${record.incident} --note "..."` });
  return { record, steps };
}
