/** An openclaw.json that no longer parses: the fact says so (without its content), the repair step plans from the ring. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Spec } from '../../../src/desired/schema.ts';
import { resolveSpec } from '../../../src/desired/resolve.ts';
import type { Executor } from '../../../src/exec/types.ts';
import { openclawConfig } from '../../../src/facts/openclaw.ts';
import { isUnknown, ref, type Raw } from '../../../src/facts/types.ts';
import { backupRing, planConfigRepair } from '../../../src/openclaw/config-repair.ts';
import { openclawConfigResource } from '../../../src/openclaw/config-resource.ts';
import { configPath } from '../../../src/openclaw/paths.ts';
import { ClawopsError } from '../../../src/core/errors.ts';
import { factsFromRaw } from '../../helpers/facts.ts';

const SECRET = 'q'.repeat(64);
const BROKEN = `{ gateway: { mode: "local", auth: { token: "${SECRET}" }, `;
const GOOD = JSON.stringify({ gateway: { mode: 'local', bind: 'loopback' } });
const probe = (text: string | null) =>
  openclawConfig.probe!({ readFile: async () => (text === null ? null : Buffer.from(text)) } as unknown as Executor, 'p') as Promise<Raw>;

const spec = resolveSpec(Spec.parse({ openclaw: { version: '2026.9.6' } }));
const inst = spec.resolved[0]!;
const path = configPath(inst);
const ring = backupRing(path);

async function facts(main: string | null, baks: (string | null)[]) {
  return factsFromRaw([
    [ref(openclawConfig, path), await probe(main)],
    ...(await Promise.all(ring.map(async (p, i) => [ref(openclawConfig, p), await probe(baks[i] ?? null)] as const))),
  ]);
}

describe('openclaw.json that does not parse', () => {
  it('is a reading: unparsable with the parser position, never the text', async () => {
    const raw = await probe(BROKEN);
    assert.ok(!JSON.stringify(raw).includes(SECRET.slice(0, 8)), 'no content in the raw');
    const v = openclawConfig.parse(raw, path);
    assert.ok(!isUnknown(v) && !v.missing && 'unparsable' in v);
    assert.match(v.unparsable, /JSON5: invalid end of input at 1:\d+/);
    const top = openclawConfig.parse(await probe('[1, 2]'), path);
    assert.ok(!isUnknown(top) && 'unparsable' in top && /not a JSON object/.test(top.unparsable));
  });
  it('the ring is OpenClaw\'s: .bak, .bak.1 .. .bak.4', () => {
    assert.deepEqual(ring.map((p) => p.slice(path.length)), ['.bak', '.bak.1', '.bak.2', '.bak.3', '.bak.4']);
  });
  it('parses or is missing: nothing to repair', async () => {
    assert.ok('noop' in planConfigRepair(inst, await facts(GOOD, [])));
    assert.ok('noop' in planConfigRepair(inst, await facts(null, [])));
  });
  it('does not parse: the newest ring copy that parses is put back', async () => {
    const out = planConfigRepair(inst, await facts(BROKEN, [BROKEN, null, GOOD, GOOD]));
    assert.ok('changes' in out);
    assert.equal(out.changes[0]!.data && (out.changes[0]!.data as { from: string }).from, `${path}.bak.2`);
    assert.match(out.changes[0]!.summary, /put back bak\.2/);
  });
  it('no ring copy parses: the plan stops and names the manual fix', async () => {
    const f = await facts(BROKEN, [BROKEN]);
    assert.throws(() => planConfigRepair(inst, f), (e: unknown) => e instanceof ClawopsError && /no copy in OpenClaw's .bak ring/.test(e.message) && /mv .*openclaw\.json .*\.broken/.test(e.hint ?? ''));
  });
  it('the config step cannot plan on it (it waits for the repair)', async () => {
    const r = openclawConfigResource(spec, inst);
    await assert.rejects(async () => r.plan(await facts(BROKEN, [])), /does not parse .*openclaw\.config\.present/);
  });
});
