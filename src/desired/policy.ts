/**
 * What a spec implies beyond its keys, in one place for both readers of the host: the checks
 * judge by these and the resources plan by them, so the gate and apply cannot disagree.
 */
import type { ResolvedSpec } from './resolve.ts';

/** clawops manages the DOCKER-USER chain (and so the gate judges it) exactly when this holds. */
export const managesDockerUser = (spec: ResolvedSpec): boolean => spec.firewall.enabled && spec.firewall.dockerUser;

/** The supplementary groups a service user may have (docker, only by the spec's explicit opt-in); anything else is drift. */
export function serviceGroups(spec: ResolvedSpec): string[] {
  return spec.docker.enabled && spec.docker.serviceUserGroup ? ['docker'] : [];
}

/** The sandbox needs Docker and the service user has no way to it (the spec did not opt in to the docker group). */
export const sandboxLacksDocker = (spec: ResolvedSpec): boolean => spec.docker.enabled && spec.sandbox.mode !== 'off' && !spec.docker.serviceUserGroup;

/** Groups a service user is in beyond its own and the spec's: the gate fails on them, apply removes them. */
export function extraGroups(user: string, wanted: readonly string[], groups: readonly string[]): string[] {
  return groups.filter((g) => g !== user && !wanted.includes(g));
}

/** A sender allowlist in a channel (or one of its accounts) holding "*" (anyone), with what stays once the wildcard goes. */
export interface WildcardSenders {
  path: string[];
  entries: unknown[];
  kept: unknown[];
}

const isWildcard = (e: unknown): boolean => String(e ?? '').trim() === '*';
const asObject = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/**
 * Sender allowlists that let anyone in where the spec's policy is not open (`allowFrom` and the
 * legacy `dm.allowFrom` under a DM policy, `groupAllowFrom` under a group policy), in each channel
 * and each of its accounts: OpenClaw treats "*" as everyone, so a pairing DM policy with
 * `allowFrom: ["*"]` is an open one. The gate fails on them; apply drops the wildcard, named senders stay.
 */
export function wildcardSenderLists(spec: ResolvedSpec, channels: unknown): WildcardSenders[] {
  const lists: [string[], boolean][] = [
    [['allowFrom'], spec.channels.dmPolicy !== 'open'],
    [['dm', 'allowFrom'], spec.channels.dmPolicy !== 'open'],
    [['groupAllowFrom'], spec.channels.groupPolicy !== 'open'],
  ];
  const out: WildcardSenders[] = [];
  const inspect = (section: Record<string, unknown>, base: string[]) => {
    for (const [rel, guarded] of lists) {
      const v = rel.reduce<unknown>((o, k) => asObject(o)?.[k], section);
      if (guarded && Array.isArray(v) && v.some(isWildcard)) out.push({ path: [...base, ...rel], entries: v, kept: v.filter((e) => !isWildcard(e)) });
    }
  };
  for (const [ch, value] of Object.entries(asObject(channels) ?? {})) {
    const section = asObject(value);
    if (!section) continue;
    inspect(section, ['channels', ch]);
    for (const [acct, a] of Object.entries(asObject(section.accounts) ?? {})) {
      const account = asObject(a);
      if (account) inspect(account, ['channels', ch, 'accounts', acct]);
    }
  }
  return out;
}
