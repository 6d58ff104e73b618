/**
 * clawops on the target, so the check timers (`/usr/local/bin/clawops -f /etc/clawops/clawops.yaml
 * check ...`) have something to run: the running clawops unpacked, complete, into a versioned
 * directory `/usr/local/lib/clawops/<version>-<hash12>` (made in a temp dir, smoke-tested with
 * `--version` on the target's Node, then renamed), one symlink flip of `current`, and
 * `/usr/local/bin/clawops` -> `current/dist/cli.js`. The previous install stays for undo; older
 * ones are removed. And the spec it applied at /etc/clawops/clawops.yaml (./self-spec.ts).
 * `clawops.install: false` in the spec leaves both out.
 */
import { ClawopsError, CommandError } from '../core/errors.ts';
import type { Area } from '../engine/registry.ts';
import { readFact, scriptFact } from '../facts/probe.ts';
import { type FactKind, known, ref } from '../facts/types.ts';
import type { JsonValue, PlanOutcome, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import { DEFAULT_CLAWOPS_BIN } from '../openclaw/timers.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { progress } from './file.ts';
import { NODE_ID } from './node.ts';
import { ensureParents } from './paths.ts';
import { MARKER, selfPackage, type Marker, type SelfPackage } from './self-package.ts';
import { specFileResource } from './self-spec.ts';

export const SELF_ID = 'clawops:self';
export const INSTALL_BASE = '/usr/local/lib/clawops';

export type SelfState = {
  /** where `current` points (a directory name under INSTALL_BASE), or null */
  current: string | null;
  /** the marker of the current install, or null (missing or unreadable) */
  installed: { version: string; hash: string; files: number } | null;
  /** the launcher: absent, a symlink (with its target) or something else */
  bin: { type: 'absent' | 'symlink' | 'other'; target: string | null };
};

export interface SelfWant {
  name: string;
  version: string;
  hash: string;
  files: number;
  bytes: number;
}

export type SelfChangeData = SelfWant & { dir: string; bin: string; linkTarget: string };

/** `0.1.0-3f2a9c1b7d4e`: the version, and the content hash for builds of the same version. */
export const installDirName = (w: { version: string; hash: string }) => `${w.version}-${w.hash.replace(/^sha256:/, '').slice(0, 12)}`;
export const launcherTarget = (base = INSTALL_BASE) => `${base}/current/dist/cli.js`;

export const SELF_READ_SCRIPT = `base=$1 bin=$2
cur=$(readlink -- "$base/current" 2>/dev/null || true)
printf 'current=%s\\n' "$cur"
if [ -L "$bin" ]; then printf 'bin=symlink:%s\\n' "$(readlink -- "$bin")"; elif [ -e "$bin" ]; then echo bin=other; else echo bin=absent; fi
if [ -n "$cur" ] && [ -f "$base/$cur/${MARKER}" ]; then echo marker:; head -c 4096 -- "$base/$cur/${MARKER}"; fi`;

/** The installed clawops: where `current` points, its marker, the launcher. */
export const selfState: FactKind<SelfState> = scriptFact({
  kind: 'clawops.install',
  describe: 'the clawops installed on the target (current link, its marker, the launcher)',
  script: SELF_READ_SCRIPT,
  parse: (out) => parseSelfState(out),
});

/** Pure: the read script's output in, the state out. */
export function parseSelfState(out: string): SelfState {
  const lines = out.split('\n');
  const cur = lines.find((l) => l.startsWith('current='))?.slice('current='.length) ?? '';
  const binLine = lines.find((l) => l.startsWith('bin=')) ?? 'bin=absent';
  const bin: SelfState['bin'] = binLine.startsWith('bin=symlink:')
    ? { type: 'symlink', target: binLine.slice('bin=symlink:'.length) }
    : { type: binLine === 'bin=other' ? 'other' : 'absent', target: null };
  const at = lines.indexOf('marker:');
  let installed: SelfState['installed'] = null;
  if (at >= 0) {
    try {
      const m = JSON.parse(lines.slice(at + 1).join('\n')) as Partial<Marker>;
      if (typeof m.version === 'string' && typeof m.hash === 'string') installed = { version: m.version, hash: m.hash, files: Number(m.files ?? 0) };
    } catch {
      installed = null;
    }
  }
  return { current: cur === '' ? null : cur.replace(/\/+$/, '').split('/').pop() ?? null, installed, bin };
}

const mb = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`;

/** Pure: installed vs wanted. */
export function planSelf(want: SelfChangeData, cur: SelfState): PlanOutcome {
  const name = installDirName(want);
  const linked = cur.bin.type === 'symlink' && cur.bin.target === want.linkTarget;
  const same = cur.installed?.hash === want.hash && cur.current === name;
  if (same && linked) return { noop: `clawops ${want.version} is installed (${want.hash.slice(7, 19)}) and ${want.bin} runs it` };
  const base = { resourceId: SELF_ID, kind: 'clawops', data: want as unknown as JsonValue };
  if (same) {
    const was = cur.bin.type === 'symlink' ? `-> ${cur.bin.target}` : cur.bin.type;
    return { changes: [{ ...base, action: cur.bin.type === 'absent' ? 'add' : 'change', summary: `clawops ${want.version}: link ${want.bin} -> ${want.linkTarget} (was ${was})` }] };
  }
  const what = `${want.files} files, ${mb(want.bytes)}, into ${want.dir}`;
  if (!cur.installed) return { changes: [{ ...base, action: 'add', summary: `clawops ${want.version}: install (${what})` }] };
  const from = `${cur.installed.version} (${cur.installed.hash.slice(7, 19)})`;
  return { changes: [{ ...base, action: 'change', summary: `clawops ${from} -> ${want.version} (${want.hash.slice(7, 19)}): install (${what})` }] };
}

// unpack into a temp dir beside the final one, check it runs on the target's Node, then rename
const INSTALL_SCRIPT = `set -eu
base=$1 name=$2
dir="$base/$name"
if [ -f "$dir/${MARKER}" ]; then cat >/dev/null; exit 0; fi
rm -rf -- "$base"/.install-* # left by a killed apply (apply holds the target's lock: none is in use)
tmp=$(mktemp -d "$base/.install-$name.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
tar -xzf - -C "$tmp" --no-same-owner -m
[ -f "$tmp/${MARKER}" ] || { echo "the archive is incomplete (no ${MARKER})" >&2; exit 1; }
chmod 0755 "$tmp"
out=$("$tmp/dist/cli.js" --version 2>&1) || { echo "$out" >&2; exit 3; }
rm -rf -- "$dir"
mv -T -- "$tmp" "$dir"
trap - EXIT`;

// one rename(2) replaces the link: nothing ever sees it missing
const LINK_SCRIPT = `set -eu
tmp="\${2%/*}/.\${2##*/}.clawops-link"
ln -sfn -- "$1" "$tmp"
mv -Tf -- "$tmp" "$2"`;

// every install but the new one and the one it replaces
const PRUNE_SCRIPT = `set -eu
base=$1; shift
for d in "$base"/*; do
  n=\${d##*/}
  [ -d "$d" ] && [ ! -L "$d" ] || continue
  keep=no
  for k in "$@"; do [ "$n" = "$k" ] && keep=yes; done
  [ $keep = yes ] || { rm -rf -- "$d"; echo "$n"; }
done`;

export interface SelfOptions {
  base?: string;
  bin?: string;
  dependsOn?: string[];
  /** the package to install (default: the running clawops) */
  pkg?: () => Promise<SelfPackage>;
}

export function selfInstallResource(o: SelfOptions = {}): Resource {
  const base = o.base ?? INSTALL_BASE;
  const bin = o.bin ?? DEFAULT_CLAWOPS_BIN;
  const pkg = o.pkg ?? (() => selfPackage());
  return {
    id: SELF_ID,
    kind: 'clawops',
    dependsOn: o.dependsOn ?? [NODE_ID],
    needs: () => [ref(selfState, `${base}\n${bin}`)],
    async plan(f) {
      const cur = known(f, ref(selfState, `${base}\n${bin}`));
      const p = await pkg();
      const want = { name: p.name, version: p.version, hash: p.hash, files: p.files, bytes: p.bytes, dir: `${base}/${installDirName(p)}`, bin, linkTarget: launcherTarget(base) };
      return planSelf(want, cur);
    },
    async apply(ex, change, journal) {
      const d = change.data as unknown as SelfChangeData;
      const p = await pkg();
      if (p.hash !== d.hash) {
        throw new ClawopsError(`the clawops being installed changed since the plan was made (${d.hash.slice(0, 19)} -> ${p.hash.slice(0, 19)})`, {
          hint: 'make a new plan with the clawops you run now',
        });
      }
      const name = installDirName(d);
      const before = await readFact(ex, ref(selfState, `${base}\n${bin}`));
      await ensureParents(ex, `${base}/${name}`, journal);
      await ex.run(['install', '-d', '-m', '0755', '-o', 'root', '-g', 'root', '--', base]);
      if (!(await ex.stat(`${base}/${name}/${MARKER}`))) {
        await journal.saveStep(`install clawops ${d.version} into ${base}/${name}`, ['rm', '-rf', '--', `${base}/${name}`]);
        progress(journal, `copying clawops ${d.version} (${(p.archive().length / 1_048_576).toFixed(1)} MB) to ${ex.target}...`);
        await unpack(ex, base, name, p.archive());
      }
      await journal.saveFile(ex, `${base}/current`);
      await ex.run(['sh', '-c', LINK_SCRIPT, 'sh', name, `${base}/current`]);
      await ensureParents(ex, bin, journal);
      await journal.saveFile(ex, bin);
      await ex.run(['sh', '-c', LINK_SCRIPT, 'sh', d.linkTarget, bin]);
      const keep = [name, ...(before.current && before.current !== name ? [before.current] : [])];
      await journal.saveStep(`remove clawops installs other than ${keep.join(', ')} (not restored by undo)`, null);
      await ex.run(['sh', '-c', PRUNE_SCRIPT, 'sh', base, ...keep]);
    },
  };
}

async function unpack(ex: Executor, base: string, name: string, archive: Buffer): Promise<void> {
  try {
    await ex.run(['sh', '-c', INSTALL_SCRIPT, 'sh', base, name], { stdin: archive, timeoutMs: 300_000 });
  } catch (cause) {
    const ranButFailed = cause instanceof CommandError && cause.failure.exitCode === 3;
    const why = cause instanceof CommandError ? cause.failure.stderr.trim().split('\n')[0] ?? '' : String(cause);
    throw new ClawopsError(`${ranButFailed ? 'clawops does not run' : 'cannot install clawops'} on ${ex.target}: ${why}`, {
      cause,
      hint: ranButFailed
        ? 'it needs Node.js >= 22.13 as `node` on the PATH there (node.major in the spec), see the cause above'
        : `check that ${base} is writable and GNU tar is installed there`,
    });
  }
}

/** Both resources of the area, or none when `clawops.install` is false. */
export function selfResources(spec: ResolvedSpec): Resource[] {
  if (!spec.clawops.install) return [];
  const self = selfInstallResource();
  return [self, specFileResource(spec)];
}

export const selfArea: Area = { name: 'clawops', resources: selfResources };
