/**
 * The running clawops as a package to install on a target: its built `dist/`, `package.json`,
 * `schema/` and the files of its production dependencies (found by walking `dependencies` and
 * `optionalDependencies` from package.json, resolved the way Node resolves them), as one
 * deterministic gzip'd tar with a content hash. Type declarations and source maps are left out.
 *
 * Running from a source checkout (`node src/cli.ts`), `dist/` would be whatever was built last, so
 * the sources are compiled afresh into a temporary directory with the checkout's TypeScript; with
 * no TypeScript there the error says to install the dev dependencies or run the built CLI.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { cacheDir } from '../core/cache-dir.ts';
import { ClawopsError } from '../core/errors.ts';
import { localExecutor } from '../exec/local.ts';
import { tarArchive, type TarEntry } from '../core/tar.ts';

export const MARKER = '.clawops-install.json';

export interface SelfFile {
  /** path inside the install directory (POSIX) */
  path: string;
  mode: number;
  content: Buffer;
}

export interface SelfPackage {
  name: string;
  version: string;
  /** `sha256:` over every file's path, mode and content */
  hash: string;
  files: number;
  bytes: number;
  /** gzip'd ustar of the files plus the install marker (last entry); made on first use, since a plan needs only the hash */
  archive(): Buffer;
}

export interface Marker {
  name: string;
  version: string;
  hash: string;
  files: number;
}

interface PackageJson {
  name?: string;
  version?: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** The package this module belongs to (the checkout, or the installed package). */
export const selfRoot = (): string => fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const fromSource = (): boolean => import.meta.url.endsWith('.ts');

/** types, sources and maps: Node never loads TypeScript from node_modules */
const SKIP_FILE = /\.([cm]?ts|map|tsbuildinfo)$/;
const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

const cache = new Map<string, Promise<SelfPackage>>();

/** The running clawops, packed once per process. */
export function selfPackage(root = selfRoot()): Promise<SelfPackage> {
  let p = cache.get(root);
  if (!p) {
    p = packSelf(root);
    cache.set(root, p);
    p.catch(() => cache.delete(root));
  }
  return p;
}

/**
 * Pack it now: from a source checkout, built afresh, or taken from clawops' cache directory when a
 * build of exactly these sources (and this TypeScript) is there (every plan and apply needs the
 * package's hash; a build costs seconds of CPU).
 */
export async function packSelf(root = selfRoot(), source = fromSource(), cache = cacheDir()): Promise<SelfPackage> {
  if (!source) return packFiles(collectFiles(root, join(root, 'dist')));
  const cached = cache === undefined ? undefined : join(cache, `self-build-${buildKey(root).slice(0, 32)}`);
  if (cached !== undefined && ownPrivateDir(cached) && existsSync(join(cached, 'cli.js'))) return packFiles(collectFiles(root, cached));
  // one that is not ours alone (or half there) is built again in its place
  if (cached !== undefined && existsSync(cached) && cache !== undefined && ownPrivateDir(cache)) rmSync(cached, { recursive: true, force: true });
  const out = mkdtempSync(join(cache !== undefined && ownPrivateDir(cache, true) ? cache : tmpdir(), 'clawops-self-build-'));
  try {
    await compile(root, out);
    const pkg = packFiles(collectFiles(root, out));
    if (cached !== undefined && dirname(out) === cache) keepBuild(out, cached);
    return pkg;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Pure over the checkout: the build's inputs (the sources, the build config, TypeScript's version) as one sha256. */
export function buildKey(root: string): string {
  const h = createHash('sha256');
  const add = (rel: string) => {
    const full = join(root, rel);
    if (existsSync(full)) h.update(`${rel}\0`).update(readFileSync(full)).update('\0');
  };
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'node_modules/typescript/package.json']) add(f);
  const walkSrc = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = `${rel}/${name}`;
      if (statSync(join(root, r)).isDirectory()) walkSrc(r);
      else add(r);
    }
  };
  walkSrc('src');
  return h.digest('hex');
}

/** A directory of ours that nobody else can write (a cached build is installed on targets and run there as root). */
function ownPrivateDir(dir: string, create = false): boolean {
  try {
    if (create) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** The fresh build becomes the cached one (one rename; a concurrent run's identical build may win), older builds go. */
function keepBuild(out: string, cached: string): void {
  try {
    renameSync(out, cached); // mkdtemp made it 0700
  } catch {
    // a concurrent run's identical build is there already: ours is removed by the caller
  }
  const dir = dirname(cached);
  for (const name of readdirSync(dir)) {
    if (name.startsWith('self-build-') && join(dir, name) !== cached && join(dir, name) !== out) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

async function compile(root: string, outDir: string): Promise<void> {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    throw new ClawopsError('cannot install clawops on the target: running from a source checkout without TypeScript to build it', {
      hint: 'run `npm install` in the checkout (or `npm run build` and run `node dist/cli.js`), or set clawops.install: false in the spec',
    });
  }
  const r = await localExecutor().run([process.execPath, tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], {
    cwd: root,
    timeoutMs: 300_000,
    allowFailure: true,
  });
  if (r.exitCode !== 0) {
    throw new ClawopsError(`cannot install clawops on the target: building ${root} failed (exit ${r.exitCode ?? r.signal})`, {
      hint: `run \`npm run build\` in ${root} to see the errors: ${r.stdout.trim().split('\n')[0] ?? ''}`,
    });
  }
}

/** Every file to install, sorted by path: package.json, dist/, schema/, then node_modules/. */
export function collectFiles(root: string, distDir: string): SelfFile[] {
  const pkg = readJson(join(root, 'package.json'));
  if (!existsSync(join(distDir, 'cli.js'))) {
    throw new ClawopsError(`cannot install clawops on the target: ${join(distDir, 'cli.js')} is missing`, {
      hint: `run \`npm run build\` in ${root}`,
    });
  }
  const files: SelfFile[] = [{ path: 'package.json', mode: 0o644, content: readFileSync(join(root, 'package.json')) }];
  walk(distDir, 'dist', files);
  if (existsSync(join(root, 'schema'))) walk(join(root, 'schema'), 'schema', files);
  for (const dep of dependencyDirs(root, pkg)) walk(dep.dir, dep.path, files);
  const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
  const executables = new Set(bins.map((b) => b.replace(/^\.\//, '')));
  for (const f of files) if (executables.has(f.path)) f.mode = 0o755;
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function walk(dir: string, prefix: string, out: SelfFile[]): void {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const st = statSync(full); // follows symlinks: a linked package is copied as files
    if (st.isDirectory()) {
      if (name !== 'node_modules') walk(full, `${prefix}/${name}`, out);
    } else if (st.isFile() && !SKIP_FILE.test(name)) {
      out.push({ path: `${prefix}/${name}`, mode: st.mode & 0o111 ? 0o755 : 0o644, content: readFileSync(full) });
    }
  }
}

export interface DependencyDir {
  name: string;
  /** where it came from on this machine */
  dir: string;
  /** where it goes in the install (`node_modules/<name>` or nested under its dependent) */
  path: string;
}

/** The production dependency closure, resolved as Node would from each dependent's directory. */
export function dependencyDirs(root: string, pkg: PackageJson = readJson(join(root, 'package.json'))): DependencyDir[] {
  const out = new Map<string, DependencyDir>();
  const queue: { from: string; fromPath: string; pkg: PackageJson }[] = [{ from: root, fromPath: '', pkg }];
  while (queue.length > 0) {
    const cur = queue.shift()!;
    const optional = new Set(Object.keys(cur.pkg.optionalDependencies ?? {}));
    for (const name of [...Object.keys(cur.pkg.dependencies ?? {}), ...optional]) {
      const dir = resolveDependency(cur.from, name);
      if (!dir) {
        if (optional.has(name)) continue;
        throw new ClawopsError(`cannot install clawops on the target: its dependency ${name} is not installed here (needed by ${cur.pkg.name ?? root})`, {
          hint: `run \`npm install\` in ${root}`,
        });
      }
      const nested = dir === join(cur.from, 'node_modules', name);
      const path = nested && cur.fromPath ? `${cur.fromPath}/node_modules/${name}` : `node_modules/${name}`;
      const seen = out.get(path);
      if (seen) {
        if (seen.dir !== dir) {
          throw new ClawopsError(`cannot install clawops on the target: two copies of ${name} (${seen.dir}, ${dir}) would go to ${path}`, {
            hint: `run \`npm dedupe\` in ${root}`,
          });
        }
        continue;
      }
      const entry = { name, dir, path };
      out.set(path, entry);
      queue.push({ from: dir, fromPath: path, pkg: readJson(join(dir, 'package.json')) });
    }
  }
  return [...out.values()];
}

function resolveDependency(from: string, name: string): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    const cand = join(d, 'node_modules', name);
    if (existsSync(join(cand, 'package.json'))) return cand;
    if (dirname(d) === d) return undefined;
  }
}

export function contentHash(files: readonly SelfFile[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.path}\0${f.mode.toString(8)}\0${createHash('sha256').update(f.content).digest('hex')}\n`);
  return `sha256:${h.digest('hex')}`;
}

/** Files (sorted) in, the archive with its marker out. */
export function packFiles(files: readonly SelfFile[]): SelfPackage {
  const pkg = JSON.parse(files.find((f) => f.path === 'package.json')?.content.toString('utf8') ?? '{}') as PackageJson;
  const name = pkg.name ?? 'clawops';
  const version = pkg.version ?? '0.0.0';
  const hash = contentHash(files);
  const marker: Marker = { name, version, hash, files: files.length };
  const entries: TarEntry[] = [];
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ path: d, type: 'dir', mode: 0o755 });
      }
    }
    entries.push({ path: f.path, type: 'file', mode: f.mode, content: f.content });
  }
  entries.push({ path: MARKER, type: 'file', mode: 0o644, content: Buffer.from(`${JSON.stringify(marker)}\n`) });
  const bytes = files.reduce((n, f) => n + f.content.length, 0);
  let archive: Buffer | undefined;
  return { name, version, hash, files: files.length, bytes, archive: () => (archive ??= gzipSync(tarArchive(entries), { level: 6 })) };
}
