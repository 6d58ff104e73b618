/**
 * The spec clawops applied, on the target at /etc/clawops/clawops.yaml (root 0600), so the check
 * timers and `clawops check` run there judge the host by the same spec. It is written as the
 * validated spec with every default spelled out (secrets appear only as references: the spec
 * never holds one). A file there that already says the same thing (same validated spec, e.g. the
 * operator's own file when clawops applies it on this very host) is kept as it is, comments included.
 */
import { createRequire } from 'node:module';
import { fingerprint } from '../engine/hash.ts';
import type { PlanOutcome, Resource } from '../engine/types.ts';
import { DEFAULT_SPEC_PATH } from '../openclaw/timers.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { fileState, type FileState } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { fileResource, planFile } from './file.ts';

export const SPEC_FILE_ID = `clawops:spec`;

export type SpecFileState = { file: FileState; sameSpec: boolean };

// yaml only when the spec is rendered: the check catalogue reaches this module (host.managed-files)
// and a warm `clawops check --profile health` must not load a YAML parser
const stringify = (v: unknown, o?: object): string => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).stringify(v, o);

/** The spec as YAML with all defaults explicit; parsing it gives the same resolved spec. */
export function renderTargetSpec(spec: ResolvedSpec): string {
  const { resolved: _resolved, ...data } = spec;
  return `# ${DEFAULT_SPEC_PATH}: the spec clawops last applied to this host (every default spelled out).
# The check timers read it. Edit the spec you apply from and re-run \`clawops apply\`, or edit this
# file and apply it here with \`clawops apply -f ${DEFAULT_SPEC_PATH}\`.
${stringify(data, { lineWidth: 0 })}`;
}

/** Does this text validate to the same resolved spec? (false when it does not validate) */
export async function saysTheSame(text: string, spec: ResolvedSpec): Promise<boolean> {
  const { parseSpec } = await import('../desired/parse.ts');
  const r = parseSpec(text, DEFAULT_SPEC_PATH);
  return r.ok && fingerprint(r.spec) === fingerprint(spec);
}

export function specFileResource(spec: ResolvedSpec, path = DEFAULT_SPEC_PATH): Resource {
  const content = renderTargetSpec(spec);
  const file = fileResource({ id: SPEC_FILE_ID, kind: 'clawops-spec', path, content, mode: 0o600, owner: 'root', group: 'root' });
  return {
    id: SPEC_FILE_ID,
    kind: 'clawops-spec',
    needs: () => [ref(fileState, path)],
    async plan(f) {
      const cur = known(f, ref(fileState, path));
      const text = cur.exists ? cur.text : null;
      return planSpecFile(path, content, { file: cur, sameSpec: text !== null && text !== content && (await saysTheSame(text, spec)) });
    },
    apply: (ex, change, journal) => file.apply(ex, change, journal),
  };
}

/** Pure: an equivalent file is kept (only owner and mode are put right), anything else is replaced. */
export function planSpecFile(path: string, content: string, cur: SpecFileState): PlanOutcome {
  const keep = cur.sameSpec && cur.file.exists && cur.file.text !== null ? cur.file.text : content;
  const out = planFile(SPEC_FILE_ID, 'clawops-spec', { path, content: keep, mode: 0o600, owner: 'root', group: 'root' }, cur.file);
  if ('noop' in out && keep !== content) return { noop: `${path} holds the same spec (kept as written)` };
  return out;
}
