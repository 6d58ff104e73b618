/**
 * AIDE over what no package vouches for: /usr/local, the systemd units, sudoers, sshd's config,
 * clawops itself and every file clawops writes outside the service users' homes (package files are
 * debsums' business: it knows a security update from a tampered binary). clawops' own config and
 * database (root 0700 under the state dir) leave Debian's whole-system setup alone; Debian's daily
 * check of that setup is turned off, the integrity timer runs this one.
 *
 * The database follows apply: after an apply that changed something, it is refreshed only when every
 * difference AIDE sees is a path that apply itself wrote; anything else stays a finding.
 */
import { createHash } from 'node:crypto';
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Journal, PlanOutcome, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import { NOT_INSTALLED, scriptFact } from '../facts/probe.ts';
import { systemdUnit } from '../facts/systemd.ts';
import { known, ref, unknown } from '../facts/types.ts';
import { APT_ID } from '../resources/apt.ts';
import { fileResource } from '../resources/file.ts';

export const AIDE_CONF = '/etc/clawops/aide.conf';
/** Debian's own daily check of its whole-system configuration (aide-common) */
export const DEBIAN_AIDE_TIMER = 'dailyaidecheck.timer';
/**
 * What is compared: type, permissions, owner, group, link target and content. Not times, inode,
 * size or link count: a directory's change when an entry comes or goes, or a file put back byte
 * for byte, is not a difference (the entry itself is one: added or removed).
 */
export const AIDE_RULE = 'ftype+p+u+g+l+sha256';
/** directories watched whole (what packages do not own, and what grants privileges) */
export const AIDE_DIRS = ['/usr/local/bin', '/usr/local/sbin', '/usr/local/lib/clawops', '/etc/systemd/system', '/etc/sudoers.d', '/etc/ssh/sshd_config.d'];
export const AIDE_FILES = ['/etc/sudoers', '/etc/ssh/sshd_config'];
/** left out: enablement symlinks (systemctl enable/disable; the service checks judge them), and what changes as the host runs */
export const AIDE_EXCLUDE = ['/etc/systemd/system/[^/]+\\.(wants|requires)/'];
/** clawops' own install: a changed one is explained by an apply that installed clawops */
const SELF_PREFIXES = ['/usr/local/lib/clawops/', '/usr/local/bin/clawops'];

export const aideDir = (spec: ResolvedSpec) => `${spec.stateDir}/aide`;
const db = (spec: ResolvedSpec) => `${aideDir(spec)}/aide.db`;

const escapeRe = (p: string) => p.replace(/[.*+?^${}()|[\]\\@#]/g, '\\$&');

/** The files apply writes outside the service users' homes and clawops' state (those change as the gateway runs). */
export function aideWatchedFiles(spec: ResolvedSpec, managed: readonly string[]): string[] {
  const inside = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);
  const homes = spec.resolved.map((i) => i.home);
  const own = managed.filter((p) => !homes.some((h) => inside(p, h)) && !inside(p, spec.stateDir) && !AIDE_DIRS.some((d) => inside(p, d)));
  return [...new Set([...AIDE_FILES, ...own])].sort();
}

export function renderAideConf(spec: ResolvedSpec, managed: readonly string[]): string {
  const lines = [
    '# Managed by clawops (baseline.aide): what no package vouches for; package files are debsums\' (host.baseline.debsums)',
    `database_in=file:${db(spec)}`,
    `database_out=file:${db(spec)}.new`,
    'gzip_dbout=no',
    'report_url=stdout',
    `ClawopsRule = ${AIDE_RULE}`,
    ...AIDE_EXCLUDE.map((x) => `!${x}`),
    ...AIDE_DIRS.map((d) => `${escapeRe(d)} ClawopsRule`),
    ...aideWatchedFiles(spec, managed).map((f) => `${escapeRe(f)}$ ClawopsRule`),
  ];
  return `${lines.join('\n')}\n`;
}

export interface AideCheck {
  /** no database yet */
  db: boolean;
  /** the sha256 of the config the database was made with (empty when not recorded) */
  confHash: string;
  added: string[];
  removed: string[];
  changed: string[];
  entries?: number;
}

const CHECK_SCRIPT = `conf=$1; dir=$2
command -v aide >/dev/null 2>&1 || { echo "aide: not installed" >&2; exit ${NOT_INSTALLED}; }
[ -f "$dir/aide.db" ] || { echo NO-DB; exit 0; }
printf 'conf-sha256 %s\\n' "$(cat "$dir/aide.conf.sha256" 2>/dev/null)"
aide --config "$conf" --check 2>&1; echo "rc=$?"`;

/** Argument: config path, then the database directory (one per line). */
export const aideCheck = scriptFact<AideCheck>({
  kind: 'aide',
  describe: 'what AIDE finds changed, added or removed since its database was made (`aide --check`)',
  script: CHECK_SCRIPT,
  timeoutMs: 900_000,
  parse(out) {
    if (out.trim() === 'NO-DB') return { db: false, confHash: '', added: [], removed: [], changed: [] };
    return parseAideReport(out);
  },
});

/** Pure: AIDE's report (0.18) into its lists; AIDE's exit status is a bitmask (1 added, 2 removed, 4 changed; 14 and up are errors). */
export function parseAideReport(out: string): AideCheck | { unknown: string } {
  const rc = Number(/^rc=(\d+)$/m.exec(out)?.[1] ?? NaN);
  if (!Number.isInteger(rc)) return unknown('aide --check: no exit status');
  if (rc >= 14) return unknown(`aide --check failed (exit ${rc}): ${out.split('\n').find((l) => /error|ERROR|cannot|Couldn't/.test(l))?.trim() ?? out.trim().slice(0, 200)}`);
  const lists: Record<'added' | 'removed' | 'changed', string[]> = { added: [], removed: [], changed: [] };
  let section: keyof typeof lists | undefined;
  for (const l of out.split('\n')) {
    const head = /^(Added|Removed|Changed) entries:\s*$/.exec(l);
    if (head) section = head[1]!.toLowerCase() as keyof typeof lists;
    else if (/^(Detailed information|The attributes of the)/.test(l)) section = undefined;
    else if (section) {
      const m = /^\S.*?: (\/.*)$/.exec(l);
      if (m) lists[section].push(m[1]!);
    }
  }
  const entries = Number(/(?:Total number of|Number of) entries:\s*(\d+)/.exec(out)?.[1] ?? NaN);
  return { db: true, confHash: /^conf-sha256 (\S*)$/m.exec(out)?.[1] ?? '', ...lists, ...(Number.isInteger(entries) ? { entries } : {}) };
}

export const aideCheckRef = (spec: ResolvedSpec) => ref(aideCheck, `${AIDE_CONF}\n${aideDir(spec)}`);

/** Whether the database exists and which config made it: what apply plans from (stable, unlike a check's report with its times). */
export const aideDatabase = scriptFact<{ db: boolean; confHash: string }>({
  kind: 'aide.database',
  describe: 'whether the AIDE database exists, and the sha256 of the config that made it',
  script: '[ -f "$1/aide.db" ] || { echo NO-DB; exit 0; }; printf \'conf-sha256 %s\\n\' "$(cat "$1/aide.conf.sha256" 2>/dev/null)"',
  parse(out) {
    if (out.trim() === 'NO-DB') return { db: false, confHash: '' };
    const m = /^conf-sha256 (\S*)$/m.exec(out);
    return m ? { db: true, confHash: m[1]! } : unknown(`aide database probe: unexpected "${out.trim().slice(0, 80)}"`);
  },
});
export const aideDifferences = (c: AideCheck) => [...c.added, ...c.removed, ...c.changed];

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Makes a new database and switches it in (rename), recording which config made it. */
async function initDatabase(ex: Executor, spec: ResolvedSpec, confHash: string): Promise<void> {
  const dir = aideDir(spec);
  await ex.run(['install', '-d', '-m', '0700', '-o', 'root', '-g', 'root', dir]);
  await ex.run(['sh', '-c', 'aide --config "$1" --init >/dev/null && mv -f -- "$2/aide.db.new" "$2/aide.db" && printf %s "$3" > "$2/aide.conf.sha256"', 'sh', AIDE_CONF, dir, confHash], { timeoutMs: 1_800_000 });
}

export function aideResources(spec: ResolvedSpec, managed: readonly string[]): Resource[] {
  const conf = renderAideConf(spec, managed);
  const confHash = sha256(conf);
  const database = ref(aideDatabase, aideDir(spec));
  const timer = ref(systemdUnit, DEBIAN_AIDE_TIMER);
  return [
    fileResource({ path: AIDE_CONF, content: conf, mode: 0o600, dependsOn: [APT_ID] }),
    {
      id: 'aide:database',
      kind: 'aide',
      dependsOn: [`file:${AIDE_CONF}`],
      needs: () => [database],
      plan(f): PlanOutcome {
        const c = known(f, database);
        if (c.db && c.confHash === confHash) return { noop: 'the AIDE database was made with this configuration' };
        const why = c.db ? 'the watched paths changed' : 'none yet';
        return { changes: [{ resourceId: 'aide:database', kind: 'aide', action: c.db ? 'change' : 'add', summary: `make the AIDE database (${why}): ${AIDE_DIRS.length} directories and ${aideWatchedFiles(spec, managed).length} files`, data: { confHash } }] };
      },
      async apply(ex, _change, journal) {
        await journal.saveStep('make the AIDE database (the old one is replaced)', null);
        await initDatabase(ex, spec, confHash);
      },
    },
    {
      id: `unit-off:${DEBIAN_AIDE_TIMER}`,
      kind: 'service',
      dependsOn: [APT_ID],
      needs: () => [timer],
      plan(f): PlanOutcome {
        const u = known(f, timer);
        const on = u.UnitFileState === 'enabled' || u.ActiveState === 'active';
        if (u.LoadState !== 'loaded' || !on) return { noop: `${DEBIAN_AIDE_TIMER} is off (clawops' integrity timer runs AIDE)` };
        return { changes: [{ resourceId: `unit-off:${DEBIAN_AIDE_TIMER}`, kind: 'service', action: 'change', summary: `disable and stop ${DEBIAN_AIDE_TIMER} (Debian's whole-system check; clawops' integrity timer runs AIDE on its own database)`, data: {} }] };
      },
      async apply(ex, _change, journal) {
        await journal.saveStep(`disable and stop ${DEBIAN_AIDE_TIMER}`, ['systemctl', 'enable', '--now', DEBIAN_AIDE_TIMER]);
        await ex.run(['systemctl', 'disable', '--now', DEBIAN_AIDE_TIMER]);
      },
    },
  ];
}

/**
 * After an apply that changed something: refresh the database when every difference is a path this
 * apply wrote (or clawops' own install, when it installed itself); else leave it, and say why.
 */
export async function refreshAfterApply(ex: Executor, spec: ResolvedSpec, journal: Journal | undefined, done: { savedPaths: readonly string[]; changedIds: readonly string[] }): Promise<string | undefined> {
  const c = await readAide(ex, spec);
  if (c === undefined) return undefined;
  if ('unknown' in c) return `AIDE not refreshed: ${c.unknown}`;
  const diffs = aideDifferences(c);
  if (diffs.length === 0) return 'AIDE: nothing changed on the watched paths';
  const self = done.changedIds.includes('clawops:self');
  // a path it wrote, a directory it wrote into (a drop-in directory left after apply removed the drop-in), or clawops' own install
  const explained = (p: string) => done.savedPaths.some((w) => w === p || w.startsWith(`${p}/`)) || (self && SELF_PREFIXES.some((s) => p.startsWith(s)));
  const others = diffs.filter((p) => !explained(p));
  if (others.length) return `AIDE not refreshed: ${others.length} change(s) this apply did not make: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', ...' : ''} (host.baseline.aide keeps reporting them)`;
  await journal?.saveStep(`refresh the AIDE database after this apply's own changes (${diffs.length})`, null);
  await initDatabase(ex, spec, c.confHash);
  return `AIDE database refreshed after this apply's ${diffs.length} change(s)`;
}

/** AIDE's findings now (undefined: AIDE or its database is not there). */
export async function readAide(ex: Executor, spec: ResolvedSpec): Promise<AideCheck | { unknown: string } | undefined> {
  const raw = await ex.run(['sh', '-c', CHECK_SCRIPT, 'sh', AIDE_CONF, aideDir(spec)], { allowFailure: true, timeoutMs: 900_000 });
  if (raw.stdout.trim() === 'NO-DB' || raw.exitCode === NOT_INSTALLED) return undefined;
  return parseAideReport(raw.stdout);
}

/** The operator's acceptance of what AIDE found: a new database over the host as it is now. */
export async function acceptAide(ex: Executor, spec: ResolvedSpec, confHash: string): Promise<void> {
  await initDatabase(ex, spec, confHash);
}
