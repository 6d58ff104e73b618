/**
 * Reading the spec file. A spec that validated before, unchanged and under the same clawops, comes
 * from the cache (./cache.ts) without loading the parser; anything else is read (at most
 * MAX_SPEC_BYTES, whatever the file claims: a FIFO or /dev/zero too), decoded as strict UTF-8 (a
 * broken byte would otherwise become U+FFFD, and `tools.deny: [gatew\xffy]` would deny nothing), then
 * parsed and validated. Warnings (an empty file) are written to `out` and are never cached, so every
 * run shows them.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ClawopsError } from '../core/errors.ts';
import { cachedSpec, specKey, storeSpec } from './cache.ts';
import { SpecError, type SpecProblem, type SpecResult } from './errors.ts';
import { MAX_SPEC_BYTES, bytes } from './limits.ts';
import type { ResolvedSpec } from './resolve.ts';

const EMBEDDED = '(embedded defaults)';

/** where warnings go (the CLI's Runtime has this shape); stderr by default */
export interface WarningSink {
  err(text: string): void;
}
const STDERR: WarningSink = { err: (t) => void process.stderr.write(t) };

/** Load a spec file, or the embedded defaults when `file` is undefined. Throws a ClawopsError listing every problem. */
export async function loadSpec(file: string | undefined, out: WarningSink = STDERR): Promise<ResolvedSpec> {
  const result = await readSpec(file);
  if (!result.ok) throw new SpecError(result.source, result.problems);
  for (const w of result.warnings ?? []) out.err(`clawops: warning: ${w}\n`);
  return result.spec;
}

export async function readSpec(file: string | undefined): Promise<SpecResult> {
  const source = file ?? EMBEDDED;
  const cacheName = file === undefined ? EMBEDDED : resolve(file);
  // stamp before reading: a write that lands in between makes the stored key stale, never the spec
  const key = specKey(file);
  const hit = cachedSpec(cacheName, key);
  if (hit) return { ok: true, spec: hit, source };
  const text = file === undefined ? '{}' : decodeSpec(await readBounded(file));
  if (typeof text !== 'string') return { ok: false, source, problems: [text] };
  const { parseSpec } = await import('./parse.ts');
  const result = parseSpec(text, source);
  if (result.ok && !result.warnings) storeSpec(cacheName, key, result.spec);
  return result;
}

/** The file's bytes, or a problem when there are more than MAX_SPEC_BYTES. */
async function readBounded(file: string): Promise<Buffer | SpecProblem> {
  let fh;
  try {
    fh = await open(file, 'r');
    const { size } = await fh.stat();
    if (size > MAX_SPEC_BYTES) return tooBig(size);
    const buf = Buffer.alloc((size > 0 ? size : MAX_SPEC_BYTES) + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_SPEC_BYTES) return tooBig(MAX_SPEC_BYTES, true);
      if (n === buf.length) break; // grew while we read: the size we were told is what we take
    }
    return buf.subarray(0, n);
  } catch (cause) {
    throw new ClawopsError(`cannot read spec ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, {
      cause,
      hint: 'check the path given to --spec/-f, or run `clawops spec init > clawops.yaml`',
    });
  } finally {
    await fh?.close();
  }
}

function tooBig(size: number, atLeast = false): SpecProblem {
  return {
    path: '(root)',
    message: `the file is ${atLeast ? 'more than ' : ''}${bytes(size)}; ` +
      `a spec may be at most ${bytes(MAX_SPEC_BYTES)} (one is a few KB)`,
  };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 text, or a problem naming the line and column of the first byte that is not UTF-8. */
export function decodeSpec(bytes: Buffer | SpecProblem): string | SpecProblem {
  if (!(bytes instanceof Uint8Array)) return bytes;
  try {
    return UTF8.decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const before = bytes.subarray(0, at);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const col = at - (before.lastIndexOf(0x0a) + 1) + 1;
    return {
      path: '(root)', line,
      message: `byte ${at + 1} (line ${line}, byte ${col} of the line) is not UTF-8 ` +
        `(0x${(bytes[at] ?? 0).toString(16)}); save the file as UTF-8`,
    };
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
export function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    let n: number, lo = 0x80, hi = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) [n, lo, hi] = [2, c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf];
    else if (c >= 0xf0 && c <= 0xf4) [n, lo, hi] = [3, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf];
    else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length;
}
