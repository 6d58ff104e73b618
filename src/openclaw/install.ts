/**
 * The pinned OpenClaw for each instance, installed as its service user into an npm prefix under
 * its home (the runbook's `npm install -g` with `prefix ~/.npm-global`). Versions below
 * `openclaw.minimumVersion` are refused before anything runs. Hosts without registry access
 * install from an npm cache: `--offline --cache DIR`. npm cannot read a cache its user cannot
 * write (ENOTCACHED, seen in the testbed), so a shared root-owned cache is read by npm running as
 * root with `--ignore-scripts` (no package code runs as root), and the tree is then handed to the
 * service user.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Journal, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../spec/resolve.ts';
import { servicePath } from './paths.ts';
import { compareVersions, parseVersion } from './versions.ts';

export interface InstallOptions {
  /** install from this npm cache only (`--offline --cache DIR`), for hosts without registry access */
  npmCache?: string;
  /** npm install timeout (default 15 min) */
  timeoutMs?: number;
}

export interface InstallState {
  [k: string]: string | boolean | null;
  prefix: string;
  /** version in `<prefix>/lib/node_modules/openclaw/package.json`, or null */
  installed: string | null;
  /** the bin the unit runs exists */
  binPresent: boolean;
}

export function installResourceId(inst: ResolvedInstance): string {
  return `openclaw-install:${inst.name}`;
}

/** Refuses a pinned version below the minimum security-patched one (a plan-time error). */
export function assertVersionAllowed(spec: ResolvedSpec): void {
  const v = spec.openclaw.version;
  if (!parseVersion(v)) throw new ClawopsError(`openclaw.version ${v} is not an OpenClaw version`, { hint: 'use a version like 2026.9.6' });
  if (compareVersions(v, spec.openclaw.minimumVersion) < 0) {
    throw new ClawopsError(`openclaw.version ${v} is below openclaw.minimumVersion ${spec.openclaw.minimumVersion} (not security-patched)`, {
      hint: `pin ${spec.openclaw.minimumVersion} or newer in the spec`,
      exitCode: 2,
    });
  }
}

export function npmInstallArgv(spec: ResolvedSpec, inst: ResolvedInstance, opts: InstallOptions): string[] {
  return [
    'npm', 'install', '--global', '--prefix', inst.npmPrefix, '--no-audit', '--no-fund', '--no-update-notifier',
    ...(opts.npmCache ? ['--offline', '--cache', opts.npmCache, '--ignore-scripts'] : []),
    `openclaw@${spec.openclaw.version}`,
  ];
}

export async function readInstallState(ex: Executor, inst: ResolvedInstance): Promise<InstallState> {
  const pkg = await ex.readFile(`${inst.npmPrefix}/lib/node_modules/openclaw/package.json`);
  let installed: string | null = null;
  if (pkg !== null) {
    try {
      const v = (JSON.parse(pkg.toString('utf8')) as { version?: unknown }).version;
      installed = typeof v === 'string' ? v : null;
    } catch {
      installed = null;
    }
  }
  const bin = await ex.stat(inst.bin);
  return { prefix: inst.npmPrefix, installed, binPresent: bin !== null };
}

export function openclawInstallResource(spec: ResolvedSpec, inst: ResolvedInstance, opts: InstallOptions = {}): Resource<InstallState> {
  const id = installResourceId(inst);
  const want = spec.openclaw.version;
  return {
    id,
    kind: 'openclaw-install',
    dependsOn: [`user:${inst.user}`],
    read: (ex) => readInstallState(ex, inst),
    plan(s: InstallState): PlanOutcome {
      assertVersionAllowed(spec);
      if (s.installed === want && s.binPresent) return { noop: `openclaw ${want} is installed in ${s.prefix}` };
      const change: PlannedChange = {
        resourceId: id,
        kind: 'openclaw-install',
        action: s.installed === null ? 'add' : 'change',
        summary: `${s.installed === null ? 'install' : `replace ${s.installed} with`} openclaw ${want} in ${s.prefix} as ${inst.user}${opts.npmCache ? ` (offline, from ${opts.npmCache})` : ''}`,
        ...(s.installed !== null && compareVersions(s.installed, want) > 0
          ? { diff: `! downgrade from ${s.installed}: state written by a newer version may be refused (meta.lastTouchedVersion); back up first` }
          : {}),
        data: { version: want, argv: npmInstallArgv(spec, inst, opts) },
      };
      return { changes: [change] };
    },
    async apply(ex: Executor, change: PlannedChange, journal: Journal) {
      const { argv, version } = change.data as { argv: string[]; version: string };
      await journal.saveStep(`npm install openclaw@${version} into ${inst.npmPrefix}`, null);
      await ex.run(['install', '-d', '-m', '0755', '-o', inst.user, '-g', inst.user, inst.npmPrefix]);
      const fromCache = argv.includes('--offline');
      await ex.run(argv, {
        ...(fromCache ? {} : { user: inst.user }),
        cwd: inst.home,
        env: { HOME: fromCache ? '/root' : inst.home, PATH: servicePath(inst), npm_config_update_notifier: 'false' },
        timeoutMs: opts.timeoutMs ?? 15 * 60_000,
        maxOutputBytes: 16 * 1024 * 1024,
      });
      if (fromCache) await ex.run(['chown', '-R', '--no-dereference', `${inst.user}:${inst.user}`, inst.npmPrefix], { timeoutMs: 300_000 });
      const after = await readInstallState(ex, inst);
      if (after.installed !== version || !after.binPresent) {
        throw new ClawopsError(`npm finished but ${inst.npmPrefix} holds openclaw ${after.installed ?? 'nothing'}`, {
          hint: `run \`${argv.join(' ')}\` as ${inst.user} by hand to see npm's output`,
        });
      }
    },
  };
}
