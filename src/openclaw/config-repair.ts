/**
 * An `openclaw.json` that no longer parses (a hand edit cut short, a bad merge): the gateway exits
 * 78 in a loop and no key-level change can be planned on it. This step runs before the token and
 * config steps: it puts back the newest copy in OpenClaw's own `.bak` ring that parses, keeping the
 * broken file beside it as `openclaw.json.clobbered.<time>` (OpenClaw's forensic name, 0600); the
 * token and config steps then plan on the restored file (deferred until it is in place), so the
 * managed keys end up as the spec says, validated. With no parsable copy the plan stops and says
 * what to do by hand.
 *
 * The gateway is stopped first (`beforeWrite`): a gateway cannot serve from a file that does not
 * parse, and one starting while the copy is put back (a crash loop, a restart in flight) races
 * with the restore and with the config step that follows (OpenClaw 2026.9 runs its own recovery
 * from its ring when it reads a broken file). The settle starts it again once every step is done.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Journal, JsonValue, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';
import { openclawConfig } from '../facts/openclaw.ts';
import { parseJson5 } from '../facts/json5.ts';
import { known, ref, type FactReader } from '../facts/types.ts';
import { CONFIG_BACKUP_COUNT } from './config-write.ts';
import { configPath } from './paths.ts';

export interface RepairData {
  [k: string]: JsonValue;
  path: string;
  /** the ring copy put back */
  from: string;
}

/** OpenClaw's ring, newest first: `.bak`, `.bak.1` .. `.bak.4`. */
export function backupRing(path: string): string[] {
  return [`${path}.bak`, ...Array.from({ length: CONFIG_BACKUP_COUNT - 1 }, (_, i) => `${path}.bak.${i + 1}`)];
}

export function configRepairId(inst: ResolvedInstance): string {
  return `openclaw-config-repair:${inst.name}`;
}

/** Pure: nothing to do while openclaw.json parses (or is missing); else the newest ring copy that parses. */
export function planConfigRepair(inst: ResolvedInstance, f: FactReader): PlanOutcome {
  const path = configPath(inst);
  const cur = known(f, ref(openclawConfig, path));
  if (!('unparsable' in cur)) return { noop: cur.missing ? `${path} is missing (the config step writes it)` : `${path} parses` };
  const from = backupRing(path).find((p) => {
    const v = known(f, ref(openclawConfig, p));
    return !v.missing && 'config' in v;
  });
  if (from === undefined) {
    throw new ClawopsError(`${path} does not parse (${cur.unparsable}) and no copy in OpenClaw's .bak ring does`, {
      hint: `fix it by hand (\`openclaw config validate\` shows the error), or move it aside (\`mv ${path} ${path}.broken\`) and run \`clawops apply\`: it writes a fresh config from the spec (channels and providers added by hand must be added again)`,
    });
  }
  const data: RepairData = { path, from };
  const change: PlannedChange = {
    resourceId: configRepairId(inst),
    kind: 'openclaw-config-repair',
    action: 'change',
    summary: `${path} does not parse: put back ${from.slice(path.length + 1)} (the newest copy that parses), keep the broken file as .clobbered.*`,
    diff: `! ${path}: ${cur.unparsable}\n< ${from}`,
    data,
  };
  return { changes: [change] };
}

// as the service user, umask 077: the broken file (it may hold secrets) kept 0600 beside it
const KEEP_BROKEN = 'umask 077; cp -- "$1" "$1.clobbered.$2"';

export function openclawConfigRepairResource(
  inst: ResolvedInstance,
  dependsOn: string[],
  beforeWrite: (ex: Executor, journal: Journal) => Promise<void>,
): Resource {
  const path = configPath(inst);
  return {
    id: configRepairId(inst),
    kind: 'openclaw-config-repair',
    dependsOn,
    needs: () => [path, ...backupRing(path)].map((p) => ref(openclawConfig, p)),
    plan: (f) => planConfigRepair(inst, f),
    async apply(ex: Executor, change: PlannedChange, journal: Journal) {
      const data = change.data as RepairData;
      const read = await ex.run(['cat', '--', data.from], { user: inst.user, allowFailure: true });
      const text = read.exitCode === 0 ? read.stdout : '';
      if (!parsesAsObject(text)) {
        throw new ClawopsError(`${data.from} no longer parses or cannot be read (it did when the plan was made)`, { hint: 'run `clawops plan` again' });
      }
      await beforeWrite(ex, journal);
      await journal.saveFile(ex, data.path);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await ex.run(['sh', '-c', KEEP_BROKEN, 'sh', data.path, stamp], { user: inst.user });
      await ex.writeFile(data.path, text, { mode: 0o600, owner: inst.user, group: inst.user });
    },
  };
}

function parsesAsObject(text: string): boolean {
  try {
    const v = parseJson5(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}
