/** The parser for /etc/default/ufw (`ufw status verbose` is read by the `ufw` fact, src/facts/firewall.ts). */
import type { Policy, UfwDefaults } from './ufw-rules.ts';

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
