/**
 * Modes and owners of what holds OpenClaw state and secrets: one table, read by the gate (the
 * `files.*` checks) and by apply (the file-modes step below), so a loose `.env` or credentials
 * directory that the gate fails is one apply repairs. A symlink where a file belongs is replaced
 * by a regular file with what the service user itself can read through it (read as that user: root
 * never follows a link the user planted); a symlinked directory is a manual fix.
 */
import type { Journal, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import { safeChmod, safeChown } from '../core/safe-fs.ts';
import type { Executor } from '../exec/types.ts';
import { fileStat } from '../facts/system.ts';
import { type FactReader, known, ref } from '../facts/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { configPath, logDir } from './paths.ts';
import type { Capabilities } from './versions.ts';

export interface ModeRule {
  id: string;
  title: string;
  path(spec: ResolvedSpec, inst: ResolvedInstance): string;
  type: 'file' | 'directory';
  /** the most permissive mode allowed */
  mode: number;
  owner(inst: ResolvedInstance): string;
  /** a missing path is skipped, not failed (a function: whether, with the reason, for the running version) */
  optional: boolean | ((caps: Capabilities) => string | false);
  severity: 'critical' | 'warn';
  runbook: string;
  /** the file-modes step repairs it (the others have a resource of their own: home and state dir, the token env file) */
  repair?: boolean;
}

export const MODE_RULES: readonly ModeRule[] = [
  { id: 'files.home', title: 'Service user home is 700 and owned by the user', path: (_s, i) => i.home, type: 'directory', mode: 0o700, owner: (i) => i.user, optional: false, severity: 'warn', runbook: 'hardened guide 2.1 (chmod 700 home)' },
  { id: 'files.state-dir', title: 'OpenClaw state directory is 700 and owned by the service user', path: (_s, i) => i.stateDir, type: 'directory', mode: 0o700, owner: (i) => i.user, optional: false, severity: 'critical', runbook: 'hardened guide 2.1, 5.6 (chmod 700 ~/.openclaw)' },
  { id: 'files.config', title: 'openclaw.json is 600 and owned by the service user', path: (_s, i) => configPath(i), type: 'file', mode: 0o600, owner: (i) => i.user, optional: false, severity: 'critical', runbook: 'hardened guide 5.6 (chmod 600 openclaw.json)', repair: true },
  { id: 'files.env', title: 'The gateway EnvironmentFile (token) is 600 and owned by the service user', path: (_s, i) => i.envFile, type: 'file', mode: 0o600, owner: (i) => i.user, optional: (caps) => (caps.tokenEnvReference ? false : 'this version keeps the token in openclaw.json, with no ${OPENCLAW_GATEWAY_TOKEN} reference'), severity: 'critical', runbook: 'production runbook 5 (secrets policy); hardened guide 5.6' },
  { id: 'files.dotenv', title: '~/.openclaw/.env (if present) is 600', path: (_s, i) => `${i.stateDir}/.env`, type: 'file', mode: 0o600, owner: (i) => i.user, optional: true, severity: 'critical', runbook: 'hardened guide 5.6 (find ... -name "*.env" -exec chmod 600)', repair: true },
  { id: 'files.log-dir', title: 'The gateway log directory is 750 and owned by the service user (not readable by others)', path: (_s, i) => logDir(i), type: 'directory', mode: 0o750, owner: (i) => i.user, optional: false, severity: 'warn', runbook: 'production runbook 7 (logs in /var/log/openclaw, kept across restarts)' },
  { id: 'files.credentials', title: '~/.openclaw/credentials (if present) is 700', path: (_s, i) => `${i.stateDir}/credentials`, type: 'directory', mode: 0o700, owner: (i) => i.user, optional: true, severity: 'critical', runbook: 'hardened guide 5.6 (credentials kept private)', repair: true },
];

const octal = (m: number) => m.toString(8).padStart(4, '0');

type ModeData = { op: 'chmod' | 'unlink-copy'; path: string; mode: number; owner: string };

/** Pure: each repairable rule's path as the gate sees it in, the changes out. */
export function planModes(id: string, spec: ResolvedSpec, inst: ResolvedInstance, f: FactReader): PlanOutcome {
  const changes: PlannedChange[] = [];
  const notes: string[] = [];
  for (const rule of MODE_RULES.filter((r) => r.repair)) {
    const path = rule.path(spec, inst);
    const st = known(f, ref(fileStat, path));
    if ('missing' in st) continue;
    const owner = rule.owner(inst);
    const data = (op: ModeData['op']): ModeData => ({ op, path, mode: rule.mode, owner });
    if (st.type === 'symlink' && rule.type === 'file') {
      changes.push({ resourceId: id, kind: 'file-modes', action: 'change', summary: `replace the symlink ${path} with a regular file (${octal(rule.mode)} ${owner}), content read through it as ${inst.user}`, data: data('unlink-copy') });
    } else if (st.type !== rule.type) {
      notes.push(`${path} is a ${st.type}, not a ${rule.type}: move it away by hand`);
    } else if ((st.mode & ~rule.mode) !== 0 || st.owner !== owner || st.group !== owner) {
      changes.push({ resourceId: id, kind: 'file-modes', action: 'change', summary: `set ${path} to ${octal(rule.mode)} ${owner}:${owner} (was ${octal(st.mode)} ${st.owner}:${st.group})`, data: data('chmod') });
    }
  }
  if (changes.length === 0) return { noop: ['state and secret files have their modes', ...notes].join('; ') };
  return { changes };
}

export function fileModesResource(spec: ResolvedSpec, inst: ResolvedInstance, dependsOn: string[]): Resource {
  const id = `openclaw-file-modes:${inst.name}`;
  return {
    id,
    kind: 'file-modes',
    dependsOn,
    needs: () => MODE_RULES.filter((r) => r.repair).map((r) => ref(fileStat, r.path(spec, inst))),
    plan: (f) => planModes(id, spec, inst, f),
    async apply(ex: Executor, change: PlannedChange, journal: Journal) {
      const d = change.data as ModeData;
      await journal.saveFile(ex, d.path);
      if (d.op === 'unlink-copy') {
        // what the link shows the service user, read as that user; then the link goes and a file takes its place
        const r = await ex.run(['cat', '--', d.path], { user: inst.user, allowFailure: true });
        // the no-follow write renames a regular file over the link's name: the link itself is replaced
        await ex.writeFile(d.path, r.exitCode === 0 ? r.stdout : '', { mode: d.mode, owner: d.owner, group: d.owner });
        return;
      }
      await safeChown(ex, d.path, d.owner, d.owner);
      await safeChmod(ex, d.path, d.mode);
    },
  };
}
