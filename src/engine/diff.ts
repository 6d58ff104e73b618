import { redact } from '../core/redact.ts';

/**
 * A unified diff of two texts (line based, 3 lines of context), for the plan view. Both texts are
 * redacted first (a legacy unit's inline token, a registered secret), so no plan, saved plan or
 * view ever holds one; equal secrets give equal descriptors, so the diff still shows what changes.
 */
export function unifiedDiff(before: string, after: string, path: string, context = 3): string {
  const a = splitLines(redact(before, { describe: true }));
  const b = splitLines(redact(after, { describe: true }));
  const ops = lineOps(a, b);
  const hunks: string[] = [];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]?.op === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // extend the hunk while changes are within 2*context lines of each other
    for (let j = i; j < ops.length; j++) {
      if (ops[j]?.op !== ' ') end = j;
      else if (j - end > 2 * context) break;
    }
    end = Math.min(ops.length - 1, end + context);
    const slice = ops.slice(start, end + 1);
    const aStart = (ops[start]?.ai ?? 0) + 1;
    const bStart = (ops[start]?.bi ?? 0) + 1;
    const aLen = slice.filter((o) => o.op !== '+').length;
    const bLen = slice.filter((o) => o.op !== '-').length;
    hunks.push(`@@ -${aLen ? aStart : aStart - 1},${aLen} +${bLen ? bStart : bStart - 1},${bLen} @@`);
    for (const o of slice) hunks.push(`${o.op}${o.text}`);
    i = end + 1;
    start = i;
  }
  if (hunks.length === 0) return '';
  return [`--- ${before === '' ? '/dev/null' : path}`, `+++ ${path}`, ...hunks].join('\n');
}

interface Op {
  op: ' ' | '-' | '+';
  text: string;
  /** index in a / b at this point */
  ai: number;
  bi: number;
}

function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function lineOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = LCS length of a[i..] and b[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as number[];
    const next = lcs[i + 1] as number[];
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] ? (next[j + 1] ?? 0) + 1 : Math.max(next[j] ?? 0, row[j + 1] ?? 0);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ op: ' ', text: a[i] as string, ai: i, bi: j });
      i++;
      j++;
    } else if (i < n && (j >= m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      ops.push({ op: '-', text: a[i] as string, ai: i, bi: j });
      i++;
    } else {
      ops.push({ op: '+', text: b[j] as string, ai: i, bi: j });
      j++;
    }
  }
  return ops;
}
