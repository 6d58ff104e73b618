/**
 * Performs a StagePlan on the target: a consistent copy of an instance's state in the staging dir
 * (SQLite databases through SQLite's online backup, run on the target with `sqlite3 .backup`,
 * which takes a read transaction and so includes committed WAL content; never a bare copy of a
 * live database), then hashes every staged file for the manifest.
 */
import { ClawopsError, CommandError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import { parseSha256sums, parseSizes } from './manifest.ts';
import { SQLITE_NAMES, treeExcludes, type StageItem, type StagePlan } from './plan.ts';

const MISSING = 3;
const LONG_MS = 4 * 3600_000;

// $1 src, $2 dst, $3 "optional" flag, then pairs: --exclude patterns for tar, prune dirs for find.
// Plain files through tar (owner, mode, times kept; exit 1 = "file changed as we read it" is fine:
// the staged copy is what gets hashed and backed up). Then every SQLite database by online backup,
// run as the owner of the state dir (never root on a file that user controls), owner and mode
// copied from the source. Prints the relative path of each database it captured.
const TREE_SCRIPT = `set -euo pipefail
src=$1; dst=$2; optional=$3; shift 3
excl=(); prune=()
while [ $# -gt 0 ]; do case $1 in --exclude) excl+=("--exclude=$2"); shift 2;; --prune) prune+=(-path "$src/$2" -prune -o); shift 2;; *) exit 64;; esac; done
# root copies the tree: never through a link the service user put in place of its state dir
if [ -L "$src" ]; then echo "clawops: $src is a symlink: refusing to copy through it as root" >&2; exit 1; fi
if [ ! -d "$src" ]; then [ "$optional" = 1 ] && exit 0; echo "clawops: $src: no such directory" >&2; exit ${MISSING}; fi
mkdir -p "$dst"
set +e
tar -C "$src" --anchored --wildcards --warning=no-file-changed --warning=no-file-removed "\${excl[@]}" -cf - . | tar -C "$dst" -xpf -
rc=("\${PIPESTATUS[@]}")
set -e
if [ "\${rc[0]}" -gt 1 ] || [ "\${rc[1]}" -ne 0 ]; then echo "clawops: copying $src failed (tar exit \${rc[*]})" >&2; exit 1; fi
owner=$(stat -c %U -- "$src")
find "$src" "\${prune[@]}" -type f \\( ${SQLITE_NAMES.map((n) => `-name '${n}'`).join(' -o ')} \\) -print0 |
while IFS= read -r -d '' f; do
  rel=\${f#"$src"/}; out="$dst/$rel"
  mkdir -p "$(dirname -- "$out")"
  if [ "$(head -c 15 -- "$f")" = "SQLite format 3" ]; then
    # the online backup runs as the state dir's owner into a scratch dir of its own: root never opens
    # a database file the service user controls; root takes the result only as a regular file
    scratch=$(mktemp -d); chown -- "$owner" "$scratch"
    printf '.timeout 30000\\n.backup "%s/db"\\n' "$scratch" | runuser -u "$owner" -- sqlite3 -bail -batch "$f"
    cp --no-dereference -- "$scratch/db" "$out"; rm -rf -- "$scratch"
    if [ -L "$out" ] || [ ! -f "$out" ]; then echo "clawops: the online backup of $rel is not a regular file" >&2; exit 1; fi
    chown --reference="$f" -- "$out"; chmod --reference="$f" -- "$out"
    printf '%s\\0' "$rel"
  else
    cp --no-dereference -p -- "$f" "$out"
  fi
done`;

const COPY_SCRIPT = `set -eu
src=$1; dst=$2; optional=$3
if [ ! -e "$src" ]; then [ "$optional" = 1 ] && exit 0; echo "clawops: $src: no such file" >&2; exit ${MISSING}; fi
mkdir -p "$(dirname -- "$dst")"
cp -a -- "$src" "$dst"`;

// sha256 of every file but the manifest. openssl uses the CPU's SHA extensions (about 5x faster
// than coreutils' sha256sum here: 0.24 vs 1.16 s for 100 MB); openssl escapes names holding a
// newline or a backslash in its output, so those few go through sha256sum --zero. No openssl:
// sha256sum for all. Both print "HEX *./path" / "HEX  ./path" records (\0-separated here).
const HASH_SCRIPT = `set -euo pipefail
cd "$1"
find . -type f ! -path ./manifest.json -printf '%s %P\\0'
printf '\\0--sums--\\0'
nl=$'\\n'
if command -v openssl >/dev/null 2>&1; then
  find . -type f ! -path ./manifest.json ! -name "*$nl*" ! -name '*\\\\*' -print0 | xargs -0 -r openssl dgst -sha256 -r | tr '\\n' '\\0'
  find . -type f ! -path ./manifest.json \\( -name "*$nl*" -o -name '*\\\\*' \\) -print0 | xargs -0 -r sha256sum --zero
else
  find . -type f ! -path ./manifest.json -print0 | xargs -0 -r sha256sum --zero
fi`;

export interface StageResult {
  /** snapshot-relative paths of the SQLite databases captured online */
  sqlite: string[];
}

/** Fresh staging dir (0700, root), then every item of the plan. */
export async function stage(ex: Executor, plan: StagePlan): Promise<StageResult> {
  await ex.run(['sh', '-c', 'set -eu; rm -rf -- "$1"; mkdir -p -m 0700 -- "$1"', 'sh', plan.stagingDir]);
  const sqlite: string[] = [];
  for (const item of plan.items) sqlite.push(...(await stageItem(ex, plan.stagingDir, item)));
  return { sqlite: sqlite.sort() };
}

async function stageItem(ex: Executor, root: string, item: StageItem): Promise<string[]> {
  if (item.kind === 'content') {
    await ex.run(['mkdir', '-p', '--', dirOf(`${root}/${item.dst}`)]);
    await ex.writeFile(`${root}/${item.dst}`, item.content, { mode: 0o600 });
    return [];
  }
  const dst = `${root}/${item.dst}`;
  const opt = item.optional ? '1' : '0';
  const argv =
    item.kind === 'tree'
      ? ['bash', '-c', TREE_SCRIPT, 'bash', item.src, dst, opt,
         ...treeExcludes(item.prune).flatMap((p) => ['--exclude', p]), ...item.prune.flatMap((p) => ['--prune', p])]
      : ['sh', '-c', COPY_SCRIPT, 'sh', item.src, dst, opt];
  const r = await ex.run(argv, { allowFailure: true, timeoutMs: LONG_MS });
  if (r.exitCode === MISSING) {
    throw new ClawopsError(`cannot back up ${item.src}: it does not exist on ${ex.target}`, {
      hint: 'check the instance in the spec (its home and state dir), or run `clawops apply` first',
    });
  }
  if (r.exitCode !== 0 || r.timedOut) {
    const err = new CommandError({ ...r, target: ex.target });
    if (/sqlite3: (command )?not found/.test(r.stderr)) {
      throw new ClawopsError(`sqlite3 is not installed on ${ex.target}: it is needed for a consistent online backup of SQLite state`, {
        hint: 'install it (apt-get install sqlite3) or add sqlite3 to os.packages in the spec',
        cause: err,
      });
    }
    const why = r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.exitCode}`;
    throw new ClawopsError(`staging ${item.src} for backup failed: ${why}`, {
      hint: /No space left/i.test(why) ? `free space under ${root} (the staging dir holds a full copy of the state)` : 'see the cause with --debug',
      cause: err,
    });
  }
  return item.kind === 'tree' ? r.stdout.split('\0').filter(Boolean).map((rel) => `${item.dst}/${rel}`) : [];
}

/** sha256 and size of every file under `dir` except manifest.json, keyed by relative path. */
export async function hashTree(ex: Executor, dir: string): Promise<{ sizes: Map<string, number>; sums: Map<string, string> }> {
  const r = await ex.run(['bash', '-c', HASH_SCRIPT, 'bash', dir], { timeoutMs: LONG_MS, maxOutputBytes: 512 * 1024 * 1024 });
  const sep = r.stdout.indexOf('\0--sums--\0');
  if (sep < 0) throw new ClawopsError(`hashing ${dir} on ${ex.target} printed no checksums`, { hint: 'check that GNU coreutils (sha256sum --zero) is installed there' });
  return { sizes: parseSizes(r.stdout.slice(0, sep)), sums: parseSha256sums(r.stdout.slice(sep + 10)) };
}

export async function removeDir(ex: Executor, dir: string): Promise<void> {
  await ex.run(['rm', '-rf', '--', dir], { allowFailure: true, timeoutMs: LONG_MS });
}

function dirOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}
