/**
 * The audit probe's device pairing as a resource (see pairing.ts for why and how): per instance,
 * on versions whose deep audit needs it, the service user's CLI device is paired with the running
 * gateway as operator.read only. A pairing wider than that (e.g. left by `oc tui`, which pairs as
 * operator.admin) is removed and paired again narrow. Everything runs as the service user.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import type { Journal, JsonValue, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { openclawRun } from './config-write.ts';
import { AUDIT_PROBE_SCOPE, judgePairing, pairCliDevice, pairingDbPath, readPairing, type PairingState } from './pairing.ts';
import { servicePath } from './paths.ts';
import { capabilities } from './versions.ts';

export const pairingResourceId = (inst: ResolvedInstance) => `openclaw-pairing:${inst.name}`;

type State = { [k: string]: JsonValue } & { skip?: string; pairing?: JsonValue };

export function openclawPairingResource(spec: ResolvedSpec, inst: ResolvedInstance, dependsOn: readonly string[]): Resource<State> {
  const id = pairingResourceId(inst);
  const version = spec.openclaw.version;
  const needed = capabilities(version).deepAuditNeedsDevicePairing;
  return {
    id,
    kind: 'openclaw-pairing',
    dependsOn,
    async read(ex: Executor): Promise<State> {
      if (!needed) return { skip: `openclaw ${version}'s deep audit probe needs no device pairing` };
      // before the gateway ever ran there is no state database: nothing to read, the pairing is planned
      if ((await ex.stat(pairingDbPath(inst))) === null) return { pairing: { db: false } };
      return { pairing: (await readPairing(ex, inst, servicePath(inst))) as unknown as JsonValue };
    },
    plan(s: State): PlanOutcome {
      if (s.skip) return { noop: s.skip };
      const v = judgePairing(s.pairing as unknown as PairingState);
      if (v.ok) return { noop: v.detail };
      const deviceId = (s.pairing as unknown as PairingState).deviceId ?? null;
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
