/** The small files of the host baseline, rendered from the spec (pure). */
import type { ResolvedSpec } from '../desired/resolve.ts';

export const MODPROBE_FILE = '/etc/modprobe.d/clawops-blacklist.conf';
export const LIMITS_FILE = '/etc/security/limits.d/clawops-coredump.conf';
export const SYSTEMD_CORE_FILE = '/etc/systemd/system.conf.d/clawops-coredump.conf';
export const COREDUMP_FILE = '/etc/systemd/coredump.conf.d/clawops.conf';
export const PROFILE_UMASK_FILE = '/etc/profile.d/clawops-umask.sh';
export const LOGIN_DEFS = '/etc/login.defs';
export const BANNER_FILES = ['/etc/issue', '/etc/issue.net'] as const;
export const UMASK = '027';

/** Kernel modules nothing on a gateway host needs; `install <m> /bin/true` (what audits accept) beats `blacklist`, which an explicit modprobe ignores. */
export const BLOCKED_MODULES = [
  { name: 'dccp', why: 'Datagram Congestion Control Protocol: unused, a history of kernel bugs' },
  { name: 'sctp', why: 'Stream Control Transmission Protocol: unused' },
  { name: 'rds', why: 'Reliable Datagram Sockets: unused, a history of kernel bugs' },
  { name: 'tipc', why: 'Transparent Inter-Process Communication: unused' },
  { name: 'usb-storage', why: 'USB mass storage: a VPS has no USB, and a host with one should not mount sticks' },
] as const;

export function renderModprobe(): string {
  const lines = ['# Managed by clawops (baseline.modules): these modules cannot be loaded'];
  for (const m of BLOCKED_MODULES) lines.push(`# ${m.why}`, `install ${m.name} /bin/true`);
  return `${lines.join('\n')}\n`;
}

export function renderLimits(): string {
  return '# Managed by clawops (baseline.coreDumps): no core files for any login (their memory can hold secrets)\n*\thard\tcore\t0\nroot\thard\tcore\t0\n';
}

export function renderSystemdCore(): string {
  return '# Managed by clawops (baseline.coreDumps): no core files for any service\n[Manager]\nDefaultLimitCORE=0\n';
}

export function renderCoredumpConf(): string {
  return '# Managed by clawops (baseline.coreDumps): systemd-coredump, if installed, keeps nothing\n[Coredump]\nStorage=none\nProcessSizeMax=0\n';
}

export function renderProfileUmask(): string {
  return `# Managed by clawops (baseline.umask): files a login creates are not world-readable\numask ${UMASK}\n`;
}

export function renderBanner(text: string): string {
  return `${text.trim()}\n`;
}

/** The login.defs keys the spec wants, in file order of appearance when appended. */
export function loginDefsKeys(spec: ResolvedSpec): Record<string, string> {
  const keys: Record<string, string> = {};
  if (spec.baseline.umask) keys['UMASK'] = UMASK;
  if (spec.baseline.loginDefs) {
    Object.assign(keys, { PASS_MAX_DAYS: '365', PASS_MIN_DAYS: '1', PASS_WARN_AGE: '14', SHA_CRYPT_MIN_ROUNDS: '65536', SHA_CRYPT_MAX_ROUNDS: '65536' });
  }
  return keys;
}

const KEY_LINE = /^\s*([A-Z_][A-Z0-9_]*)\s+(.*?)\s*$/;

/** login.defs' uncommented `KEY VALUE` lines (the first of each key counts, as for shadow's tools). */
export function parseLoginDefs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of text.split('\n')) {
    const m = KEY_LINE.exec(l);
    if (m && !out.has(m[1]!)) out.set(m[1]!, m[2]!);
  }
  return out;
}

/**
 * Pure: `text` with each wanted key set: the first uncommented line of the key is rewritten in
 * place, later duplicates are commented out, missing keys are appended; every other line is kept.
 * Unchanged values leave the text byte for byte as it was.
 */
export function mergeLoginDefs(text: string, want: Record<string, string>): string {
  const seen = new Set<string>();
  const lines = text.split('\n');
  const out = lines.map((l) => {
    const m = KEY_LINE.exec(l);
    const k = m?.[1];
    if (!k || !(k in want)) return l;
    if (seen.has(k)) return `# ${l} (clawops: a later duplicate, ignored by shadow's tools)`;
    seen.add(k);
    return m[2] === want[k] ? l : `${k}\t\t${want[k]}`;
  });
  const missing = Object.keys(want).filter((k) => !seen.has(k));
  if (missing.length === 0) return out.join('\n');
  if (out.length > 0 && out.at(-1) === '') out.pop();
  out.push('# clawops (baseline)', ...missing.map((k) => `${k}\t\t${want[k]}`), '');
  return out.join('\n');
}
