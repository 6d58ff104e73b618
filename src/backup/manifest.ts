/**
 * The manifest: sha256 and size of every staged file, written as `manifest.json` at the root of
 * each snapshot, and its own sha256 carried in the snapshot's tags (`manifest=<hex16>`), so a
 * restore can prove both the files and the manifest are what the backup staged.
 */
import { createHash } from 'node:crypto';

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_TAG_PREFIX = 'manifest=';

export interface ManifestEntry {
  sha256: string;
  size: number;
}

export interface Manifest {
  schemaVersion: 1;
  createdAt: string;
  host: string;
  instance: string;
  openclawVersion: string;
  clawopsVersion: string;
  /** snapshot-relative paths of SQLite databases captured with SQLite's online backup */
  sqlite: string[];
  /** snapshot-relative path -> hash and size; every file of the snapshot but the manifest itself */
  files: Record<string, ManifestEntry>;
}

/** `find . -type f -printf '%s %P\0'` output: relative path -> size. */
export function parseSizes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const rec of text.split('\0')) {
    if (!rec) continue;
    const sp = rec.indexOf(' ');
    if (sp < 0) continue;
    out.set(rec.slice(sp + 1), Number(rec.slice(0, sp)));
  }
  return out;
}

/** `sha256sum --zero ./a ./b` output ("HEX  ./path\0" records): relative path -> hex. */
export function parseSha256sums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rec of text.split('\0')) {
    const m = /^([0-9a-f]{64}) [ *](.*)$/s.exec(rec);
    if (!m || m[1] === undefined || m[2] === undefined) continue;
    out.set(m[2].replace(/^\.\//, ''), m[1]);
  }
  return out;
}

export function manifestFiles(sizes: Map<string, number>, sums: Map<string, string>): Record<string, ManifestEntry> {
  const files: Record<string, ManifestEntry> = {};
  for (const path of [...sums.keys()].sort()) {
    if (path === MANIFEST_NAME) continue;
    files[path] = { sha256: sums.get(path) ?? '', size: sizes.get(path) ?? 0 };
  }
  return files;
}

export function serializeManifest(m: Manifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

export function manifestDigest(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function parseManifest(text: string): Manifest {
  const o = JSON.parse(text) as Partial<Manifest>;
  if (o.schemaVersion !== 1 || typeof o.files !== 'object' || o.files === null) {
    throw new Error('not a clawops backup manifest (schemaVersion 1)');
  }
  return { sqlite: [], ...o } as Manifest;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** files whose sha256 or size differs from the manifest */
  mismatched: string[];
  /** files the manifest lists that are not there */
  missing: string[];
  /** files there that the manifest does not list */
  extra: string[];
  /** the manifest's own digest differs from the snapshot's tag */
  manifestTampered?: boolean;
}

/** Compare the hashes of a restored tree with its manifest (pure). */
export function verifyAgainst(manifest: Manifest, sizes: Map<string, number>, sums: Map<string, string>): VerifyResult {
  const mismatched: string[] = [];
  const missing: string[] = [];
  for (const [path, want] of Object.entries(manifest.files)) {
    const got = sums.get(path);
    if (got === undefined) missing.push(path);
    else if (got !== want.sha256 || (sizes.has(path) && sizes.get(path) !== want.size)) mismatched.push(path);
  }
  const extra = [...sums.keys()].filter((p) => p !== MANIFEST_NAME && !(p in manifest.files)).sort();
  return {
    ok: mismatched.length === 0 && missing.length === 0 && extra.length === 0,
    checked: Object.keys(manifest.files).length,
    mismatched: mismatched.sort(),
    missing: missing.sort(),
    extra,
  };
}

/** One line naming what failed verification. */
export function describeVerifyFailure(v: VerifyResult): string {
  const parts: string[] = [];
  if (v.manifestTampered) parts.push('the manifest does not match the digest in the snapshot tags');
  const list = (xs: string[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ` and ${xs.length - 5} more` : ''}`;
  if (v.mismatched.length) parts.push(`hash differs: ${list(v.mismatched)}`);
  if (v.missing.length) parts.push(`missing: ${list(v.missing)}`);
  if (v.extra.length) parts.push(`not in the manifest: ${list(v.extra)}`);
  return parts.join('; ');
}
