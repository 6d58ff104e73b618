/**
 * The evidence archive: one directory `<name>/` holding every item, a `manifest.json` (what each
 * item is, where it came from, its size and sha256, why one is incomplete) and a `SHA256SUMS` in
 * the format `sha256sum -c` checks, so a responder verifies it with standard tools:
 *
 *   tar xzf evidence.tar.gz && cd <name> && sha256sum -c SHA256SUMS
 *
 * Pure: items in, gzipped tar out. The caller writes it 0600 and never over an existing file.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tarArchive, type TarEntry } from '../core/tar.ts';
import type { EvidenceItem } from './evidence.ts';

export const EVIDENCE_SCHEMA_VERSION = 1;

export interface ManifestItem {
  path: string;
  source: string;
  bytes: number;
  sha256: string;
  error?: string;
}

export interface EvidenceManifest {
  schemaVersion: typeof EVIDENCE_SCHEMA_VERSION;
  target: string;
  collectedAt: string;
  since: string;
  contained: boolean;
  items: ManifestItem[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function evidenceArchive(name: string, meta: Omit<EvidenceManifest, 'schemaVersion' | 'items'>, items: readonly EvidenceItem[]): { gz: Buffer; manifest: EvidenceManifest } {
  const manifest: EvidenceManifest = {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    ...meta,
    items: items.map((i) => ({ path: i.path, source: i.source, bytes: i.content.length, sha256: sha256(i.content), ...(i.error ? { error: i.error } : {}) })),
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const sums = [...manifest.items.map((i) => `${i.sha256}  ${i.path}`), `${sha256(manifestBytes)}  manifest.json`].join('\n');
  const dirs = new Set<string>([name]);
  for (const i of items) {
    const parts = i.path.split('/');
    for (let k = 1; k < parts.length; k++) dirs.add(`${name}/${parts.slice(0, k).join('/')}`);
  }
  const entries: TarEntry[] = [
    ...[...dirs].sort().map((d): TarEntry => ({ path: d, type: 'dir', mode: 0o700 })),
    ...items.map((i): TarEntry => ({ path: `${name}/${i.path}`, type: 'file', mode: 0o600, content: i.content })),
    { path: `${name}/manifest.json`, type: 'file', mode: 0o600, content: manifestBytes },
    { path: `${name}/SHA256SUMS`, type: 'file', mode: 0o600, content: Buffer.from(`${sums}\n`) },
  ];
  return { gz: gzipSync(tarArchive(entries)), manifest };
}
