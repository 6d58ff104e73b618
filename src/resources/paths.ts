import { safeMkdir } from '../core/safe-fs.ts';
import type { Executor } from '../exec/types.ts';
import type { Journal } from '../engine/types.ts';

/** Create the missing ancestors of `path` (0755 root), journaling each as absent so undo removes it. */
export async function ensureParents(ex: Executor, path: string, journal: Journal): Promise<void> {
  const missing: string[] = [];
  for (let dir = parentOf(path); dir !== '/' && dir !== ''; dir = parentOf(dir)) {
    if (await ex.stat(dir)) break;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    await journal.saveFile(ex, dir);
    await safeMkdir(ex, dir, { mode: 0o755, owner: 'root', group: 'root' });
  }
}

export function parentOf(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export const octal = (mode: number) => mode.toString(8).padStart(4, '0');
