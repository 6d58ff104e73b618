/**
 * The host baseline's resources: its files (undo restores each from the journal) and two live
 * settings that a file alone does not change until a reboot: the kernel's sysctls and systemd's
 * core limit. A live setting that cannot be changed here (a container's read-only /proc/sys) is
 * never planned: the check reports it unknown with the reason.
 */
import { ClawopsError } from '../core/errors.ts';
import type { PlanOutcome, Resource } from '../engine/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { fileState } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { APT_ID } from '../resources/apt.ts';
import { fileResource, managedFile, planFile, type FileChangeData } from '../resources/file.ts';
import { ensureParents } from '../resources/paths.ts';
import { systemdCoreLimit } from './facts.ts';
import {
  BANNER_FILES, COREDUMP_FILE, LIMITS_FILE, LOGIN_DEFS, MODPROBE_FILE, PROFILE_UMASK_FILE, SYSTEMD_CORE_FILE,
  loginDefsKeys, mergeLoginDefs, renderBanner, renderCoredumpConf, renderLimits, renderModprobe, renderProfileUmask, renderSystemdCore,
} from './render.ts';
import { auditResource } from './audit.ts';
import { NEEDRESTART_CONF, renderNeedrestartConf } from './upkeep.ts';
import { SYSCTL_FILE, SYSCTL_SET_SCRIPT, renderSysctl, sysctlDrift, sysctlLive, wantedSysctls, type SysctlSetting } from './sysctl.ts';

const SYSCTL_LIVE_ID = 'sysctl:live';
const CORE_LIVE_ID = 'systemd:DefaultLimitCORE';

export function baselineResources(spec: ResolvedSpec): Resource[] {
  const b = spec.baseline;
  const out: Resource[] = [];
  const sysctls = wantedSysctls(spec);
  if (sysctls.length > 0) {
    out.push(fileResource({ path: SYSCTL_FILE, content: renderSysctl(sysctls), mode: 0o644 }), sysctlLiveResource(sysctls));
  }
  if (b.modules) out.push(fileResource({ path: MODPROBE_FILE, content: renderModprobe(), mode: 0o644, dependsOn: [APT_ID] }));
  if (b.coreDumps) {
    out.push(
      fileResource({ path: LIMITS_FILE, content: renderLimits(), mode: 0o644 }),
      fileResource({ path: SYSTEMD_CORE_FILE, content: renderSystemdCore(), mode: 0o644 }),
      fileResource({ path: COREDUMP_FILE, content: renderCoredumpConf(), mode: 0o644 }),
      coreLimitLiveResource(),
    );
  }
  if (b.auditd) out.push(auditResource(spec));
  if (b.upkeep) out.push(fileResource({ path: NEEDRESTART_CONF, content: renderNeedrestartConf(), mode: 0o644 }));
  if (b.umask) out.push(fileResource({ path: PROFILE_UMASK_FILE, content: renderProfileUmask(), mode: 0o644 }));
  const keys = loginDefsKeys(spec);
  if (Object.keys(keys).length > 0) out.push(loginDefsResource(keys));
  if (b.banner !== false) {
    for (const path of BANNER_FILES) out.push(keptMetaFile(path, renderBanner(b.banner)));
  }
  return out;
}

/** A file others own too (login.defs, /etc/issue): its owner and mode are kept, only the text is clawops'. */
function keptMetaFile(path: string, content: string | ((current: string) => string)): Resource {
  const id = `file:${path}`;
  return managedFile({
    id,
    kind: 'file',
    needs: () => [ref(fileState, path)],
    plan(f): PlanOutcome {
      const cur = known(f, ref(fileState, path));
      if (cur.exists && cur.type === 'file' && cur.text === null) {
        throw new ClawopsError(`${path} on the target is not text (or larger than 256 KiB); clawops edits it and will not overwrite it`, { hint: `look at ${path} by hand` });
      }
      const text = typeof content === 'string' ? content : content(cur.exists ? (cur.text ?? '') : '');
      const keep = cur.exists ? { mode: cur.mode, owner: cur.owner, group: cur.group } : { mode: 0o644, owner: 'root', group: 'root' };
      return planFile(id, 'file', { path, content: text, ...keep }, cur);
    },
    async apply(ex, change, journal) {
      const d = change.data as FileChangeData;
      await ensureParents(ex, d.path, journal);
      await journal.saveFile(ex, d.path);
      await ex.writeFile(d.path, d.content, { mode: d.mode, owner: d.owner, group: d.group });
    },
  });
}

function loginDefsResource(keys: Record<string, string>): Resource {
  return keptMetaFile(LOGIN_DEFS, (current) => mergeLoginDefs(current, keys));
}

/** The running kernel's values of the file's settings, where this host lets root set them. */
function sysctlLiveResource(wanted: readonly SysctlSetting[]): Resource {
  const fact = ref(sysctlLive, wanted.map((w) => w.key).join('\n'));
  return {
    id: SYSCTL_LIVE_ID,
    kind: 'sysctl',
    dependsOn: [`file:${SYSCTL_FILE}`],
    needs: () => [fact],
    plan(f): PlanOutcome {
      const d = sysctlDrift(known(f, fact), wanted);
      const note = d.readOnly.length ? `; ${d.readOnly.length} read-only here (${d.readOnly.map((x) => x.key).join(', ')})` : '';
      if (d.settable.length === 0) return { noop: `the running kernel has the baseline's settings${note}` };
      const pairs = d.settable.map((x) => `${x.key} ${x.value}`);
      return {
        changes: [{
          resourceId: SYSCTL_LIVE_ID, kind: 'sysctl', action: 'change',
          summary: `set ${d.settable.length} kernel setting(s) now: ${d.settable.map((x) => `${x.key}=${x.value}`).join(', ')}${note}`,
          diff: pairs.map((p) => `+${p}`).join('\n'),
          data: { pairs },
        }],
      };
    },
    async apply(ex, change, journal) {
      const { pairs } = change.data as { pairs: string[] };
      await journal.saveStep(`set ${pairs.length} kernel setting(s) through /proc/sys (undo restores ${SYSCTL_FILE}; the values stay until a reboot)`, null);
      const r = await ex.run(['sh', '-c', SYSCTL_SET_SCRIPT], { stdin: `${pairs.join('\n')}\n`, allowFailure: true });
      if (r.exitCode !== 0) {
        throw new ClawopsError(`could not set ${r.stdout.trim().split('\n').join(', ')} on ${ex.target}`, { hint: `sysctl -w KEY=VALUE by hand shows why; or turn baseline.sysctl off in the spec` });
      }
    },
  };
}

/** systemd reads DefaultLimitCORE= at start: a daemon-reexec makes the drop-in count now. */
function coreLimitLiveResource(): Resource {
  const fact = ref(systemdCoreLimit);
  return {
    id: CORE_LIVE_ID,
    kind: 'systemd',
    dependsOn: [`file:${SYSTEMD_CORE_FILE}`],
    needs: () => [fact],
    plan(f): PlanOutcome {
      const { limit } = known(f, fact);
      if (limit === '0') return { noop: 'systemd gives services no core files' };
      return {
        changes: [{
          resourceId: CORE_LIVE_ID, kind: 'systemd', action: 'change',
          summary: `systemctl daemon-reexec: the running systemd has DefaultLimitCORE=${limit}, ${SYSTEMD_CORE_FILE} says 0`,
          data: { limit },
        }],
      };
    },
    async apply(ex, _change, journal) {
      await journal.saveStep('systemctl daemon-reexec (systemd re-reads its manager settings)', null);
      await ex.run(['systemctl', 'daemon-reexec']);
    },
  };
}
