/**
 * Writing a record under clawops' state dir (backup last.json, drill.json, standby.json,
 * known-good.json): JSON, atomic, root 0600 in a root 0700 directory, and never a secret. Fields
 * on the record's allow-list are kept (after redaction by value); every other string is redacted
 * by value and by shape (core/redact); repository URLs are stored without userinfo (safeUrl, by
 * the caller).
 */
import type { Executor } from '../exec/types.ts';
import { redactStructured } from './redact.ts';

/** The record as it is stored (pure: what writeRecordFile writes). */
export function recordText(record: object, safe: readonly string[]): string {
  return `${JSON.stringify(redactStructured(record, safe), null, 2)}\n`;
}

export async function writeRecordFile(
  ex: Executor, path: string, record: object, safe: readonly string[],
): Promise<void> {
  await ex.run(['install', '-d', '-m', '0700', '-o', 'root', '-g', 'root', '--', path.slice(0, path.lastIndexOf('/'))]);
  await ex.writeFile(path, recordText(record, safe), { mode: 0o600, owner: 'root', group: 'root' });
}
