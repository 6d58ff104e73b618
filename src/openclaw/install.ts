/**
 * The pinned OpenClaw for each instance, installed as its service user into an npm prefix under
 * its home (the runbook's `npm install -g` with `prefix ~/.npm-global`). Versions below
 * `openclaw.minimumVersion` are refused before anything runs. Hosts without registry access
 * install from an npm cache: `--offline --cache DIR`. npm cannot read a cache its user cannot
 * write (ENOTCACHED, seen in the testbed), so the service user gets a private copy of a shared
 * root-owned cache. npm always runs as the service user: root never executes anything from the
 * user's prefix, and never writes into it except through core/safe-fs.
 *
 * Side-by-side installs (`clawops upgrade`, src/upgrade/layout.ts): the prefix is then a symlink
 * to `<prefix>.versions/<active>`. Installing "into the prefix" would write through the link into
 * the active version's dir, and a pin older than the active version would be a silent downgrade
 * over state the newer version has migrated (forward-only). So in that layout the plan refuses an
 * older pin (plan-time problem on openclaw.version: pin the running version, or `clawops
 * rollback`), switches the link to a newer pin already installed side by side, and installs a
 * newer pin that is not there yet into its own version dir before switching.
 *
 * Some versions do not install with a plain `npm install -g` at all (2026.2.9: a git dependency
 * and a package gone from the registry). npm honours `overrides` only in a project's own
 * package.json, so with overrides the prefix's `lib` is that project: `lib/package.json` pins
 * openclaw and the overrides, `npm install` fills `lib/node_modules` (openclaw and its hoisted
 * dependencies) and `bin/openclaw` links to the package's bin, as `-g` would. The layout the rest
 * of clawops reads (`lib/node_modules/openclaw`, `bin/openclaw`) is the same either way.
 *
 * No package's lifecycle scripts run (`--ignore-scripts`): the gateway, the CLI and its sandbox
 * need none of them (every testbed install is made so). What is skipped: OpenClaw's own
 * postinstall, which prunes stale files an in-place upgrade leaves and warns about the package
 * manager (clawops never upgrades in place: each version gets its own directory), koffi's prebuild
 * check (it loads the prebuilt binary it ships) and protobufjs' version notice.
 */
import { safeChmod, safeMkdir, safeRead, safeSymlink } from '../core/safe-fs.ts';
import { ClawopsError } from '../core/errors.ts';
import { PlanProblemError } from '../engine/errors.ts';
import type { Journal, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import { readFact, scriptFact } from '../facts/probe.ts';
import { type FactKind, known, ref } from '../facts/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { atVersion, flipArgv, linkTarget, versionDir, versionsRoot } from '../upgrade/layout.ts';
import { servicePath } from './paths.ts';
import { compareVersions, parseVersion } from './versions.ts';

export interface InstallOptions {
  /** install from this npm cache only (`--offline --cache DIR`), for hosts without registry access */
  npmCache?: string;
  /** npm install timeout (default 15 min) */
  timeoutMs?: number;
}

/** What the resource reads (a type, not an interface: it is JSON for the plan's fingerprint). */
export type InstallState = {
  prefix: string;
  /** version in `<prefix>/lib/node_modules/openclaw/package.json`, or null */
  installed: string | null;
  /** the bin the unit runs exists */
  binPresent: boolean;
  /** the version `<prefix>` links to (`<prefix>.versions/<v>`), null when the prefix is no such link; absent = not read */
  linked?: string | null;
  /** versions installed side by side (`<prefix>.versions/<v>/bin/openclaw` present), sorted */
  versions?: string[];
};

/**
 * What apply does: npm install into `prefix` (unless argv is null; with `project`, that
 * package.json is written to `<prefix>/lib` first and the bin linked after), then, when
 * `switchFrom` is set, point the prefix link at it.
 */
export type InstallData = {
  version: string;
  argv: string[] | null;
  prefix: string;
  project: string | null;
  switchFrom: string | null;
};

/** Overrides without which a version does not install (reference: the OpenClaw facts file). */
export const KNOWN_NPM_OVERRIDES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '2026.2.9': { libsignal: '6.0.0', linkedom: '0.18.14' },
};

/** The spec's `openclaw.npmOverrides`, else the known ones for the pinned version; null for none. */
export function npmOverrides(spec: ResolvedSpec): Readonly<Record<string, string>> | null {
  const o = spec.openclaw.npmOverrides ?? KNOWN_NPM_OVERRIDES[spec.openclaw.version] ?? {};
  return Object.keys(o).length > 0 ? o : null;
}

/** `<prefix>/lib/package.json` of a project install, or null for a plain `npm install -g`. */
export function projectManifest(spec: ResolvedSpec): string | null {
  const overrides = npmOverrides(spec);
  if (!overrides) return null;
  const pkg = { name: 'clawops-openclaw', private: true, description: 'written by clawops: openclaw pinned with npm overrides', dependencies: { openclaw: spec.openclaw.version }, overrides };
  return `${JSON.stringify(pkg, null, 2)}\n`;
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
  const cache = opts.npmCache ? ['--offline', '--cache', opts.npmCache] : [];
  const quiet = ['--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts'];
  if (npmOverrides(spec)) return ['npm', 'install', '--prefix', `${inst.npmPrefix}/lib`, ...quiet, ...cache];
  return ['npm', 'install', '--global', '--prefix', inst.npmPrefix, ...quiet, ...cache, `openclaw@${spec.openclaw.version}`];
}

// the version in the prefix, the bin, the prefix link and the versions side by side, in one round trip
const LAYOUT_SCRIPT = `prefix=$1 bin=$2 root=$3
v=$(sed -n 's/^ *"version": *"\\([^"]*\\)".*/\\1/p' "$prefix/lib/node_modules/openclaw/package.json" 2>/dev/null | head -n1)
printf 'version=%s\\n' "$v"
if [ -e "$bin" ]; then echo bin=yes; else echo bin=no; fi
readlink -- "$prefix" || true
echo /
for d in "$root"/*; do [ -e "$d/bin/openclaw" ] && printf "%s\\n" "\${d##*/}"; done
true`;

/** OpenClaw as installed for one instance (what the install resource and upgrade plan from). */
export const openclawLayout: FactKind<Omit<InstallState, 'prefix'>> = scriptFact({
  kind: 'openclaw.layout',
  describe: 'the OpenClaw install of an instance: version in its prefix, bin, prefix link, versions side by side',
  script: LAYOUT_SCRIPT,
  parse(out, arg) {
    const root = arg.split('\n')[2] ?? '';
    const lines = out.split('\n');
    const version = lines[0]?.startsWith('version=') ? lines[0].slice('version='.length).trim() : '';
    return { installed: version || null, binPresent: lines[1] === 'bin=yes', ...parseLayout(root, lines.slice(2).join('\n')) };
  },
});

export const layoutRef = (inst: ResolvedInstance) => ref(openclawLayout, `${inst.npmPrefix}\n${inst.bin}\n${versionsRoot(inst)}`);

/** The install as it is now (apply-time and day-2 re-reads). */
export async function readInstallState(ex: Executor, inst: ResolvedInstance): Promise<InstallState> {
  return { prefix: inst.npmPrefix, ...(await readFact(ex, layoutRef(inst))) };
}

export function openclawInstallResource(spec: ResolvedSpec, inst: ResolvedInstance, opts: InstallOptions = {}): Resource {
  const id = installResourceId(inst);
  return {
    id,
    kind: 'openclaw-install',
    dependsOn: [`user:${inst.user}`],
    needs: () => [layoutRef(inst)],
    plan: (f) => planInstall(spec, inst, opts, { prefix: inst.npmPrefix, ...known(f, layoutRef(inst)) }),
    async apply(ex: Executor, change: PlannedChange, journal: Journal) {
      const d = change.data as InstallData;
      if (d.argv) await npmInstall(ex, inst, d, journal, opts);
      if (d.switchFrom !== null) {
        const flip = (v: string) => flipArgv(inst, v);
        await journal.saveStep(`point ${inst.npmPrefix} at ${versionDir(inst, d.version)} (was ${d.switchFrom})`, flip(d.switchFrom));
        await ex.run(flip(d.version));
        // the running gateway still runs the old tree: restart it onto the new one (a stopped one stays stopped)
        await ex.run(['systemctl', 'try-restart', '--', inst.unit], { allowFailure: true, timeoutMs: 360_000 });
      }
      const after = await readInstallState(ex, inst);
      if (after.installed !== d.version || !after.binPresent) {
        throw new ClawopsError(`after the install ${inst.npmPrefix} holds openclaw ${after.installed ?? 'nothing'}, not ${d.version}`, {
          hint: d.argv ? `run \`${d.argv.join(' ')}\` as ${inst.user} by hand to see npm's output` : `check ${versionDir(inst, d.version)}`,
        });
      }
    },
  };
}

/** `readlink` output, a `/` line, then one version dir name per line (pure). */
export function parseLayout(versionsRoot: string, out: string): { linked: string | null; versions: string[] } {
  const lines = out.split('\n');
  const sep = lines.indexOf('/');
  const link = sep > 0 ? (lines[0] ?? '') : '';
  // the prefix links relatively, as linkTarget() writes it: `<basename of the versions root>/<version>`
  const want = `${versionsRoot.slice(versionsRoot.lastIndexOf('/') + 1)}/`;
  const v = link.startsWith(want) ? link.slice(want.length) : '';
  const versions = lines.slice(sep + 1).filter((x) => x !== '' && parseVersion(x)?.raw === x);
  return { linked: parseVersion(v)?.raw === v ? v : null, versions: versions.sort(compareVersions) };
}

/** Pure: facts in, the change (or no-op, or a plan-time refusal) out. */
export function planInstall(spec: ResolvedSpec, inst: ResolvedInstance, opts: InstallOptions, s: InstallState): PlanOutcome {
  assertVersionAllowed(spec);
  const want = spec.openclaw.version;
  const id = installResourceId(inst);
  const project = projectManifest(spec);
  const overrides = npmOverrides(spec);
  const via = `${opts.npmCache ? ` (offline, from ${opts.npmCache})` : ''}${overrides ? ` with npm overrides ${Object.entries(overrides).map(([k, v]) => `${k}@${v}`).join(', ')}` : ''}`;
  const active = s.linked ?? null;
  if (active === null) {
    if (s.installed === want && s.binPresent) return { noop: `openclaw ${want} is installed in ${s.prefix}` };
    const data: InstallData = { version: want, argv: npmInstallArgv(spec, inst, opts), prefix: inst.npmPrefix, project, switchFrom: null };
    return {
      changes: [{
        resourceId: id, kind: 'openclaw-install', action: s.installed === null ? 'add' : 'change',
        summary: `${s.installed === null ? 'install' : `replace ${s.installed} with`} openclaw ${want} in ${s.prefix} as ${inst.user}${via}`,
        ...(s.installed !== null && compareVersions(s.installed, want) > 0
          ? { diff: `! downgrade from ${s.installed}: state written by a newer version may be refused (meta.lastTouchedVersion); back up first` }
          : {}),
        data,
      }],
    };
  }
  const cmp = compareVersions(want, active);
  if (cmp < 0) {
    throw new PlanProblemError('openclaw.version', `pins ${want}, but ${inst.npmPrefix} runs ${active} (switched by \`clawops upgrade\`); applying the pin would downgrade over state ${active} has migrated (forward-only). Set openclaw.version: ${active} in the spec, or go back with \`clawops rollback ${want}\` (which restores the pre-upgrade state)`, {
      hint: `set openclaw.version: ${active}, or run \`clawops rollback ${want}\``,
    });
  }
  const at = versionDir(inst, want);
  if (cmp === 0) {
    if (s.installed === want && s.binPresent) return { noop: `openclaw ${want} is active in ${at} (${inst.npmPrefix} links to it)` };
    const data: InstallData = { version: want, argv: npmInstallArgv(spec, atVersion(inst, want), opts), prefix: at, project, switchFrom: null };
    return { changes: [{ resourceId: id, kind: 'openclaw-install', action: 'change', summary: `reinstall openclaw ${want} in ${at} as ${inst.user}${via} (the active side-by-side version is incomplete)`, data }] };
  }
  const there = (s.versions ?? []).includes(want);
  const data: InstallData = { version: want, argv: there ? null : npmInstallArgv(spec, atVersion(inst, want), opts), prefix: at, project: there ? null : project, switchFrom: active };
  return {
    changes: [{
      resourceId: id, kind: 'openclaw-install', action: 'change',
      summary: `${there ? '' : `install openclaw ${want} side by side in ${at}${via}, then `}switch ${inst.npmPrefix} from ${active} to ${want}${there ? ' (installed side by side)' : ''}; restarts ${inst.unit} if it runs`,
      diff: `! no pre-upgrade backup and no gate: \`clawops upgrade ${want}\` does this with both, and rolls back when the gate fails`,
      data,
    }],
  };
}

async function npmInstall(ex: Executor, inst: ResolvedInstance, d: InstallData, journal: Journal, opts: InstallOptions): Promise<void> {
  const argv = d.argv ?? [];
  await journal.saveStep(`npm install openclaw@${d.version} into ${d.prefix}`, null);
  const owned = { mode: 0o755, owner: inst.user, group: inst.user };
  if (d.prefix !== inst.npmPrefix) await safeMkdir(ex, versionsRoot(inst), owned);
  for (const dir of [d.prefix, ...(d.project ? [`${d.prefix}/lib`, `${d.prefix}/bin`] : [])]) await safeMkdir(ex, dir, owned);
  if (d.project) await ex.writeFile(`${d.prefix}/lib/package.json`, d.project, { mode: 0o644, owner: inst.user, group: inst.user });
  // npm always runs as the service user (root never executes the user's npm, nor writes into its
  // prefix); a root-owned shared cache is handed to it as a private copy (npm cannot read a cache it
  // cannot write: ENOTCACHED)
  const cacheAt = argv.indexOf('--cache');
  const copy = cacheAt >= 0 ? await privateCacheCopy(ex, inst, argv[cacheAt + 1] ?? '') : undefined;
  try {
    const run = copy ? argv.map((a, i) => (i === cacheAt + 1 ? copy : a)) : argv;
    await ex.run(run, {
      user: inst.user,
      cwd: d.project ? `${d.prefix}/lib` : inst.home,
      env: { HOME: inst.home, PATH: servicePath(inst), npm_config_update_notifier: 'false' },
      timeoutMs: opts.timeoutMs ?? 15 * 60_000,
      maxOutputBytes: 16 * 1024 * 1024,
    });
  } finally {
    if (copy) await ex.run(['rm', '-rf', '--', copy.slice(0, copy.lastIndexOf('/'))], { allowFailure: true, timeoutMs: 300_000 });
  }
  if (d.project) await linkProjectBin(ex, inst, d.prefix);
}

/** A copy of an npm cache the service user owns: in a fresh root 0711 dir under /var/tmp, so only it reaches the copy. */
async function privateCacheCopy(ex: Executor, inst: ResolvedInstance, cache: string): Promise<string> {
  const r = await ex.run(['sh', '-c', 'set -eu; d=$(mktemp -d /var/tmp/clawops-npm-XXXXXX); cp -a -- "$1" "$d/cache"; chown -R -- "$2:$2" "$d/cache"; chmod 0711 "$d"; echo "$d/cache"', 'sh', cache, inst.user], { timeoutMs: 600_000 });
  return r.stdout.trim();
}

/** `<prefix>/bin/openclaw` -> the package's bin, relative, as `npm install -g` links it. */
export async function linkProjectBin(ex: Executor, inst: ResolvedInstance, prefix: string): Promise<void> {
  const pkg = await safeRead(ex, `${prefix}/lib/node_modules/openclaw/package.json`);
  const rel = pkg === null ? null : binOf(pkg.toString('utf8'));
  if (rel === null) throw new ClawopsError(`npm installed no openclaw with a bin into ${prefix}/lib`, { hint: `look into ${prefix}/lib/node_modules/openclaw` });
  const target = `../lib/node_modules/openclaw/${rel}`;
  // the package's files are the service user's: chmod and link by descriptor, never through its links (core/safe-fs)
  await safeChmod(ex, `${prefix}/lib/node_modules/openclaw/${rel}`, 0o755);
  await safeSymlink(ex, `${prefix}/bin/openclaw`, target, inst.user, inst.user);
}

/** The `openclaw` bin of a package.json (string or map form), normalised and kept inside the package; null when there is none (pure). */
export function binOf(packageJson: string): string | null {
  let bin: unknown;
  try {
    bin = (JSON.parse(packageJson) as { bin?: unknown }).bin;
  } catch {
    return null;
  }
  const rel = typeof bin === 'string' ? bin : typeof bin === 'object' && bin !== null ? (bin as Record<string, unknown>).openclaw : undefined;
  if (typeof rel !== 'string') return null;
  const norm = rel.replace(/^\.\//, '');
  return norm === '' || norm.startsWith('/') || norm.split('/').includes('..') ? null : norm;
}
