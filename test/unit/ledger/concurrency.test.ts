/**
 * Two health timers and an apply writing one ledger at once, each write in its own process that
 * opens and closes the ledger the way `clawops check --alert` and `clawops apply` do: 1,000 runs,
 * no row lost, no "database is locked".
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { openLedger } from '../../../src/ledger/db.ts';
import { scratchLedger } from './fixtures.ts';

const WRITER = `
import { withLedger } from ${JSON.stringify(new URL('../../../src/ledger/db.ts', import.meta.url).pathname)};
import { recordEvent, recordRun } from ${JSON.stringify(new URL('../../../src/ledger/record.ts', import.meta.url).pathname)};
import { QUIET } from ${JSON.stringify(new URL('./fixtures.ts', import.meta.url).pathname)};
const [path, role, n] = process.argv.slice(1);
for (let i = 0; i < Number(n); i++) {
  const at = new Date(Date.UTC(2026, 10, 1) + i * 60_000);
  withLedger(path, at, (l) => role === 'apply'
    ? recordEvent(l, { at, kind: 'apply', ok: true, summary: 'apply ' + i })
    : recordRun(l, { at, profile: role, gate: 'pass', results: QUIET, durationMs: 30 }));
}
`;

function writer(path: string, role: string, n: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--input-type=module', '-e', WRITER, path, role, String(n)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ code, stderr }));
  });
}

it('two health timers and an apply, 1,000 runs at once: every row is there, nobody saw "database is locked"', { timeout: 120_000 }, async () => {
  const s = scratchLedger();
  s.l.close();
  try {
    const results = await Promise.all([writer(s.path, 'health', 400), writer(s.path, 'security', 400), writer(s.path, 'apply', 200)]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    assert.ok(results.every((r) => !/locked|busy/i.test(r.stderr)));
    const l = openLedger(s.path);
    try {
      const n = (sql: string) => (l.db.prepare(sql).get() as { n: number }).n;
      assert.equal(n("SELECT count(*) AS n FROM runs WHERE profile = 'health'"), 400);
      assert.equal(n("SELECT count(*) AS n FROM runs WHERE profile = 'security'"), 400);
      assert.equal(n("SELECT count(*) AS n FROM events WHERE kind = 'apply'"), 200);
      assert.equal(n("SELECT sum(runs) AS n FROM daily"), 800);
    } finally {
      l.close();
    }
  } finally {
    s.done();
  }
});
