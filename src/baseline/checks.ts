/** The host baseline's checks: each judges the running host where it can, and names apply as the fix only when apply fixes it. */
import type { CheckContext, CheckDef, Verdict } from '../checks/types.ts';
import { fail, pass, skipped, unknownV } from '../checks/types.ts';
import { fileState } from '../facts/system.ts';
import { known, ref, type FactReader } from '../facts/types.ts';
import { loginUmask, moduleStates, systemdCoreLimit } from './facts.ts';
import {
  BANNER_FILES, BLOCKED_MODULES, LIMITS_FILE, LOGIN_DEFS, PROFILE_UMASK_FILE, SYSTEMD_CORE_FILE, UMASK,
  loginDefsKeys, parseLoginDefs, renderBanner, renderLimits,
} from './render.ts';
import { aideCheckRef, aideDir, AIDE_CONF } from './aide.ts';
import { auditRef, auditRules, AUDIT_RULES_FILE, missingRules } from './audit.ts';
import { debsums, needrestart } from './upkeep.ts';
import { SYSCTL_FILE, renderSysctl, sysctlDrift, sysctlLive, wantedSysctls, type SysctlLive } from './sysctl.ts';

const RUNBOOK = 'beyond the runbooks: host baseline (what Lynis and CIS-style audits look for)';
const PROFILES = ['go-live', 'security'] as const;
const sysctlRef = (ctx: CheckContext) => ref(sysctlLive, wantedSysctls(ctx.spec).map((w) => w.key).join('\n'));
const SUID_DUMPABLE = ref(sysctlLive, 'fs.suid_dumpable');
const text = (f: FactReader, path: string): string | undefined => {
  const s = known(f, ref(fileState, path));
  return s.exists ? (s.text ?? undefined) : undefined;
};
const readOnlyWhy = (live: SysctlLive) =>
  `read-only here${live.container !== 'none' ? ` (a ${live.container} container: the kernel is the host machine's)` : ''}; a real host applies ${SYSCTL_FILE} at boot`;

export const baselineChecks: CheckDef[] = [
  {
    id: 'host.baseline.sysctl',
    title: 'The running kernel has the baseline\'s sysctls, and they survive a reboot',
    area: 'host', severity: 'warn', profiles: PROFILES, scope: 'host', runbook: RUNBOOK,
    remediation: `clawops apply (writes ${SYSCTL_FILE} and sets the values now)`,
    needs: (ctx) => (wantedSysctls(ctx.spec).length ? [sysctlRef(ctx), ref(fileState, SYSCTL_FILE)] : []),
    evaluate(f, ctx): Verdict {
      const wanted = wantedSysctls(ctx.spec);
      if (wanted.length === 0) return skipped('baseline.sysctl and baseline.coreDumps are off in the spec');
      const live = known(f, sysctlRef(ctx));
      const d = sysctlDrift(live, wanted);
      const absent = d.absent.length ? `; not on this kernel: ${d.absent.join(', ')}` : '';
      if (d.settable.length) {
        return fail(`${d.settable.map((x) => `${x.key} is ${liveValue(live, x.key)}, want ${x.value}`).join('; ')}${absent}`);
      }
      if (text(f, SYSCTL_FILE) !== renderSysctl(wanted)) return fail(`the running values are right but ${SYSCTL_FILE} is missing or differs: a reboot loses them${absent}`);
      if (d.readOnly.length) {
        return unknownV(`${d.readOnly.length} of ${wanted.length} cannot be set: ${d.readOnly.map((x) => `${x.key} is ${x.now} (want ${x.value})`).join(', ')}: ${readOnlyWhy(live)}${absent}`);
      }
      return pass(`${wanted.length - d.absent.length} settings as wanted, in ${SYSCTL_FILE}${absent}`);
    },
  },
  {
    id: 'host.baseline.core-dumps',
    title: 'No core dumps: none for services, none for logins, none of setuid programs',
    area: 'host', severity: 'warn', profiles: PROFILES, scope: 'host', runbook: RUNBOOK,
    remediation: `clawops apply (writes ${SYSTEMD_CORE_FILE} and ${LIMITS_FILE}, re-executes systemd, sets fs.suid_dumpable)`,
    needs: (ctx) => (ctx.spec.baseline.coreDumps ? [ref(systemdCoreLimit), ref(fileState, LIMITS_FILE), SUID_DUMPABLE] : []),
    evaluate(f, ctx): Verdict {
      if (!ctx.spec.baseline.coreDumps) return skipped('baseline.coreDumps is off in the spec');
      const problems: string[] = [];
      const { limit } = known(f, ref(systemdCoreLimit));
      if (limit !== '0') problems.push(`systemd gives services core files (DefaultLimitCORE=${limit})`);
      if (text(f, LIMITS_FILE) !== renderLimits()) problems.push(`${LIMITS_FILE} is missing or differs: logins may dump core`);
      const live = known(f, SUID_DUMPABLE);
      const k = live.keys['fs.suid_dumpable'];
      const suid = k && k.state !== 'absent' ? k : undefined;
      if (suid?.state === 'rw' && suid.value !== '0') problems.push(`fs.suid_dumpable is ${suid.value}`);
      if (problems.length) return fail(problems.join('; '));
      if (suid && suid.value !== '0') return unknownV(`services and logins get no core files; fs.suid_dumpable is ${suid.value}: ${readOnlyWhy(live)}`);
      return pass(`DefaultLimitCORE=0, hard core 0 for logins, fs.suid_dumpable ${suid?.value ?? 'not on this kernel'}`);
    },
  },
  {
    id: 'host.baseline.umask',
    title: `Login shells get umask ${UMASK}`,
    area: 'host', severity: 'warn', profiles: PROFILES, scope: 'host', runbook: RUNBOOK,
    remediation: `clawops apply (UMASK in ${LOGIN_DEFS}, ${PROFILE_UMASK_FILE})`,
    needs: (ctx) => (ctx.spec.baseline.umask ? [ref(loginUmask), ref(fileState, LOGIN_DEFS)] : []),
    evaluate(f, ctx): Verdict {
      if (!ctx.spec.baseline.umask) return skipped('baseline.umask is off in the spec');
      const { umask } = known(f, ref(loginUmask));
      const defs = parseLoginDefs(text(f, LOGIN_DEFS) ?? '').get('UMASK') ?? 'unset';
      const problems = [
        ...(umask !== UMASK ? [`a login shell gets umask ${umask}`] : []),
        ...(defs.replace(/^0+(?=\d{3})/, '') !== UMASK ? [`${LOGIN_DEFS} has UMASK ${defs}`] : []),
      ];
      return problems.length ? fail(`${problems.join('; ')} (want ${UMASK})`) : pass(`login shells get umask ${UMASK}; ${LOGIN_DEFS} UMASK ${defs}`);
    },
  },
  {
    id: 'host.baseline.modules',
    title: 'Unused network protocols and USB storage cannot be loaded, and none is loaded',
    area: 'host', severity: 'warn', profiles: PROFILES, scope: 'host', runbook: RUNBOOK,
    remediation: 'clawops apply (writes the modprobe.d file); a module loaded already stays until `rmmod` or a reboot',
    needs: (ctx) => (ctx.spec.baseline.modules ? [ref(moduleStates, BLOCKED_MODULES.map((m) => m.name).join('\n'))] : []),
    evaluate(f, ctx): Verdict {
      if (!ctx.spec.baseline.modules) return skipped('baseline.modules is off in the spec');
      const states = known(f, ref(moduleStates, BLOCKED_MODULES.map((m) => m.name).join('\n')));
      const loadable = BLOCKED_MODULES.filter((m) => !/^install \/bin\/true\b/.test(states[m.name]?.dryRun ?? ''));
      const loaded = BLOCKED_MODULES.filter((m) => states[m.name]?.loaded);
      if (loaded.length) {
        return fail(`loaded now: ${loaded.map((m) => m.name).join(', ')}`, `rmmod ${loaded.map((m) => m.name.replace('-', '_')).join(' ')} (or reboot)${loadable.length ? '; then clawops apply' : ''}`);
      }
      if (loadable.length) return fail(loadable.map((m) => `${m.name}: modprobe would ${states[m.name]?.dryRun || 'load it'}`).join('; '));
      return pass(`${BLOCKED_MODULES.map((m) => m.name).join(', ')}: modprobe runs /bin/true instead; none loaded`);
    },
  },
  {
    id: 'host.baseline.login-defs',
    title: 'login.defs sets password aging and hashing rounds',
    area: 'host', severity: 'info', profiles: PROFILES, scope: 'host', runbook: RUNBOOK,
    remediation: `clawops apply (sets the keys in ${LOGIN_DEFS}, every other line kept)`,
    needs: (ctx) => (ctx.spec.baseline.loginDefs ? [ref(fileState, LOGIN_DEFS)] : []),
    evaluate(f, ctx): Verdict {
      if (!ctx.spec.baseline.loginDefs) return skipped('baseline.loginDefs is off in the spec');
      const have = parseLoginDefs(text(f, LOGIN_DEFS) ?? '');
      const want = Object.entries(loginDefsKeys(ctx.spec)).filter(([k]) => k !== 'UMASK');
      const off = want.filter(([k, v]) => have.get(k) !== v);
      if (off.length) return fail(off.map(([k, v]) => `${k} ${have.get(k) ?? 'unset'} (want ${v})`).join(', '));
      return pass(want.map(([k, v]) => `${k} ${v}`).join(', '));
    },
  },
  {
    id: 'host.baseline.banner',
    title: 'The legal banner is shown before login',
    area: 'host', severity: 'info', profiles: PROFILES, scope: 'host', runbook: RUNBOOK,
    remediation: `clawops apply (writes ${BANNER_FILES.join(' and ')})`,
    needs: (ctx) => (ctx.spec.baseline.banner !== false ? BANNER_FILES.map((p) => ref(fileState, p)) : []),
    evaluate(f, ctx): Verdict {
      const banner = ctx.spec.baseline.banner;
      if (banner === false) return skipped('baseline.banner is false in the spec');
      const off = BANNER_FILES.filter((p) => text(f, p) !== renderBanner(banner));
      return off.length ? fail(`${off.join(', ')}: not the spec's banner`) : pass(`${BANNER_FILES.join(', ')} hold the spec's banner`);
    },
  },
  {
    id: 'host.baseline.auditd',
    title: 'The kernel audits changes to the gateway\'s config, token, identity files and unit',
    area: 'host', severity: 'warn', profiles: PROFILES, scope: 'host', runbook: RUNBOOK,
    remediation: `clawops apply (installs auditd, writes ${AUDIT_RULES_FILE}, augenrules --load)`,
    needs: (ctx) => (ctx.spec.baseline.auditd ? [auditRef] : []),
    evaluate(f, ctx): Verdict {
      if (!ctx.spec.baseline.auditd) return skipped('baseline.auditd is off in the spec');
      const s = known(f, auditRef);
      if (s.container !== 'none') return unknownV(`a ${s.container} container: audit belongs to the host machine's kernel (rules are loaded on a host of its own)`);
      if (!s.loaded) return fail('auditd is not installed');
      const missing = missingRules(auditRules(ctx.spec), s.loaded);
      if (missing.length) return fail(`not loaded: ${missing.map((r) => `-w ${r.path} -p ${r.perms} -k ${r.key}`).join('; ')}`);
      return pass(`${auditRules(ctx.spec).length} rules loaded (keys ${[...new Set(auditRules(ctx.spec).map((r) => r.key))].join(', ')})`);
    },
  },
  {
    id: 'host.baseline.aide',
    title: 'AIDE finds nothing changed on what no package vouches for (/usr/local, units, sudoers, sshd, clawops\' files)',
    area: 'host', severity: 'critical', profiles: ['go-live', 'integrity'], scope: 'host', runbook: RUNBOOK,
    remediation: 'manual: find out who made each change and why (a change nobody made is an intrusion: `clawops emergency evidence` first); put it back, or accept it with `clawops aide accept`',
    needs: (ctx) => (ctx.spec.baseline.aide ? [aideCheckRef(ctx.spec)] : []),
    evaluate(f, ctx): Verdict {
      if (!ctx.spec.baseline.aide) return skipped('baseline.aide is off in the spec');
      const c = known(f, aideCheckRef(ctx.spec));
      if (!c.db) return fail(`no AIDE database in ${aideDir(ctx.spec)}`, `clawops apply (makes the database from ${AIDE_CONF})`);
      const parts = ([['added', c.added], ['removed', c.removed], ['changed', c.changed]] as const).filter(([, l]) => l.length > 0);
      if (parts.length === 0) return pass(`${c.entries ?? 'all'} entries as recorded`);
      return fail(parts.map(([what, l]) => `${what}: ${l.slice(0, 8).join(', ')}${l.length > 8 ? `, ... (${l.length})` : ''}`).join('; '));
    },
  },
  {
    id: 'host.baseline.debsums',
    title: 'No installed package file has changed since it was installed',
    area: 'host', severity: 'warn', profiles: ['go-live', 'integrity'], scope: 'host', runbook: RUNBOOK,
    remediation: 'manual: find out who changed each file and why (a changed binary can be an intrusion: `clawops emergency evidence` first), then `apt-get install --reinstall PACKAGE`',
    needs: (ctx) => (ctx.spec.baseline.upkeep ? [ref(debsums)] : []),
    evaluate(f, ctx): Verdict {
      if (!ctx.spec.baseline.upkeep) return skipped('baseline.upkeep is off in the spec');
      const d = known(f, ref(debsums));
      const note = d.problems.length ? `; could not check ${d.problems.length}: ${d.problems.slice(0, 3).join('; ')}` : '';
      if (d.changed.length === 0) return pass(`every installed package file matches its package's checksum${note}`);
      const pkgs = [...new Set(d.changed.map((c) => c.pkg))];
      return fail(`${d.changed.length} changed: ${d.changed.slice(0, 10).map((c) => `${c.path} (${c.pkg})`).join(', ')}${d.changed.length > 10 ? ', ...' : ''}${note}`,
        `manual: find out who changed ${d.changed.length === 1 ? d.changed[0]!.path : 'them'} and why (\`clawops emergency evidence\` first if nobody did), then \`apt-get install --reinstall ${pkgs.join(' ')}\``);
    },
  },
  {
    id: 'host.baseline.needrestart',
    title: 'No service runs outdated libraries, and no newer kernel waits for a reboot',
    // shown in the gate and the report, never blocking it: every security update leaves some for a while
    area: 'host', severity: 'info', profiles: ['go-live', 'security'], scope: 'host', runbook: RUNBOOK,
    remediation: 'manual: `systemctl restart` each service named (the gateway: a short outage), or reboot for a new kernel',
    needs: (ctx) => (ctx.spec.baseline.upkeep ? [ref(needrestart)] : []),
    evaluate(f, ctx): Verdict {
      if (!ctx.spec.baseline.upkeep) return skipped('baseline.upkeep is off in the spec');
      const n = known(f, ref(needrestart));
      const problems: string[] = [];
      if (n.services.length) problems.push(`${n.services.join(', ')} run outdated libraries`);
      if (n.kernel.status >= 2) problems.push(`kernel ${n.kernel.current} runs, ${n.kernel.expected} is installed`);
      const kernel = n.kernel.status === 1 ? `kernel ${n.kernel.current} is the newest installed` : n.kernel.status === 0 ? 'the running kernel could not be compared (a container runs the host machine\'s)' : '';
      if (problems.length === 0) return pass(`no service needs a restart; ${kernel}`);
      const fix = [...(n.services.length ? [`systemctl restart ${n.services.join(' ')}`] : []), ...(n.kernel.status >= 2 ? ['reboot (the new kernel)'] : [])];
      return fail(problems.join('; '), `manual: ${fix.join(', then ')}`);
    },
  },
];

function liveValue(live: SysctlLive, key: string): string {
  const k = live.keys[key];
  return k && k.state !== 'absent' ? k.value : 'absent';
}
