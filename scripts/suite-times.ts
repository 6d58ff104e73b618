/**
 * A node:test reporter that prints each test file's wall time, slowest first, when the run ends:
 * the CI budget is per run, and this shows where it goes. Used beside the spec reporter by
 * scripts/run-tests.ts.
 */
import { relative } from 'node:path';

interface Event {
  type: string;
  data: { file?: string; nesting?: number; details?: { duration_ms?: number } };
}

export default async function* suiteTimes(source: AsyncIterable<Event>): AsyncGenerator<string> {
  const times = new Map<string, number>();
  for await (const e of source) {
    if ((e.type === 'test:pass' || e.type === 'test:fail') && e.data.nesting === 0 && e.data.file) {
      const file = relative(process.cwd(), e.data.file);
      times.set(file, (times.get(file) ?? 0) + (e.data.details?.duration_ms ?? 0));
    }
  }
  const rows = [...times].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((n, [, ms]) => n + ms, 0);
  yield `\nper-suite wall time (${rows.length} files, ${(total / 1000).toFixed(0)} s summed over ${process.env.CLAWOPS_TEST_CONCURRENCY ?? '?'} workers):\n`;
  for (const [file, ms] of rows) yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}\n`;
}
