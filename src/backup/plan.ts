/**
 * Pure planning of a backup: what gets staged for one instance, where, and the restic argv.
 * No secret ever appears here: restic finds its password through RESTIC_PASSWORD_FILE (a path),
 * and the spec text is staged redacted.
 *
 * Snapshot layout (one snapshot per instance, `restic backup .` from the staging dir, so the
 * snapshot's root is this tree):
 *
 *   manifest.json                     sha256 + size of every other file (see manifest.ts)
 *   instance/<name>/state/...         the instance's OpenClaw state dir (~/.openclaw); SQLite
 *                                     databases captured with SQLite's online backup, never copied
 *   instance/<name>/env/<file>        the instance env file, when it lives outside the state dir
 *   instance/<name>/units/<unit>      the gateway unit file and its drop-in dir
 *   clawops/spec.yaml | spec.json     the clawops spec (its text, or the resolved defaults)
 *   clawops/state/...                 clawops' state dir (journal, baselines, ledger), minus backup/
 *                                     and the journal's secret before-images (journal/<id>/secret)
 */
import { redact } from '../core/redact.ts';
import type { SpecData } from '../desired/schema.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';

export const SQLITE_NAMES = ['*.sqlite', '*.sqlite3', '*.db'] as const;
const SIDECARS = ['', '-wal', '-shm', '-journal'] as const;
/**
 * Top-level dirs of an OpenClaw state dir that OpenClaw's own backup skips as rebuildable runtime
 * roots. `tmp/` also holds the gateway's lock (tmp/openclaw-<uid>/gateway.state.lock): restored
 * next to a live gateway, a copied lock makes the restored gateway refuse to start (exit 78).
 * `plugin-skills/` (9.x) holds links the gateway makes at start into its own install (outside the
 * state dir): OpenClaw's backup skips it as regenerable, and a restore would refuse the links.
 */
export const OPENCLAW_REBUILDABLE = ['tmp', 'dev', 'git', 'npm', 'npm-runtime', 'tools', 'plugin-skills'] as const;
/** Never staged: sockets, pid files, and clawops' own backup scratch. */
const VOLATILE = ['*.sock', '*.pid'] as const;

/** Everything clawops' backups keep on the target, under spec.stateDir. */
export function backupPaths(stateDir: string) {
  const dir = `${stateDir}/backup`;
  return {
    dir,
    /** result of the latest `clawops backup run` (see records.ts) */
    lastBackup: `${dir}/last.json`,
    /** result of the latest `clawops drill` */
    lastDrill: `${dir}/drill.json`,
    staging: (instance: string) => `${dir}/staging/${instance}`,
    scratch: `${dir}/scratch`,
    cache: `${dir}/cache`,
  };
}

export type StageItem =
  /** a directory tree: plain files copied (owner, mode kept), SQLite databases by online backup */
  | { kind: 'tree'; src: string; dst: string; prune: string[]; optional: boolean }
  /** one file (or a directory) copied as is */
  | { kind: 'copy'; src: string; dst: string; optional: boolean }
  /** content clawops already holds (the spec) */
  | { kind: 'content'; dst: string; content: string };

export interface StagePlan {
  instance: string;
  stagingDir: string;
  items: StageItem[];
  tags: string[];
}

export interface PlanOptions {
  /** the spec file's name and text, when the spec came from a file */
  specText?: { name: string; text: string };
  /** where unit files live on the target (default /etc/systemd/system) */
  unitDir?: string;
  host: string;
  /** extra tags, e.g. reason=pre-upgrade */
  extraTags?: string[];
}

export const DEFAULT_UNIT_DIR = '/etc/systemd/system';
/** Relative to the state dir: the journal's secret before-images (engine/journal.ts SECRET_DIR). */
export const JOURNAL_SECRETS = 'journal/*/secret';

export function planInstanceBackup(spec: SpecData, inst: ResolvedInstance, opts: PlanOptions): StagePlan {
  const paths = backupPaths(spec.stateDir);
  const base = `instance/${inst.name}`;
  const unitDir = opts.unitDir ?? DEFAULT_UNIT_DIR;
  const items: StageItem[] = [
    { kind: 'tree', src: inst.stateDir, dst: `${base}/state`, prune: [...OPENCLAW_REBUILDABLE], optional: false },
  ];
  if (!isUnder(inst.envFile, inst.stateDir)) {
    items.push({ kind: 'copy', src: inst.envFile, dst: `${base}/env/${basename(inst.envFile)}`, optional: true });
  }
  items.push(
    { kind: 'copy', src: `${unitDir}/${inst.unit}`, dst: `${base}/units/${inst.unit}`, optional: true },
    { kind: 'copy', src: `${unitDir}/${inst.unit}.d`, dst: `${base}/units/${inst.unit}.d`, optional: true },
  );
  items.push(
    opts.specText
      // redacted (core/redact): a repository URL's password or a literal token in an alert's argv stays out of the snapshot
      ? { kind: 'content', dst: `clawops/${specFileName(opts.specText.name)}`, content: redact(opts.specText.text) }
      : { kind: 'content', dst: 'clawops/spec.json', content: `${JSON.stringify(spec, null, 2)}\n` },
  );
  // the journal's secret before-images stay out: the live files are in the snapshot already (engine/journal.ts)
  items.push({ kind: 'tree', src: spec.stateDir, dst: 'clawops/state', prune: [relative(paths.dir, spec.stateDir), JOURNAL_SECRETS], optional: true });
  return {
    instance: inst.name,
    stagingDir: paths.staging(inst.name),
    items,
    tags: snapshotTags(inst.name, opts.host, opts.extraTags ?? []),
  };
}

export function snapshotTags(instance: string, host: string, extra: readonly string[] = []): string[] {
  return ['clawops', `instance=${instance}`, `host=${host}`, ...extra];
}

/** Patterns (tar --exclude, anchored, `*` matching `/`) of what the tree copy leaves out. */
export function treeExcludes(prune: readonly string[]): string[] {
  const sqlite = SQLITE_NAMES.flatMap((n) => SIDECARS.map((s) => `${n}${s}`));
  return [...sqlite, ...VOLATILE, ...prune.map((p) => `./${p}`)];
}

/** Run with cwd = the staging dir: the snapshot's root is the staged tree. */
export function backupArgv(host: string, tags: readonly string[]): string[] {
  return ['restic', 'backup', '--json', '--quiet', '--host', host, ...tags.flatMap((t) => ['--tag', t]), '.'];
}

export function forgetArgv(retention: SpecData['backup']['retention']): string[] | undefined {
  const keep: string[] = [];
  if (retention.daily > 0) keep.push('--keep-daily', String(retention.daily));
  if (retention.weekly > 0) keep.push('--keep-weekly', String(retention.weekly));
  if (retention.monthly > 0) keep.push('--keep-monthly', String(retention.monthly));
  if (keep.length === 0) return undefined; // restic would keep everything anyway: say so, do not run
  // grouped by host and paths: the staging path names the instance, so each instance keeps its own
  return ['restic', 'forget', '--json', '--prune', '--tag', 'clawops', '--group-by', 'host,paths', ...keep];
}

/** `n/N` with N = ceil(100 / percent); n rotates 1..N across runs, so N runs read all the data. */
export function nextSubset(previous: string | undefined, percent: number): string {
  const total = Math.max(1, Math.ceil(100 / percent));
  const m = /^(\d+)\/(\d+)$/.exec(previous ?? '');
  const prevN = m && Number(m[2]) === total ? Number(m[1]) : 0;
  return `${(prevN % total) + 1}/${total}`;
}

export function checkArgv(subset: string): string[] {
  return ['restic', 'check', `--read-data-subset=${subset}`];
}

/** `ref` is a snapshot id (or prefix) or `latest`, narrowed by `tags` (all of them) when given. */
export function restoreArgv(ref: string, target: string, tags: readonly string[] = []): string[] {
  return ['restic', 'restore', ref, ...(tags.length ? ['--tag', tags.join(',')] : []), '--target', target];
}

export function snapshotsArgv(filter: { instance?: string; host?: string } = {}): string[] {
  const tags = ['clawops', ...(filter.instance ? [`instance=${filter.instance}`] : [])].join(',');
  return ['restic', 'snapshots', '--json', '--tag', tags, ...(filter.host ? ['--host', filter.host] : [])];
}

function specFileName(name: string): string {
  return /\.json$/i.test(name) ? 'spec.json' : 'spec.yaml';
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir.replace(/\/+$/, '')}/`);
}

function relative(path: string, dir: string): string {
  return path.slice(dir.replace(/\/+$/, '').length + 1);
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
