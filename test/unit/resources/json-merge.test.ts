import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlanProblemError } from '../../../src/engine/errors.ts';
import { deepMerge, jsonMergeResource, mergedText } from '../../../src/resources/json-merge.ts';
import { sha256 } from '../../../src/engine/hash.ts';
import { fileState } from '../../../src/facts/system.ts';
import { ref } from '../../../src/facts/types.ts';
import { factsOf } from '../../helpers/facts.ts';

const merge = { 'log-driver': 'json-file', 'log-opts': { 'max-size': '10m' } };

test('json-merge: deep merge keeps keys the spec does not name', () => {
  assert.deepEqual(deepMerge({ a: 1, 'log-opts': { 'max-file': '5' } }, merge), { a: 1, 'log-driver': 'json-file', 'log-opts': { 'max-file': '5', 'max-size': '10m' } });
  assert.deepEqual(deepMerge({ dns: ['1.1.1.1'] }, { dns: ['9.9.9.9'] }), { dns: ['9.9.9.9'] });
});

const cases: { name: string; current: string | undefined; expect: RegExp | 'same' }[] = [
  { name: 'absent -> just the spec keys', current: undefined, expect: /^\{\n {2}"log-driver": "json-file",\n {2}"log-opts": \{\n {4}"max-size": "10m"\n {2}\}\n\}\n$/ },
  { name: 'existing registry-mirrors kept', current: '{"registry-mirrors":["https://m.example"]}', expect: /"registry-mirrors": \[\n\s+"https:\/\/m.example"\n\s+\],\n\s+"log-driver"/ },
  { name: 'already merged (other formatting, other order) -> same bytes, no rewrite', current: '{"log-opts":{"max-size":"10m"},"log-driver":"json-file"}', expect: 'same' },
  { name: 'empty file -> treated as {}', current: '', expect: /"log-driver"/ },
];
for (const c of cases) {
  test(`json-merge: ${c.name}`, () => {
    const out = mergedText(c.current, merge, '/etc/docker/daemon.json', 'docker.daemon');
    if (c.expect === 'same') assert.equal(out, c.current);
    else assert.match(out, c.expect);
  });
}

test('json-merge: invalid JSON on the target fails at plan time naming the spec path', () => {
  assert.throws(() => mergedText('{nope', merge, '/etc/docker/daemon.json', 'docker.daemon'), (e: unknown) => e instanceof PlanProblemError && e.path === 'docker.daemon' && /not valid JSON/.test(e.message));
});

test('json-merge: plan keeps the existing owner and mode; no-op when merged', async () => {
  const r = jsonMergeResource({ path: '/etc/docker/daemon.json', merge, specPath: 'docker.daemon' });
  const text = '{"data-root":"/srv/docker"}';
  const at = (v: unknown) => factsOf([[ref(fileState, '/etc/docker/daemon.json'), v]]);
  const out = await r.plan(at({ exists: true, type: 'file', mode: 0o600, owner: 'root', group: 'docker', sha256: sha256(text), text }));
  assert.ok('changes' in out);
  const d = out.changes[0]?.data as { mode: number; group: string; content: string };
  assert.equal(d.mode, 0o600);
  assert.equal(d.group, 'docker');
  assert.match(d.content, /"data-root": "\/srv\/docker"/);
  const merged = d.content;
  assert.ok('noop' in (await r.plan(at({ exists: true, type: 'file', mode: 0o600, owner: 'root', group: 'docker', sha256: sha256(merged), text: merged }))));
});
