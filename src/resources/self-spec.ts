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
import { type FactKind, known, ref, unknown } from '../facts/types.ts';
import { readRaw } from '../facts/probe.ts';
import { fileResource, managedFile, planFile } from './file.ts';

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

/**
 * The spec a file on the target validates to, as its fingerprint ("invalid" when it does not
 * validate): read once, so the resource and host.managed-files judge an operator's own equivalent
 * file (comments kept) alike. Parsing needs the YAML parser and the schema: loaded only here.
 */
export const specFileMeaning: FactKind<{ fingerprint: string | null }> = {
  kind: 'clawops.spec-meaning',
  describe: 'the fingerprint of the spec a file on the target validates to (parsed here; "invalid" if it does not)',
  async probe(ex, path) {
    const raw = await readRaw(ex, path);
    if (raw.t !== 'file' || raw.content === null) return raw;
    const { parseSpec } = await import('../desired/parse.ts');
    const r = parseSpec(raw.content, path);
    return { ...raw, content: r.ok ? fingerprint(r.spec) : 'invalid' };
  },
  parse(raw, path) {
    if (raw.t === 'error') return unknown(`read ${path}: ${raw.message}`);
    if (raw.t !== 'file') return unknown(`read ${path}: unexpected raw`);
    return { fingerprint: raw.content === null || raw.content === 'invalid' ? null : raw.content };
  },
};

export function specFileResource(spec: ResolvedSpec, path = DEFAULT_SPEC_PATH): Resource {
  const content = renderTargetSpec(spec);
  const file = fileResource({ id: SPEC_FILE_ID, kind: 'clawops-spec', path, content, mode: 0o600, owner: 'root', group: 'root' });
  const want = fingerprint(spec);
  return managedFile({
    id: SPEC_FILE_ID,
    kind: 'clawops-spec',
    needs: () => [ref(fileState, path), ref(specFileMeaning, path)],
    plan(f) {
      const cur = known(f, ref(fileState, path));
      const text = cur.exists ? cur.text : null;
      const same = text !== null && text !== content && known(f, ref(specFileMeaning, path)).fingerprint === want;
      return planSpecFile(path, content, { file: cur, sameSpec: same });
    },
    apply: (ex, change, journal) => file.apply(ex, change, journal),
  });
}

/** Pure: an equivalent file is kept (only owner and mode are put right), anything else is replaced. */
export function planSpecFile(path: string, content: string, cur: SpecFileState): PlanOutcome {
  const keep = cur.sameSpec && cur.file.exists && cur.file.text !== null ? cur.file.text : content;
  const out = planFile(SPEC_FILE_ID, 'clawops-spec', { path, content: keep, mode: 0o600, owner: 'root', group: 'root' }, cur.file);
  if ('noop' in out && keep !== content) return { noop: `${path} holds the same spec (kept as written)` };
  return out;
}
