/**
 * Paths in the spec, held to what root may safely act on: clawops creates, chowns and writes these as
 * root, so a path must say plainly where it points. Absolute paths are normalised (no `..`, `.` or
 * empty segments: `/home/x/../../etc` is refused, not resolved); relative ones (npmPrefix) stay below
 * the directory they are relative to; a service user's home is never a system directory.
 */

/** A normalised absolute path (JSON Schema `pattern` of the absolute-path fields). */
export const ABS_PATH_RE = /^\/$|^(\/(?!\.\.?(\/|$))[^/\u0000]+)+$/;

/** Why `p` is not a normalised absolute path, or undefined when it is one. */
export function absPathProblem(p: string): string | undefined {
  if (!p.startsWith('/')) return 'must be an absolute path (starting with /)';
  if (p === '/') return undefined;
  const segs = p.slice(1).split('/');
  if (segs.includes('..')) return 'must not contain ".." segments: write the path it leads to';
  if (segs.some((s) => s === '' || s === '.')) return 'must be normalised: no "//", "/./" or trailing "/"';
  return undefined;
}

/** Why `p` is not a normalised path relative to (and below) some directory, or undefined. */
export function relPathProblem(p: string): string | undefined {
  if (p.startsWith('/')) return 'must be relative (to the service user home), not absolute';
  const segs = p.split('/');
  if (segs.includes('..')) return 'must stay below the service user home: no ".." segments';
  if (segs.some((s) => s === '' || s === '.')) return 'must be normalised: no empty or "." segments, no trailing "/"';
  return undefined;
}

/** Directories of the system: a home there (or at `/`, or one level down) would hand them to the service user. */
const SYSTEM_TREES = [
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/root', '/run', '/sbin', '/sys',
  '/usr', '/var/cache', '/var/log', '/var/spool',
];

/** Why `home` may not be a service user's home directory, or undefined. */
export function homeProblem(home: string): string | undefined {
  const tree = SYSTEM_TREES.find((t) => within(home, t));
  if (tree) {
    return `${home} is in ${tree}: clawops would hand a system directory to the service user; ` +
      'use /home/<user> or /srv/<name>';
  }
  if (home.split('/').length < 3) {
    return `${home} is a top-level directory: a home must be a directory of its own, e.g. /home/<user>`;
  }
  return undefined;
}

/** `p` is `dir` or inside it (both normalised absolute paths). */
export function within(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir === '/' ? '/' : `${dir}/`);
}
