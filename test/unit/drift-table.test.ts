/** The testbed's drift table, checked without a testbed: every breakage names how it is fixed (a plan line, or a manual step the remediation names). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROUNDS, roundsFor } from '../e2e/drift-table.ts';

test('every breakage names the plan line that fixes it, or its manual step; both versions run at least 30', () => {
  const all = ROUNDS.flat();
  assert.deepEqual(all.filter((b) => !b.plans === !b.manual).map((b) => b.name), [], 'exactly one of plans/manual per breakage');
  for (const v of ['2026.2.9', '2026.9.6'] as const) {
    const names = roundsFor(v).flat().map((b) => b.name);
    assert.equal(new Set(names).size, names.length, `${v}: each breakage once`);
    assert.ok(names.length >= 30, `${v}: ${names.length} breakages`);
  }
});
