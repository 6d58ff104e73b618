/**
 * The kernel and network settings of the host baseline, each with why, and what the running
 * kernel has. Left out on purpose: IP forwarding (Docker's bridges and the sandbox need it),
 * `log_martians` (ufw's own /etc/ufw/sysctl.conf sets it to 0 at every ufw start, so a file here
 * would be overridden and the gate would never settle), `kernel.modules_disabled` (no module could
 * ever load again, Docker's included). The file sorts after /usr/lib/sysctl.d/99-protect-links.conf.
 */
import type { ResolvedSpec } from '../desired/resolve.ts';
import { scriptFact } from '../facts/probe.ts';
import { unknown } from '../facts/types.ts';

export const SYSCTL_FILE = '/etc/sysctl.d/zz-clawops-hardening.conf';

export interface SysctlSetting {
  key: string;
  value: string;
  why: string;
  /** the spec part that wants it */
  part: 'sysctl' | 'coreDumps';
}

const s = (key: string, value: string, why: string, part: SysctlSetting['part'] = 'sysctl'): SysctlSetting => ({ key, value, why, part });

export const SYSCTLS: readonly SysctlSetting[] = [
  s('net.ipv4.conf.all.accept_redirects', '0', 'an ICMP redirect must not reroute the host\'s traffic'),
  s('net.ipv4.conf.default.accept_redirects', '0', 'the same for interfaces created later (docker0, tailscale0)'),
  s('net.ipv6.conf.all.accept_redirects', '0', 'an ICMPv6 redirect must not reroute the host\'s traffic'),
  s('net.ipv6.conf.default.accept_redirects', '0', 'the same for interfaces created later'),
  s('net.ipv4.conf.all.send_redirects', '0', 'the host is not a router: it tells nobody where to send traffic'),
  s('net.ipv4.conf.default.send_redirects', '0', 'the same for interfaces created later'),
  s('net.ipv4.conf.all.accept_source_route', '0', 'a sender must not choose the route of its packets through the host'),
  s('net.ipv4.conf.default.accept_source_route', '0', 'the same for interfaces created later'),
  s('net.ipv6.conf.all.accept_source_route', '0', 'the same for IPv6'),
  s('net.ipv6.conf.default.accept_source_route', '0', 'the same for IPv6 interfaces created later'),
  s('net.ipv4.conf.all.rp_filter', '1', 'drop packets whose source could not be answered on that interface (spoofing); a Tailscale subnet router or exit node wants 2 instead: turn baseline.sysctl off there'),
  s('net.ipv4.conf.default.rp_filter', '1', 'the same for interfaces created later'),
  s('net.ipv4.icmp_echo_ignore_broadcasts', '1', 'no answers to broadcast pings (smurf amplification)'),
  s('net.ipv4.icmp_ignore_bogus_error_responses', '1', 'bogus ICMP errors are not logged (log flooding)'),
  s('net.ipv4.tcp_syncookies', '1', 'SYN floods do not exhaust the connection backlog'),
  s('net.core.bpf_jit_harden', '2', 'JIT-compiled BPF is hardened against spraying for every user'),
  s('kernel.kptr_restrict', '2', 'kernel addresses are hidden from every user (they help exploits)'),
  s('kernel.dmesg_restrict', '1', 'only root reads the kernel log'),
  s('kernel.unprivileged_bpf_disabled', '1', 'the service user cannot load BPF programs'),
  s('kernel.yama.ptrace_scope', '1', 'a process can only trace its own descendants (a compromised gateway cannot read other processes\' memory)'),
  s('kernel.perf_event_paranoid', '3', 'no perf events for unprivileged users'),
  s('kernel.randomize_va_space', '2', 'full address space layout randomisation'),
  s('kernel.sysrq', '0', 'no magic SysRq key (reboot, kill all) from a console or /proc/sysrq-trigger'),
  s('kernel.core_uses_pid', '1', 'a core file, if one is ever allowed, never overwrites another'),
  s('dev.tty.ldisc_autoload', '0', 'an unprivileged user cannot load TTY line disciplines (a kernel attack surface)'),
  s('fs.protected_hardlinks', '1', 'no hard links to files the user does not own (TOCTOU in world-writable dirs)'),
  s('fs.protected_symlinks', '1', 'symlinks in sticky world-writable dirs are followed only by their owner'),
  s('fs.protected_fifos', '2', 'no writes to FIFOs of other users in sticky dirs'),
  s('fs.protected_regular', '2', 'no writes to regular files of other users in sticky dirs'),
  s('fs.suid_dumpable', '0', 'setuid programs never dump core (their memory holds what they read as root)', 'coreDumps'),
];

export function wantedSysctls(spec: ResolvedSpec): SysctlSetting[] {
  return SYSCTLS.filter((x) => spec.baseline[x.part]);
}

export function renderSysctl(settings: readonly SysctlSetting[]): string {
  const lines = ['# Managed by clawops (baseline.sysctl, baseline.coreDumps): `clawops render sysctl`'];
  for (const x of settings) lines.push(`# ${x.why}`, `${x.key} = ${x.value}`);
  return `${lines.join('\n')}\n`;
}

export interface SysctlLive {
  /** systemd-detect-virt --container ("none" on a VM or bare metal) */
  container: string;
  keys: Record<string, { state: 'absent' } | { state: 'rw' | 'ro'; value: string }>;
}

// one round trip: for each key its /proc/sys file, whether root can write it here and its value
const SYSCTL_SCRIPT = `v=$(systemd-detect-virt --container 2>/dev/null); printf 'container %s\\n' "\${v:-none}"
for k; do p=/proc/sys/$(printf %s "$k" | tr . /)
  if [ ! -e "$p" ]; then echo "$k|absent|"; continue; fi
  if [ -w "$p" ]; then w=rw; else w=ro; fi
  printf '%s|%s|%s\\n' "$k" "$w" "$(tr -s '\\t ' '  ' < "$p" 2>/dev/null)"
done`;

/** Argument: the keys, one per line. */
export const sysctlLive = scriptFact<SysctlLive>({
  kind: 'sysctl',
  describe: 'kernel settings as the running kernel has them (/proc/sys), and whether they can be set here',
  script: SYSCTL_SCRIPT,
  parse(out) {
    const lines = out.split('\n').filter(Boolean);
    const container = /^container (\S+)/.exec(lines[0] ?? '')?.[1];
    if (!container) return unknown('sysctl probe: no container line');
    const keys: SysctlLive['keys'] = {};
    for (const l of lines.slice(1)) {
      const [k = '', w = '', ...v] = l.split('|');
      keys[k] = w === 'absent' ? { state: 'absent' } : { state: w === 'rw' ? 'rw' : 'ro', value: v.join('|').trim() };
    }
    return { container, keys };
  },
});

/** What differs from the wanted values, split into what can be set here and what cannot. */
export function sysctlDrift(live: SysctlLive, wanted: readonly SysctlSetting[]): { settable: SysctlSetting[]; readOnly: (SysctlSetting & { now: string })[]; absent: string[] } {
  const settable: SysctlSetting[] = [];
  const readOnly: (SysctlSetting & { now: string })[] = [];
  const absent: string[] = [];
  for (const w of wanted) {
    const k = live.keys[w.key];
    if (!k || k.state === 'absent') absent.push(w.key);
    else if (k.value === w.value) continue;
    else if (k.state === 'rw') settable.push(w);
    else readOnly.push({ ...w, now: k.value });
  }
  return { settable, readOnly, absent };
}

/** Sets each `key value` pair through /proc/sys (stdin: one pair per line); prints what it could not set. */
export const SYSCTL_SET_SCRIPT = `rc=0
while read -r k v; do p=/proc/sys/$(printf %s "$k" | tr . /)
  printf '%s\\n' "$v" > "$p" 2>/dev/null || { echo "$k"; rc=1; }
done
exit $rc`;
