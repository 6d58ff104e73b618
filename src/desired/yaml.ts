/**
 * Spec text to a YAML document and its plain value, within the bounds of ./limits.ts. The yaml
 * library's own safeguards are not enough here: its composer recurses (10,000 nested `[` is a stack
 * overflow; its parser takes seconds on a megabyte of `[`), its duplicate-key check compares every
 * key with every other (a 20k-key map takes seconds) and alias expansion is only bounded when asked. So the text is first parsed to the
 * concrete syntax tree (iterative; after a lexer pass that stops at the first line nested too deep),
 * which is measured (depth, aliases) before it is composed; keys
 * are checked for duplicates with one set per map; every string is checked for control characters
 * (./strings.ts); and aliases expand under a bound. Every walk here is iterative.
 */
import {
  Composer, isMap, isScalar, isSeq, Lexer, LineCounter, Parser, YAMLParseError, type CST, type Document, type Node,
} from 'yaml';
import { formatPath, type SpecProblem } from './errors.ts';
import { MAX_ALIAS_EXPANSION, MAX_ALIASES, MAX_DEPTH, MAX_SPEC_BYTES, bytes, quote } from './limits.ts';
import { controlProblem, patternOf } from './strings.ts';

export type YamlResult =
  | { ok: true; doc: Document.Parsed; lineCounter: LineCounter; value: unknown; empty: boolean }
  | { ok: false; problems: SpecProblem[] };

export function parseYaml(text: string): YamlResult {
  if (text.length > MAX_SPEC_BYTES) {
    const message = `the spec is ${text.length} characters; a spec may be at most ${bytes(MAX_SPEC_BYTES)}`;
    return fail({ path: '(root)', message });
  }
  const deepLine = mayBeDeep(text) ? lexedDepth(text) : undefined;
  if (deepLine !== undefined) return fail(tooDeep(deepLine));
  const lineCounter = new LineCounter();
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const line = (offset: number) => lineCounter.linePos(offset).line;
  const shape = measure(tokens);
  if (shape.deepAt !== undefined) return fail(tooDeep(line(shape.deepAt)));
  if (shape.aliases.length > MAX_ALIASES) {
    return fail({
      path: '(root)', line: line(shape.aliases[MAX_ALIASES] as number),
      message: `${shape.aliases.length} aliases (*name); a spec may use at most ${MAX_ALIASES}`,
    });
  }
  const doc = compose(tokens, text.length);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: '(root)',
        message: `YAML: ${e.message.split('\n')[0]}`,
        ...(e.linePos?.[0] ? { line: e.linePos[0].line } : e.pos ? { line: line(e.pos[0]) } : {}),
      })),
    };
  }
  const problems = walk(doc, line);
  if (problems.length > 0) return { ok: false, problems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (err) {
    const bomb = /resource exhaustion/.test((err as Error).message);
    return fail({
      path: '(root)', ...(shape.aliases[0] !== undefined ? { line: line(shape.aliases[0]) } : {}),
      message: bomb
        ? `aliases (*name) expand to more than ${MAX_ALIAS_EXPANSION} times what they name ` +
          '(a YAML "billion laughs"); write the values out'
        : `YAML: ${(err as Error).message}`,
    });
  }
  return { ok: true, doc, lineCounter, value: value ?? {}, empty: doc.contents === null };
}

function fail(problem: SpecProblem): YamlResult {
  return { ok: false, problems: [problem] };
}

function tooDeep(line: number): SpecProblem {
  const message = `nested more than ${MAX_DEPTH} levels deep (a spec needs a handful); flatten it`;
  return { path: '(root)', line, message };
}

/** Could the text pass MAX_DEPTH at all? (brackets anywhere plus `-`/`?` on one line; no lexer needed when not) */
function mayBeDeep(text: string): boolean {
  let brackets = 0;
  let onLine = 0;
  let most = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) brackets++;
    else if (c === 0x2d || c === 0x3f) onLine++;
    else if (c === 0x0a) {
      if (onLine > most) most = onLine;
      onLine = 0;
    }
  }
  return brackets + Math.max(most, onLine) > MAX_DEPTH;
}

/**
 * A cheap bound from the lexer: open flow brackets, plus `-`/`?` indicators on the current line. The
 * first line where that passes MAX_DEPTH is too deep whatever the rest holds (block nesting by
 * indentation costs bytes quadratically and is left to `measure`).
 */
function lexedDepth(text: string): number | undefined {
  let flow = 0;
  let indicators = 0;
  let line = 1;
  let content = false;
  for (const tok of new Lexer().lex(text)) {
    if (content) {
      content = false; // a scalar's source, right after the \x1f that announces it
      line += countNewlines(tok);
      continue;
    }
    if (tok === '\x1f') content = true;
    else if (tok === '[' || tok === '{') flow++;
    else if (tok === ']' || tok === '}') flow = Math.max(0, flow - 1);
    else if (tok === '-' || tok === '?') indicators++;
    else if (tok === '\n' || tok === '\r\n') {
      line++;
      indicators = 0;
    } else line += countNewlines(tok);
    if (flow + indicators > MAX_DEPTH) return line;
  }
  return undefined;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** How deep the syntax tree goes (the offset where it first passes MAX_DEPTH) and where its aliases are. */
function measure(tokens: CST.Token[]): { deepAt?: number; aliases: number[] } {
  const aliases: number[] = [];
  const stack: [CST.Token, number][] = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [t, depth] = stack.pop() as [CST.Token, number];
    if (t.type === 'alias') aliases.push(t.offset);
    else if (t.type === 'document' && t.value) stack.push([t.value, depth]);
    else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      if (depth + 1 > MAX_DEPTH) return { deepAt: t.offset, aliases };
      for (const item of t.items) {
        if ('key' in item && item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return { aliases: aliases.sort((a, b) => a - b) };
}

/** yaml's parseDocument, from tokens: one document, duplicate keys left to `walk`. */
function compose(tokens: CST.Token[], length: number): Document.Parsed {
  const composer = new Composer({ uniqueKeys: false, prettyErrors: false });
  let doc: Document.Parsed | undefined;
  for (const d of composer.compose(tokens, true, length)) {
    if (!doc) doc = d;
    else {
      const at = d.range[0];
      const message = 'more than one YAML document (---); a spec is one';
      doc.errors.push(new YAMLParseError([at, at + 1], 'MULTIPLE_DOCS', message));
      break;
    }
  }
  return doc as Document.Parsed;
}

/** Duplicate keys, non-string keys and control characters, each with its path and line. */
function walk(doc: Document.Parsed, line: (offset: number) => number): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const at = (node: Node | null | undefined) => (node?.range ? { line: line(node.range[0]) } : {});
  const stack: [unknown, PropertyKey[]][] = [[doc.contents, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [Node | null, PropertyKey[]];
    if (isMap(node)) {
      const seen = new Map<string, number | undefined>();
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        if (keyNode !== null && !isScalar(keyNode)) {
          const message = 'a key must be a plain string, not a list, map or alias';
          problems.push({ path: formatPath(path), ...at(keyNode), message });
          continue;
        }
        const key = String(keyNode?.value ?? '');
        const here = [...path, key];
        const first = seen.get(key);
        if (seen.has(key)) {
          problems.push({
            path: formatPath(here), ...at(keyNode),
            message: `duplicate key ${quote(key)}${first ? ` (first at line ${first})` : ''}: ` +
              'YAML keeps only the last one',
          });
        } else seen.set(key, keyNode?.range ? line(keyNode.range[0]) : undefined);
        const bad = controlProblem(key, patternOf(here), true);
        if (bad) problems.push({ path: formatPath(here), ...at(keyNode), message: bad });
        stack.push([pair.value, here]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push([item, [...path, i]]));
    } else if (isScalar(node) && typeof node.value === 'string') {
      const bad = controlProblem(node.value, patternOf(path));
      if (bad) problems.push({ path: formatPath(path), ...at(node), message: bad });
    } // an alias: the node it names is checked where it is defined
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
