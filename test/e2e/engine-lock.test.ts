/**
 * The journal and undo (under the host lock) on a real filesystem: a temp dir on this machine, local
 * executor. The lock itself: test/unit/core/lock.test.ts and, on the testbed, host-lock.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TargetJournal } from '../../src/engine/journal.ts';
import { undoLast } from '../../src/engine/undo.ts';
import { localExecutor } from '../../src/exec/local.ts';

const dir = mkdtempSync(join(tmpdir(), 'clawops-engine-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ex = localExecutor();

test('journal + undo: files restored byte for byte with owner and mode, new paths removed, steps reversed', async () => {
  const state = join(dir, 'c');
  const f = join(dir, 'conf');
  const bytes = Buffer.from([0x23, 0x20, 0xff, 0x00, 0x0a]);
  writeFileSync(f, bytes, { mode: 0o640 });
  const fresh = join(dir, 'new-dir');
  const marker = join(dir, 'marker');
  const j = await TargetJournal.begin(ex, state, { add: 2, change: 1, remove: 0 });
  await j.saveFile(ex, f);
  await j.saveFile(ex, f); // once per apply
  await ex.writeFile(f, 'replaced\n', { mode: 0o644 });
  await j.saveFile(ex, fresh);
  await ex.run(['install', '-d', fresh]);
  await j.saveStep('make a marker', ['rm', '-f', marker]);
  writeFileSync(marker, 'x');
  await j.finish('complete');
  const r = await undoLast(ex, state);
  assert.deepEqual([r.restored, r.removed, r.steps], [[f], [fresh], ['make a marker']]);
  assert.deepEqual(readFileSync(f), bytes);
  assert.equal(statSync(f).mode & 0o777, 0o640);
  assert.equal(existsSync(fresh), false);
  assert.equal(existsSync(marker), false);
  await assert.rejects(undoLast(ex, state), /nothing to undo/);
});
