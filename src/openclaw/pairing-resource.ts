/**
 * The audit probe's device pairing as a resource (see pairing.ts for why and how): per instance,
 * on versions whose deep audit needs it, the service user's CLI device is paired with the running
 * gateway as operator.read only. A pairing wider than that (e.g. left by `oc tui`, which pairs as
 * operator.admin) is removed and paired again narrow. Everything runs as the service user.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import type { Journal, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import { pairingFactRef } from '../facts/openclaw-live.ts';
import { type FactReader, known } from '../facts/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { openclawRun } from './config-write.ts';
import { AUDIT_PROBE_SCOPE, judgePairing, pairCliDevice, readPairing } from './pairing.ts';
import { servicePath } from './paths.ts';
import { capabilities } from './versions.ts';

export const pairingResourceId = (inst: ResolvedInstance) => `openclaw-pairing:${inst.name}`;

export function openclawPairingResource(spec: ResolvedSpec, inst: ResolvedInstance, dependsOn: readonly string[]): Resource {
  const id = pairingResourceId(inst);
  const version = spec.openclaw.version;
  const needed = capabilities(version).deepAuditNeedsDevicePairing;
  return {
    id,
    kind: 'openclaw-pairing',
    dependsOn,
    needs: () => (needed ? [pairingFactRef(inst)] : []),
    plan(f: FactReader): PlanOutcome {
      if (!needed) return { noop: `openclaw ${version}'s deep audit probe needs no device pairing` };
      const pairing = known(f, pairingFactRef(inst));
      const v = judgePairing(pairing);
      if (v.ok) return { noop: v.detail };
      const deviceId = pairing.deviceId ?? null;
      const change: PlannedChange = {
        resourceId: id,
        kind: 'openclaw-pairing',
        action: v.reason === 'too-wide' || v.reason === 'too-narrow' ? 'change' : 'add',
        summary: `pair the service user's CLI device with the gateway as ${AUDIT_PROBE_SCOPE} only (${v.detail})`,
        data: { removeFirst: v.reason === 'too-wide' || v.reason === 'too-narrow', deviceId, version },
      };
      return { changes: [change] };
    },
    async apply(ex: Executor, change: PlannedChange, journal: Journal) {
      const d = change.data as { removeFirst: boolean; deviceId: string | null };
      if (d.removeFirst && d.deviceId) {
        await journal.saveStep(`openclaw devices remove ${d.deviceId} (a pairing wider than ${AUDIT_PROBE_SCOPE})`, null);
        await openclawRun(ex, inst, version, ['devices', 'remove', d.deviceId, '--json'], { timeoutMs: 120_000 });
      }
      await journal.saveStep(`pair the service user's CLI device as ${AUDIT_PROBE_SCOPE} (openclaw devices remove undoes it)`, null);
      const granted = await pairCliDevice(ex, inst, version);
      const after = judgePairing(await readPairing(ex, inst, servicePath(inst)));
      if (!after.ok) {
        throw new ClawopsError(`the gateway granted ${granted.role ?? 'no role'} [${granted.scopes.join(' ')}], but: ${after.detail}`, {
          hint: 'gateway.nodes.pairing.autoApproveLocal=false needs `openclaw devices approve`; see `oc devices list`',
        });
      }
    },
  };
}
