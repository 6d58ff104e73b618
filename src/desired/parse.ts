/** Parse, validate and resolve spec text: YAML with line numbers, the zod schema, the cross-field rules. */
import { LineCounter, parseDocument } from 'yaml';
import { formatPath, type SpecProblem, type SpecResult } from './errors.ts';
import { Spec, type SpecData } from './schema.ts';
import { resolveSpec } from './resolve.ts';
import { specRules } from './rules.ts';

/** Parse, validate and resolve spec text. Every problem is reported, each with its path. */
export function parseSpec(text: string, source = '<spec>'): SpecResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      source,
      problems: doc.errors.map((e) => ({
        path: '(root)',
        message: `YAML: ${e.message.split('\n')[0]}`,
        ...(e.linePos?.[0] ? { line: e.linePos[0].line } : {}),
      })),
    };
  }
  const raw: unknown = doc.toJS() ?? {};
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const parsed = Spec.safeParse(raw);
  if (!parsed.success) {
    const problems: SpecProblem[] = [];
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const path = key === undefined ? issue.path : [...issue.path, key];
        const message = key === undefined ? issue.message : `unknown key "${key}" (not part of the spec)`;
        const line = lineOf(path);
        problems.push({ path: formatPath(path), message, ...(line ? { line } : {}) });
      }
    }
    return { ok: false, source, problems };
  }
  return checkRules(parsed.data, source, lineOf);
}

function checkRules(data: SpecData, source: string, lineOf: (p: readonly PropertyKey[]) => number | undefined): SpecResult {
  const problems: SpecProblem[] = specRules(data).map((r) => {
    const line = lineOf(r.path);
    return { path: formatPath(r.path), message: r.message, ...(line ? { line } : {}) };
  });
  if (problems.length > 0) return { ok: false, source, problems };
  return { ok: true, source, spec: resolveSpec(data) };
}

