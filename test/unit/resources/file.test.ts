import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '../../../src/engine/hash.ts';
import { planFile, type FileChangeData, type FileState } from '../../../src/resources/file.ts';

const want: FileChangeData = { path: '/etc/x.conf', content: 'a\nb\n', mode: 0o644, owner: 'root', group: 'root' };
const present = (content: string, meta: Partial<{ mode: number; owner: string; group: string }> = {}): FileState => ({
  exists: true, type: 'file', mode: 0o644, owner: 'root', group: 'root', sha256: sha256(content), text: content, ...meta,
});

const cases: { name: string; cur: FileState; action: 'add' | 'change' | null; summary?: RegExp; diff?: RegExp }[] = [
  { name: 'absent -> add with the whole file as diff', cur: { exists: false }, action: 'add', summary: /create \/etc\/x.conf \(0644 root:root\)/, diff: /^--- \/dev\/null\n\+\+\+ \/etc\/x.conf\n@@ -0,0 \+1,2 @@\n\+a\n\+b$/ },
  { name: 'same bytes and meta -> no-op', cur: present('a\nb\n'), action: null },
  { name: 'content differs -> change with a unified diff', cur: present('a\nc\n'), action: 'change', summary: /content/, diff: /-c\n\+b/ },
  { name: 'mode differs -> change without diff', cur: present('a\nb\n', { mode: 0o600 }), action: 'change', summary: /0600 root:root -> 0644 root:root/ },
  { name: 'owner differs -> change', cur: present('a\nb\n', { owner: 'bob' }), action: 'change', summary: /bob/ },
];

for (const c of cases) {
  test(`file: ${c.name}`, () => {
    const out = planFile('file:/etc/x.conf', 'file', want, c.cur);
    if (c.action === null) {
      assert.ok('noop' in out);
      return;
    }
    assert.ok('changes' in out);
    const [ch] = out.changes;
    assert.equal(ch?.action, c.action);
    if (c.summary) assert.match(ch?.summary ?? '', c.summary);
    if (c.diff) assert.match(ch?.diff ?? '', c.diff);
    assert.deepEqual(ch?.data, want);
  });
}

test('file: a directory where the file should be is an error, not a plan', () => {
  assert.throws(() => planFile('f', 'file', want, { exists: true, type: 'directory', mode: 0o755, owner: 'root', group: 'root', sha256: '', text: null }), /is a directory/);
});

test('file: bytes travel base64 and compare by their hash', () => {
  const bytes = Buffer.from([0, 1, 2, 255]);
  const w: FileChangeData = { path: '/k.gpg', content: bytes.toString('base64'), encoding: 'base64', mode: 0o644, owner: 'root', group: 'root' };
  const same = planFile('f', 'file', w, { exists: true, type: 'file', mode: 0o644, owner: 'root', group: 'root', sha256: sha256(bytes), text: null });
  assert.ok('noop' in same);
  const add = planFile('f', 'file', w, { exists: false });
  assert.ok('changes' in add && add.changes[0]?.diff === '(binary, 4 bytes)');
});
