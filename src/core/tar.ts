/**
 * A minimal, deterministic POSIX ustar writer: clawops shipped to a target (GNU tar unpacks it
 * there), and the emergency evidence archive. Entries are written in the order given, owned by root (uid/gid 0), with a fixed mtime, so
 * the same files always give the same bytes. Paths up to 255 bytes (ustar name + prefix).
 */
import { ClawopsError } from '../core/errors.ts';

export interface TarEntry {
  /** relative POSIX path, no leading `/`, no `..` */
  path: string;
  type: 'file' | 'dir';
  mode: number;
  content?: Buffer;
}

const BLOCK = 512;
/** 2020-01-01T00:00:00Z: a fixed time (unpack with `tar -m` to stamp files with the unpack time) */
const MTIME = 1_577_836_800;

export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.type === 'file' ? (e.content ?? Buffer.alloc(0)) : Buffer.alloc(0);
    parts.push(header(e, body.length));
    if (body.length > 0) {
      parts.push(body);
      const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2)); // end of archive
  return Buffer.concat(parts);
}

function header(e: TarEntry, size: number): Buffer {
  if (e.path === '' || e.path.startsWith('/') || e.path.split('/').includes('..')) {
    throw new ClawopsError(`refusing to archive the path "${e.path}"`, { hint: 'this is a bug in clawops: archive paths are made by clawops' });
  }
  const full = e.type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  const [prefix, name] = splitPath(full);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octalField(h, 100, 8, e.mode & 0o7777);
  octalField(h, 108, 8, 0);
  octalField(h, 116, 8, 0);
  octalField(h, 124, 12, size);
  octalField(h, 136, 12, MTIME);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h.write(e.type === 'dir' ? '5' : '0', 156, 1, 'ascii');
  h.write('ustar\u000000', 257, 8, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return h;
}

function octalField(h: Buffer, offset: number, width: number, value: number): void {
  h.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, offset, width, 'ascii');
}

/** ustar: `name` holds at most 100 bytes; a longer path is split at a `/` into prefix (155) + name. */
function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return [prefix, name];
  }
  throw new ClawopsError(`path too long for a ustar archive: ${path}`, { hint: 'this is a bug in clawops: archive paths are made by clawops' });
}
