/**
 * Parse, validate and resolve spec text: YAML within bounds and with line numbers (./yaml.ts), the
 * zod schema, the cross-field rules. Problems come back as data, at most MAX_PROBLEMS of them (the
 * rest counted); lines are looked up for the listed ones only, so a file with 20k unknown keys costs
 * 50 lookups, not 20k.
 */
import type { Document, LineCounter } from 'yaml';
import { formatPath, type SpecProblem, type SpecResult } from './errors.ts';
import { capProblems, MAX_PROBLEMS, quote } from './limits.ts';
import { Spec, type SpecData } from './schema.ts';
import { resolveSpec } from './resolve.ts';
import { specRules } from './rules.ts';
import { parseYaml } from './yaml.ts';

interface Found {
  path: readonly PropertyKey[];
  message: string;
}

/** Parse, validate and resolve spec text. Every problem is reported (up to the cap), each with its path. */
export function parseSpec(text: string, source = '<spec>'): SpecResult {
  const y = parseYaml(text);
  if (!y.ok) return { ok: false, source, problems: capProblems(y.problems) };
  const parsed = Spec.safeParse(y.value);
  if (!parsed.success) {
    const found: Found[] = [];
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          found.push({ path: [...issue.path, key], message: `unknown key ${quote(key)} (not part of the spec)` });
        }
      } else found.push({ path: issue.path, message: issue.message });
    }
    return { ok: false, source, problems: located(found, y.doc, y.lineCounter) };
  }
  const broken = specRules(parsed.data);
  if (broken.length > 0) return { ok: false, source, problems: located(broken, y.doc, y.lineCounter) };
  const warnings = y.empty
    ? [`${source} is empty: the embedded defaults are used (\`clawops spec init\` prints them)`]
    : [];
  return { ok: true, source, spec: resolveSpec(parsed.data as SpecData), ...(warnings.length ? { warnings } : {}) };
}

/** Problems with their lines, capped before the lines are looked up. */
function located(found: Found[], doc: Document.Parsed, lc: LineCounter): SpecProblem[] {
  const listed = found.slice(0, MAX_PROBLEMS).map((f): SpecProblem => {
    const line = lineOf(doc, lc, f.path);
    return { path: formatPath(f.path), message: f.message, ...(line ? { line } : {}) };
  });
  return capProblems(listed, found.length);
}

/** The line of the deepest node of `path` that is in the file. */
function lineOf(doc: Document.Parsed, lc: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}
