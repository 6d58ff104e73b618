/** The skills/plugins/hooks inventory: parsed as the probe prints it, compared with the root-owned record, recorded once. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Spec } from '../../../src/desired/schema.ts';
import { resolveSpec } from '../../../src/desired/resolve.ts';
import { extensionInventory, inventoryDrift, inventoryDirs, parseInventory, renderInventory, UNREADABLE } from '../../../src/facts/inventory.ts';
import { fileStat } from '../../../src/facts/system.ts';
import { isUnknown, ref } from '../../../src/facts/types.ts';
import { inventoryRef, planInventory } from '../../../src/openclaw/inventory.ts';
import { inventoryBaselinePath } from '../../../src/openclaw/paths.ts';
import { cmdRaw, factsFromRaw } from '../../helpers/facts.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const spec = resolveSpec(Spec.parse({}));
const inst = spec.resolved[0]!;
const W = `${inst.stateDir}/workspace`;
const listing = `workspace-skills\tnotes\t${W}/skills/notes\t${A}\nplugins\tvoice\t${inst.stateDir}/extensions/voice\t${B}\nhooks\tlocked\t${inst.stateDir}/hooks/locked\t\n`;

describe('skills, plugins and hooks inventory', () => {
  it('looks where OpenClaw loads them from', () => {
    const dirs = inventoryDirs(inst.home, inst.stateDir, W).map((d) => d.split(':')[1]);
    for (const d of [`${W}/skills`, `${W}/.agents/skills`, `${inst.home}/.agents/skills`, `${inst.stateDir}/skills`, `${inst.stateDir}/extensions`, `${inst.stateDir}/hooks`]) assert.ok(dirs.includes(d), d);
  });
  it('parses the probe; an entry the service user cannot read is listed as unreadable, never left out', () => {
    const v = extensionInventory.parse(cmdRaw(listing), 'x');
    assert.ok(!isUnknown(v));
    assert.deepEqual(v.entries.map((e) => `${e.where}/${e.name}=${e.sha256.slice(0, 4)}`), ['workspace-skills/notes=aaaa', 'plugins/voice=bbbb', `hooks/locked=${UNREADABLE.slice(0, 4)}`]);
    const odd = extensionInventory.parse({ t: 'cmd', exitCode: 0, stdout: '', stderr: `odd-name:skills:${inst.stateDir}/skills\n`, timedOut: false, durationMs: 1 }, 'x');
    assert.ok(!isUnknown(odd) && odd.entries.length === 1 && odd.entries[0]!.sha256 === UNREADABLE);
    assert.ok(isUnknown(extensionInventory.parse(cmdRaw('', 1), 'x')), 'a failed probe is unknown, not an empty inventory');
  });
  it('drift: new, changed and removed entries against the record', () => {
    const v = extensionInventory.parse(cmdRaw(listing), 'x');
    assert.ok(!isUnknown(v));
    const base = parseInventory(renderInventory(v.entries));
    assert.deepEqual(inventoryDrift(v.entries, base), { added: [], changed: [], removed: [] });
    const later = [...v.entries.slice(1), { where: 'workspace-skills', name: 'crypto-helper', path: `${W}/skills/crypto-helper`, sha256: A }];
    later[0] = { ...later[0]!, sha256: A };
    const d = inventoryDrift(later, base);
    assert.deepEqual([d.added.map((e) => e.name), d.changed.map((e) => e.name), d.removed], [['crypto-helper'], ['voice'], ['workspace-skills/notes']]);
  });
  it('apply records it only when there is none (and locks it); a new skill is never recorded over a record', () => {
    const path = inventoryBaselinePath(spec, inst);
    const facts = (st: string) => factsFromRaw([[inventoryRef(inst), cmdRaw(listing)], [ref(fileStat, path), cmdRaw(st)]]);
    const add = planInventory(spec, inst, facts('MISSING\n'));
    assert.ok('changes' in add && add.changes[0]!.action === 'add');
    assert.equal((add.changes[0]!.data as { baseline: string }).baseline.split('\n').filter(Boolean).length, 3);
    const lock = planInventory(spec, inst, facts('regular file|644|0|0|root|root|10|1\n'));
    assert.ok('changes' in lock && /root 0600/.test(lock.changes[0]!.summary));
    assert.ok('noop' in planInventory(spec, inst, facts('regular file|600|0|0|root|root|10|1\n')));
  });
});
