/** What the running host has of the baseline: modules, the login umask, systemd's core limit. */
import { NOT_INSTALLED, scriptFact } from '../facts/probe.ts';
import { unknown } from '../facts/types.ts';

export interface ModuleState {
  /** in /proc/modules now */
  loaded: boolean;
  /** what `modprobe -n -v` would do (its first line) */
  dryRun: string;
}

const MODULES_SCRIPT = `command -v modprobe >/dev/null 2>&1 || { echo "modprobe: not installed (package kmod)" >&2; exit ${NOT_INSTALLED}; }
for m; do n=$(printf %s "$m" | tr - _)
  if grep -q "^$n " /proc/modules 2>/dev/null; then l=loaded; else l=no; fi
  printf '%s|%s|%s\\n' "$m" "$l" "$(modprobe -n -v "$m" 2>&1 | head -n 1)"
done`;

/** Argument: module names, one per line. */
export const moduleStates = scriptFact<Record<string, ModuleState>>({
  kind: 'modules',
  describe: 'kernel modules: loaded now, and what `modprobe -n -v` would do',
  script: MODULES_SCRIPT,
  parse(out) {
    const r: Record<string, ModuleState> = {};
    for (const l of out.split('\n').filter(Boolean)) {
      const [m = '', loaded = '', ...dry] = l.split('|');
      r[m] = { loaded: loaded === 'loaded', dryRun: dry.join('|').trim() };
    }
    return r;
  },
});

// a login shell with nothing of any user's (HOME points nowhere): /etc/profile and /etc/profile.d only
const UMASK_SCRIPT = 'env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent sh -lc umask </dev/null 2>/dev/null';

export const loginUmask = scriptFact<{ umask: string }>({
  kind: 'login-umask',
  describe: 'the umask a login shell gets from /etc/profile and /etc/profile.d',
  script: UMASK_SCRIPT,
  parse(out) {
    const m = /^0*([0-7]{1,3})$/.exec(out.trim());
    return m ? { umask: m[1]!.padStart(3, '0') } : unknown(`login shell umask: unexpected "${out.trim().slice(0, 40)}"`);
  },
});

export const systemdCoreLimit = scriptFact<{ limit: string }>({
  kind: 'systemd-core-limit',
  describe: 'the core-file limit systemd gives every service (DefaultLimitCORE of the running manager)',
  script: 'systemctl show -p DefaultLimitCORE --value',
  parse(out) {
    const v = out.trim();
    return v ? { limit: v } : unknown('systemctl show -p DefaultLimitCORE: empty');
  },
});
