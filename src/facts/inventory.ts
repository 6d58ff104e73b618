/**
 * What the agent can load besides its bundled code: skills, plugins and hooks in the places
 * OpenClaw loads them from (workspace and agent skills, managed skills, installed plugins, hooks).
 * One line per entry with a content hash of the whole entry (file names and contents, links by
 * target). The probe runs as the service user: root never walks a tree that user can change.
 */
import { cmdProblem, firstLine, runRaw } from './probe.ts';
import { type FactKind, unknown } from './types.ts';

export interface InventoryEntry {
  /** where it was found: workspace-skills, workspace-agent-skills, agent-skills, skills, plugins, hooks, workspace-hooks */
  where: string;
  name: string;
  path: string;
  sha256: string;
}

/** the hash of an entry the service user cannot read (or cannot name on a line) */
export const UNREADABLE = 'unreadable';

export interface InventoryValue {
  entries: InventoryEntry[];
}

/** arg: `USER HOME STATEDIR WORKSPACE` (space separated; none of them contain spaces). */
export function inventoryArg(user: string, home: string, stateDir: string, workspace: string): string {
  return [user, home, stateDir, workspace].join(' ');
}

/** Where OpenClaw loads skills, plugins and hooks from, per instance (as `where:dir`). */
export function inventoryDirs(home: string, stateDir: string, workspace: string): string[] {
  return [
    `workspace-skills:${workspace}/skills`,
    `workspace-agent-skills:${workspace}/.agents/skills`,
    `agent-skills:${home}/.agents/skills`,
    `skills:${stateDir}/skills`,
    `plugins:${stateDir}/extensions`,
    `hooks:${stateDir}/hooks`,
    `workspace-hooks:${workspace}/hooks`,
  ];
}

// $@: where:dir pairs. A name with a tab or newline cannot be listed on a line: reported as such.
const INVENTORY_SCRIPT = `set -u
tab=$(printf '\\t'); nl='
'
for pair in "$@"; do
  where=\${pair%%:*}; d=\${pair#*:}
  [ -d "$d" ] || continue
  for e in "$d"/* "$d"/.[!.]* "$d"/..?*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    n=\${e##*/}
    case $n in *"$tab"*|*"$nl"*) echo "odd-name:$where:$d" >&2; continue;; esac
    if [ -L "$e" ]; then h=$(printf 'link %s' "$(readlink -- "$e")" | sha256sum)
    elif [ -d "$e" ]; then h=$(cd -- "$e" && find . \\( -type f -o -type l \\) -print0 | LC_ALL=C sort -z | xargs -0r sha256sum -- | sha256sum)
    else h=$(sha256sum < "$e"); fi
    printf '%s\\t%s\\t%s\\t%s\\n' "$where" "$n" "$e" "\${h%% *}"
  done
done`;

export const extensionInventory: FactKind<InventoryValue> = {
  kind: 'openclaw.inventory',
  describe: 'skills, plugins and hooks the agent can load, each with a content hash (read as the service user)',
  probe(ex, arg) {
    const [user = '', home = '', stateDir = '', workspace = ''] = arg.split(' ');
    return runRaw(ex, ['sh', '-c', INVENTORY_SCRIPT, 'sh', ...inventoryDirs(home, stateDir, workspace)], 120_000, { user, cwd: '/' });
  },
  parse(raw, arg) {
    const p = cmdProblem(raw, `inventory of ${arg.split(' ')[2] ?? arg}`);
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`inventory: ${raw.t === 'cmd' ? firstLine(raw.stderr) || `exit ${raw.exitCode}` : 'no output'}`);
    const odd = raw.stderr.split('\n').filter((l) => l.startsWith('odd-name:'));
    const entries: InventoryEntry[] = raw.stdout.split('\n').filter(Boolean).flatMap((line) => {
      const [where = '', name = '', path = '', sha256 = ''] = line.split('\t');
      // an entry whose tree the service user cannot read is listed as such, never left out
      return where && name ? [{ where, name, path, sha256: /^[0-9a-f]{64}$/.test(sha256) ? sha256 : UNREADABLE }] : [];
    });
    // a name that cannot be listed is an entry too (it must never hide): its directory, flagged
    for (const o of odd) entries.push({ where: o.split(':')[1] ?? '', name: '(a name with a tab or newline)', path: o.split(':').slice(2).join(':'), sha256: UNREADABLE });
    return { entries };
  },
};

/** Baseline format: `WHERE<TAB>NAME<TAB>SHA256` a line, sorted. */
export function renderInventory(entries: readonly InventoryEntry[]): string {
  return entries.map((e) => `${e.where}\t${e.name}\t${e.sha256}\n`).sort().join('');
}

export function parseInventory(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [where, name, sha] = line.split('\t');
    if (where && name && sha && (sha === UNREADABLE || /^[0-9a-f]{64}$/.test(sha))) out.set(`${where}/${name}`, sha);
  }
  return out;
}

/** What differs from the baseline: new, changed and removed entries, one line each. */
export function inventoryDrift(entries: readonly InventoryEntry[], baseline: ReadonlyMap<string, string>): { added: InventoryEntry[]; changed: InventoryEntry[]; removed: string[] } {
  const now = new Map(entries.map((e) => [`${e.where}/${e.name}`, e]));
  return {
    added: entries.filter((e) => !baseline.has(`${e.where}/${e.name}`)),
    changed: entries.filter((e) => baseline.has(`${e.where}/${e.name}`) && baseline.get(`${e.where}/${e.name}`) !== e.sha256),
    removed: [...baseline.keys()].filter((k) => !now.has(k)).sort(),
  };
}
