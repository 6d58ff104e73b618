/**
 * The running gateway must use the token clawops keeps for it. It reads its token only at start, so
 * a token file changed by hand (or by a step that did not restart it) leaves a gateway that accepts
 * a stale token and refuses the one in the file; the gate's `network.gateway-token-live` sees it
 * from the same fact, and this step restarts the gateway on the file (the settle then waits for it).
 */
import type { Resource } from '../engine/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { tokenLiveRef } from '../facts/openclaw-live.ts';
import { known } from '../facts/types.ts';

export function tokenLiveResource(spec: ResolvedSpec, inst: ResolvedInstance, dependsOn: string[]): Resource {
  const id = `openclaw-token-live:${inst.name}`;
  const live = tokenLiveRef(inst, spec.openclaw.version);
  return {
    id,
    kind: 'openclaw-token-live',
    dependsOn,
    needs: () => [live],
    plan(f) {
      if (spec.gateway.auth.mode !== 'token') return { noop: `gateway.auth.mode is ${spec.gateway.auth.mode}` };
      const v = known(f, live).verdict;
      if (v === 'accepted') return { noop: 'the running gateway accepts the token in its file' };
      if (v !== 'refused') return { noop: v === 'no-token' ? 'no token in its file yet (the token step writes it)' : 'the gateway does not answer (the service step and the settle judge it)' };
      return {
        changes: [{
          resourceId: id,
          kind: 'openclaw-token-live',
          action: 'change',
          summary: `restart ${inst.unit}: the running gateway refuses the token in its file (it started before the file changed)`,
          data: { unit: inst.unit },
        }],
      };
    },
    async apply(ex, _change, journal) {
      await journal.saveStep(`systemctl restart ${inst.unit} (the running gateway refused the token in its file)`, null);
      await ex.run(['systemctl', 'reset-failed', '--', inst.unit], { allowFailure: true });
      await ex.run(['systemctl', 'restart', '--', inst.unit], { timeoutMs: 360_000 });
    },
  };
}
