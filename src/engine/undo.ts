/**
 * `clawops undo`: restore what the last apply (that was not undone yet) changed, newest change
 * first: files byte for byte with their owner and mode, paths that did not exist removed,
 * directories back to their owner and mode, and non-file steps reversed with their recorded argv.
 */
import { safeMkdir, safeRemove, safeSymlink } from '../core/safe-fs.ts';
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import { sha256 } from './hash.ts';
import { journalRoot, listApplies, markUndone, readEntries, type ApplyRecord, type JournalEntry, blobPath } from './journal.ts';
import { withLock } from '../core/lock.ts';

export interface UndoResult {
  journalId: string;
  restored: string[];
  removed: string[];
  steps: string[];
  /** what could not be undone, with why */
  left: string[];
}

/** Undo the newest apply not undone yet, under the host lock. */
export async function undoLast(ex: Executor, stateDir: string, say: (line: string) => void = () => {}): Promise<UndoResult> {
  return withLock(ex, stateDir, 'clawops undo', () => undoNewest(ex, stateDir, say), { note: say });
}

/** The undo itself; the caller holds the host lock. */
export async function undoNewest(ex: Executor, stateDir: string, say: (line: string) => void = () => {}): Promise<UndoResult> {
  const record = (await listApplies(ex, stateDir)).find((a) => a.status !== 'undone');
  if (!record) {
    throw new ClawopsError(`nothing to undo on ${ex.target}: no apply journal in ${journalRoot(stateDir)}`, {
      hint: 'undo restores what `clawops apply` changed; nothing was applied (or everything was undone already)',
    });
  }
  say(`undoing apply ${record.id} (${record.status}, started ${record.startedAt})`);
  const entries = (await readEntries(ex, stateDir, record.id)).reverse();
  const result: UndoResult = { journalId: record.id, restored: [], removed: [], steps: [], left: [] };
  for (const e of entries) await undoEntry(ex, stateDir, record, e, result, say);
  if (result.left.length > 0) {
    throw new ClawopsError(`undo of ${record.id} left ${result.left.length} thing(s) as they are: ${result.left.join('; ')}`, {
      hint: 'restore those by hand; everything else was restored',
    });
  }
  await markUndone(ex, stateDir, record);
  return result;
}

async function undoEntry(ex: Executor, stateDir: string, record: ApplyRecord, e: JournalEntry, out: UndoResult, say: (l: string) => void): Promise<void> {
  if (e.kind === 'step') {
    if (!e.undoArgv) {
      say(`  kept: ${e.description} (not reversible)`);
      return;
    }
    const r = await ex.run(e.undoArgv, { allowFailure: true, timeoutMs: 300_000 });
    if (r.exitCode === 0) {
      say(`  undone: ${e.description}`);
      out.steps.push(e.description);
    } else out.left.push(`${e.description}: \`${e.undoArgv.join(' ')}\` exited ${r.exitCode}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    return;
  }
  const { path, before } = e;
  const now = await ex.stat(path);
  switch (before.type) {
    case 'absent': {
      if (!now) return;
      try {
        await safeRemove(ex, path);
        say(`  removed ${path}`);
        out.removed.push(path);
      } catch (err) {
        out.left.push(`${path} did not exist before but cannot be removed (${err instanceof Error ? err.message : String(err)})`);
      }
      return;
    }
    case 'file': {
      const blob = await ex.readFile(`${journalRoot(stateDir)}/${record.id}/${blobPath(before)}`);
      if (!blob || sha256(blob) !== before.sha256) {
        out.left.push(`${path}: its before-image in the journal is missing or damaged`);
        return;
      }
      await ex.writeFile(path, blob, { mode: before.mode, owner: before.owner, group: before.group });
      say(`  restored ${path}`);
      out.restored.push(path);
      return;
    }
    case 'directory': {
      await safeMkdir(ex, path, { mode: before.mode, owner: before.owner, group: before.group });
      out.restored.push(path);
      return;
    }
    case 'symlink': {
      await safeSymlink(ex, path, before.target);
      out.restored.push(path);
      return;
    }
  }
}
