/**
 * Pure UFW planning: facts in, ordered changes out. Order matters for safety: allow rules (the SSH
 * safety net first), then default policies, then enable, then removals (the safety net last, and
 * only when no SSH session depends on it).
 */
import { ClawopsError } from '../core/errors.ts';
import type { JsonValue, PlannedChange, PlanOutcome } from '../engine/types.ts';
import { dependentSessions, describeSession, type SshSession } from './sessions.ts';
import {
  addArgv,
  deleteArgv,
  desiredDefaults,
  desiredUfwRules,
  isManaged,
  isSafetyNet,
  opensGatewayPort,
  parseUfwRule,
  type FirewallSpec,
  type Policy,
  type UfwRule,
} from './ufw-rules.ts';

export const UFW_RESOURCE_ID = 'ufw:firewall';

export type UfwState = {
  installed: boolean;
  active: boolean;
  defaults: { incoming: Policy | null; outgoing: Policy | null; routed: Policy | null };
  /** `ufw show added` lines, e.g. `ufw allow in on tailscale0 comment 'clawops'` */
  rules: string[];
  sshSessions: { peer: string; local: string; iface: string | null }[];
  /** the Tailscale-down SSH fallback holds the SSH port open (src/fallback/): its rule is left alone */
  fallbackOpen?: boolean;
};

export type UfwOp = 'add' | 'update' | 'default' | 'enable' | 'delete';

export type UfwChangeData = {
  op: UfwOp;
  argv: string[];
  /** risky changes run under the lock-out guard */
  guarded: boolean;
  undo: string[] | null;
  /** deleting the SSH safety net: re-check sessions right before */
  safetyNet: boolean;
};

export interface UfwPlanInput {
  firewall: FirewallSpec;
  /** gateway ports of all instances */
  gatewayPorts: number[];
  /** clawops' state dir on the target (where the SSH fallback's record is) */
  stateDir?: string;
}

function change(action: PlannedChange['action'], summary: string, data: UfwChangeData, diff: string): PlannedChange {
  return { resourceId: UFW_RESOURCE_ID, kind: 'ufw', action, summary, diff, data: data as unknown as JsonValue };
}

const quoteComment = (c: string): string => `comment '${c}'`;

export function refuseSafetyNetRemoval(sessions: readonly SshSession[], mgmt: readonly string[]): ClawopsError | null {
  const dep = dependentSessions(sessions, mgmt);
  if (dep.length === 0) return null;
  return new ClawopsError(
    `refusing to remove the SSH safety net (allow 22/tcp): ${dep.length} SSH session(s) reach this host on port 22 outside the management interfaces: ${dep.map(describeSession).join(', ')}`,
    {
      hint: `reconnect through ${mgmt.join(' or ')} (e.g. Tailscale SSH), close the port-22 sessions, and re-run; or keep firewall.sshSafetyNet: true`,
    },
  );
}

/** Rules added by hand that clawops keeps (reported, never touched). */
export function ufwDrift(state: UfwState, input: UfwPlanInput): UfwRule[] {
  const desired = new Set(desiredUfwRules(input.firewall).map((d) => parseUfwRule(d.text)?.key));
  return state.rules
    .map(parseUfwRule)
    .filter((r): r is UfwRule => r !== null)
    .filter(
      (r) =>
        !isManaged(r) &&
        !desired.has(r.key) &&
        !isSafetyNet(r) &&
        !opensGatewayPort(r, input.gatewayPorts, input.firewall.managementInterfaces),
    );
}

export function planUfw(state: UfwState, input: UfwPlanInput): PlanOutcome {
  const fw = input.firewall;
  const mgmt = fw.managementInterfaces;
  const current = state.rules.map(parseUfwRule).filter((r): r is UfwRule => r !== null);
  const byKey = new Map(current.map((r) => [r.key, r]));
  const out: PlannedChange[] = [];

  // 1. allow rules
  const desired = desiredUfwRules(fw);
  const desiredKeys = new Set<string>();
  for (const d of desired) {
    const want = parseUfwRule(d.text);
    if (!want) continue;
    desiredKeys.add(want.key);
    const have = byKey.get(want.key);
    const satisfied =
      (have !== undefined && have.action === want.action) || (isSafetyNet(want) && current.some(isSafetyNet));
    if (satisfied) continue;
    const argv = addArgv(d);
    if (have) {
      out.push(change('change', `ufw ${have.text} -> ${d.text}`, { op: 'update', argv, guarded: true, undo: ['ufw', ...have.text.split(' ')], safetyNet: false }, `- ufw ${have.text}\n+ ufw ${d.text} ${quoteComment(d.comment)}`));
    } else {
      out.push(change('add', `ufw ${d.text}`, { op: 'add', argv, guarded: false, undo: deleteArgv(d.text), safetyNet: false }, `+ ufw ${d.text} ${quoteComment(d.comment)}`));
    }
  }

  // 2. removals of hand rules that open a gateway port: before enabling, so it is never exposed
  const removals: PlannedChange[] = [];
  const lateRemovals: PlannedChange[] = [];
  for (const r of current) {
    if (desiredKeys.has(r.key)) continue;
    const del = (why: string, safetyNet: boolean): PlannedChange =>
      change('remove', `ufw delete ${r.text} (${why})`, { op: 'delete', argv: deleteArgv(r.text), guarded: true, undo: ['ufw', ...r.text.split(' '), ...(r.comment ? ['comment', r.comment] : [])], safetyNet }, `- ufw ${r.text}${r.comment ? ` ${quoteComment(r.comment)}` : ''}`);
    if (isSafetyNet(r)) {
      if (fw.sshSafetyNet || state.fallbackOpen) continue;
      const refusal = refuseSafetyNetRemoval(state.sshSessions, mgmt);
      if (refusal) throw refusal;
      lateRemovals.push(del('SSH safety net no longer needed', true));
    } else if (opensGatewayPort(r, input.gatewayPorts, mgmt)) {
      removals.push(del(`opens gateway port ${input.gatewayPorts.join(',')} outside ${mgmt.join(',')}`, false));
    } else if (isManaged(r)) {
      removals.push(del('no longer in the spec', false));
    }
  }

  // 3. default policies
  const want = desiredDefaults(fw);
  for (const dir of ['incoming', 'outgoing', 'routed'] as const) {
    const cur = state.defaults[dir];
    if (cur === want[dir]) continue;
    out.push(change('change', `ufw default ${want[dir]} ${dir}`, { op: 'default', argv: ['ufw', 'default', want[dir] ?? 'deny', dir], guarded: true, undo: cur ? ['ufw', 'default', cur, dir] : null, safetyNet: false }, `- default ${cur ?? 'unknown'} (${dir})\n+ default ${want[dir]} (${dir})`));
  }
  out.push(...removals);

  // 4. enable after the allow rules and defaults
  if (!state.active) {
    out.push(change('change', 'ufw --force enable', { op: 'enable', argv: ['ufw', '--force', 'enable'], guarded: true, undo: ['ufw', 'disable'], safetyNet: false }, '- Status: inactive\n+ Status: active'));
  }
  out.push(...lateRemovals);

  if (out.length === 0) {
    const drift = ufwDrift(state, input);
    return {
      noop: `ufw is active with the spec's defaults and rules${drift.length ? `; ${drift.length} rule(s) added by hand left alone: ${drift.map((r) => r.text).join('; ')}` : ''}`,
    };
  }
  return { changes: out };
}
