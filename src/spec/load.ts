import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { ClawopsError } from '../core/errors.ts';
import { Spec, type SpecData } from './schema.ts';
import { resolveSpec, type ResolvedSpec } from './resolve.ts';
import { specRules } from './rules.ts';

export interface SpecProblem {
  /** dotted path into the spec, e.g. `gateway.port` or `instances[1].port`; `(root)` for the top */
  path: string;
  message: string;
  /** 1-based line in the file, when known */
  line?: number;
}

export type SpecResult = { ok: true; spec: ResolvedSpec; source: string } | { ok: false; problems: SpecProblem[]; source: string };

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

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

/** Load a spec file, or the embedded defaults when `file` is undefined. Throws a ClawopsError listing every problem. */
export async function loadSpec(file: string | undefined): Promise<ResolvedSpec> {
  const result = await readSpec(file);
  if (!result.ok) throw new SpecError(result.source, result.problems);
  return result.spec;
}

export async function readSpec(file: string | undefined): Promise<SpecResult> {
  if (file === undefined) return parseSpec('{}', '(embedded defaults)');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ClawopsError(`cannot read spec ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, {
      cause,
      hint: 'check the path given to --spec/-f, or run `clawops spec init > clawops.yaml`',
    });
  }
  return parseSpec(text, file);
}

export class SpecError extends ClawopsError {
  readonly problems: SpecProblem[];
  constructor(source: string, problems: SpecProblem[]) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}`,
      { hint: `fix the spec and run \`clawops spec validate -f ${source}\`` },
    );
    this.name = 'SpecError';
    this.problems = problems;
  }
}
