/** Parsers for `ufw status verbose` and /etc/default/ufw (recorded real outputs in test/fixtures). */
import type { Policy, UfwDefaults } from './ufw-rules.ts';

export interface UfwStatus {
  active: boolean;
  /** from the `Default:` line; only printed while ufw is active */
  defaults: UfwDefaults;
}

function policy(word: string | undefined): Policy | null {
  return word === 'allow' || word === 'deny' || word === 'reject' ? word : null;
}

export function parseUfwStatus(out: string): UfwStatus {
  const active = /^Status:\s+active\b/m.test(out);
  const m = /^Default:\s+(\w+) \(incoming\),\s+(\w+) \(outgoing\),\s+(\w+) \(routed\)/m.exec(out);
  return { active, defaults: { incoming: policy(m?.[1]), outgoing: policy(m?.[2]), routed: policy(m?.[3]) } };
}

const FROM_IPT: Record<string, Policy> = { ACCEPT: 'allow', DROP: 'deny', REJECT: 'reject' };

/**
 * Default policies from /etc/default/ufw. This is the source of truth: `ufw status` prints
 * nothing while inactive, and shows the routed policy as "disabled" whenever IP forwarding is off,
 * even after `ufw default deny routed`.
 */
export function parseDefaultUfw(text: string): UfwDefaults {
  const get = (k: string): Policy | null => {
    const m = new RegExp(`^${k}="?(\\w+)"?`, 'm').exec(text);
    return m?.[1] ? (FROM_IPT[m[1]] ?? null) : null;
  };
  return {
    incoming: get('DEFAULT_INPUT_POLICY'),
    outgoing: get('DEFAULT_OUTPUT_POLICY'),
    routed: get('DEFAULT_FORWARD_POLICY'),
  };
}
