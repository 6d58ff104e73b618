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

describe('putting back a copy: the gateway is stopped first, the settle starts it again', () => {
  it('stops the unit before any write, starts it when the settle runs, and says both in the journal', async () => {
    const { RecorderExecutor } = await import('../../helpers/exec/recorder.ts');
    const { memoryJournal } = await import('../../helpers/netns.ts');
    const { openclawResources } = await import('../../../src/openclaw/index.ts');
    let active = 'active';
    const ex = new RecorderExecutor()
      .on(['cat', '--', `${path}.bak`], { stdout: GOOD })
      .on(['sh', '-c'], {})
      .script((argv) => {
        if (argv[0] !== 'systemctl') return undefined;
        if (argv[1] === 'stop') active = 'inactive';
        if (argv[1] === 'start') active = 'failed'; // it fails at once: the settle reports it, quickly
        if (argv[1] === 'show') return { stdout: `ActiveState=${active}\nSubState=dead\nMainPID=0\nExecMainStatus=78\nResult=exit-code\n` };
        return {};
      })
      .on(['journalctl'], { stdout: '' });
    const resources = openclawResources(spec);
    const repair = resources.find((r) => r.id.startsWith('openclaw-config-repair:'))!;
    const journal = memoryJournal();
    const change = { resourceId: repair.id, kind: repair.kind, action: 'change' as const, summary: '', data: { path, from: `${path}.bak` } };
    await repair.apply(ex, change, journal as never);
    const order = ex.calls.map((c) => (c.kind === 'write' ? `write ${c.path}` : (c.argv ?? []).slice(0, 2).join(' ')));
    assert.ok(order.indexOf('systemctl stop') >= 0 && order.indexOf('systemctl stop') < order.indexOf(`write ${path}`), order.join('\n'));
    assert.equal(active, 'inactive');
    assert.equal(repair.settleKey, `gateway:${inst.name}`);
    // the settle: the unit is down because of this apply, so it is started (and here fails at once: reported)
    await assert.rejects(repair.settle!(ex, journal as never), /did not settle/);
    const after = ex.commands().map((a) => a.slice(0, 2).join(' '));
    assert.ok(after.lastIndexOf('systemctl start') > after.indexOf('systemctl reset-failed'), after.join('\n'));
    const steps = journal.steps.map((x) => x.description).join('\n');
    assert.match(steps, /systemctl stop openclaw\.service \(its openclaw\.json does not parse/);
    assert.match(steps, /systemctl start openclaw\.service \(stopped by this apply\)/);
  });
});
