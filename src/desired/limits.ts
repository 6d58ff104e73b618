/**
 * The bounds every spec is held to, so a hostile or broken file costs a bounded amount of time and
 * memory and ends in one clear problem instead of a stack overflow, a hang or a thousand-line report.
 * A real spec is a few KB, a handful of levels deep and uses no or a few aliases; the limits are far
 * above that and far below what hurts.
 */
import type { SpecProblem } from './errors.ts';

/** bytes of spec file (and characters of spec text) */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** nested collections (maps, lists); the defaults are 4 deep */
export const MAX_DEPTH = 64;
/** `*alias` references in one file */
export const MAX_ALIASES = 100;
/** what `*alias` expansion may multiply a node by (yaml's maxAliasCount) */
export const MAX_ALIAS_EXPANSION = 100;
/** problems listed; the rest are counted */
export const MAX_PROBLEMS = 50;
/** characters of a key or value quoted back in a message */
const MAX_QUOTE = 60;

/** The first MAX_PROBLEMS problems, and one that counts the rest (of `total`, when only the first were built). */
export function capProblems(problems: SpecProblem[], total = problems.length): SpecProblem[] {
  if (total <= MAX_PROBLEMS) return problems;
  const more = total - MAX_PROBLEMS;
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    {
      path: '(root)',
      message: `and ${more} more problem${more === 1 ? '' : 's'} (the first ${MAX_PROBLEMS} are listed)`,
      more,
    },
  ];
}

/** A key or value from the file, quoted for a message: JSON escapes (no raw control characters), bounded. */
export function quote(s: string): string {
  const q = JSON.stringify(s.length > MAX_QUOTE ? s.slice(0, MAX_QUOTE) : s);
  return s.length > MAX_QUOTE ? `${q.slice(0, -1)}…"` : q;
}

/** Sizes for messages: `1048577 bytes`, and the limit as `1048576 bytes (1 MiB)`. */
export function bytes(n: number): string {
  return n === MAX_SPEC_BYTES ? `${n} bytes (1 MiB)` : `${n} bytes`;
}
