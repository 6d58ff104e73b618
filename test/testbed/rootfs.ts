import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APT_REPO_DIR, APT_SOURCE_LINE, REPO_PACKAGE_GROUPS, indexFlatRepo } from './apt-repo.ts';
import { buildOnce, recipeHash } from './cache.ts';
import { TESTBED_CACHE, debianMirror, sh } from './host.ts';

/**
 * The base image: Debian bookworm minbase + systemd, as a fresh cloud VPS has it. Pre-installed
 * beyond minbase+systemd: only ca-certificates and sudo (every Debian/Ubuntu cloud image has them).
 * openssh-server and the runbooks' baseline packages are NOT installed: they sit in the offline
 * apt repository so that clawops installs them for real.
 */
export const DEBOOTSTRAP_RECIPE = {
  suite: 'bookworm',
  variant: 'minbase',
  include: ['systemd', 'systemd-sysv', 'dbus', 'procps', 'iproute2', 'ca-certificates', 'sudo'],
};

export const BASE_RECIPE = {
  version: 1,
  debootstrap: DEBOOTSTRAP_RECIPE,
  repoPackages: REPO_PACKAGE_GROUPS,
  aptSource: APT_SOURCE_LINE,
  // units that cannot work in a container with a private network and no udev/console
  mask: ['systemd-networkd-wait-online.service', 'getty@tty1.service', 'console-getty.service'],
};

export const DEBS_CACHE = join(TESTBED_CACHE, 'debs');

export function baseRootfsDir(): string {
  return join(TESTBED_CACHE, `base-${recipeHash(BASE_RECIPE)}`);
}

export function debootstrapDir(): string {
  return join(TESTBED_CACHE, `debootstrap-${recipeHash(DEBOOTSTRAP_RECIPE)}`);
}

export interface BuildReport {
  dir: string;
  built: boolean;
  ms: number;
}

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };

/** Builds (once, under a lock, atomically) and returns the cached base rootfs. */
export async function ensureBaseRootfs(log: (s: string) => void = () => {}): Promise<BuildReport> {
  const dir = baseRootfsDir();
  const t0 = performance.now();
  const stage1 = debootstrapDir();
  const built = await buildOnce(dir, async (tmp) => {
    log(`testbed: building the Debian bookworm rootfs into ${dir} (once; one to two minutes)`);
    await buildOnce(stage1, (t) => debootstrap(t, DEBOOTSTRAP_RECIPE.include));
    await sh(['cp', '-a', '--reflink=auto', stage1, tmp], { timeoutMs: 5 * 60_000 });
    await fillAptRepo(tmp);
    await configure(tmp);
  });
  return { dir, built, ms: Math.round(performance.now() - t0) };
}

export async function debootstrap(target: string, include: readonly string[]): Promise<void> {
  mkdirSync(DEBS_CACHE, { recursive: true });
  await sh(
    [
      'debootstrap',
      `--variant=${DEBOOTSTRAP_RECIPE.variant}`,
      ...(include.length ? [`--include=${include.join(',')}`] : []),
      `--cache-dir=${DEBS_CACHE}`,
      DEBOOTSTRAP_RECIPE.suite,
      target,
      debianMirror(),
    ],
    { timeoutMs: 10 * 60_000, env: APT_ENV },
  );
}

export function chroot(root: string, argv: readonly string[], timeoutMs = 5 * 60_000) {
  return sh(['chroot', root, ...argv], { timeoutMs, env: { ...APT_ENV, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
}

/** Downloads the baseline packages and their dependencies (not installed ones) and indexes them. */
async function fillAptRepo(root: string): Promise<void> {
  copyFileSync('/etc/resolv.conf', join(root, 'etc/resolv.conf'));
  rmSync(join(root, 'etc/apt/sources.list'), { force: true });
  copyFileSync('/etc/apt/sources.list.d/debian.sources', join(root, 'etc/apt/sources.list.d/debian.sources'));
  await chroot(root, ['apt-get', 'update', '-q']);
  for (const group of REPO_PACKAGE_GROUPS) {
    await chroot(root, ['apt-get', 'install', '-y', '-q', '--download-only', ...group], 10 * 60_000);
  }
  const repo = join(root, APT_REPO_DIR);
  mkdirSync(repo, { recursive: true });
  const archives = join(root, 'var/cache/apt/archives');
  for (const f of readdirSync(archives)) if (f.endsWith('.deb')) renameSync(join(archives, f), join(repo, f));
  await indexFlatRepo(repo);
  rmSync(join(root, 'etc/apt/sources.list.d/debian.sources'));
}

async function configure(root: string): Promise<void> {
  writeFileSync(join(root, 'etc/apt/sources.list.d/clawops-local.list'), `${APT_SOURCE_LINE}\n`);
  await chroot(root, ['apt-get', 'update', '-q']);
  await chroot(root, ['apt-get', 'clean']);
  rmSync(join(root, 'etc/resolv.conf'), { force: true });
  // a fresh machine id per boot (nspawn passes the container's UUID)
  writeFileSync(join(root, 'etc/machine-id'), '');
  rmSync(join(root, 'var/lib/dbus/machine-id'), { force: true });
  for (const unit of BASE_RECIPE.mask) await chroot(root, ['systemctl', 'mask', unit]);
  // npm and npx come from this machine's npm package, bound read-only at boot (see machine.ts)
  mkdirSync(join(root, 'usr/local/lib/node_modules/npm'), { recursive: true });
  await chroot(root, ['ln', '-sf', '../lib/node_modules/npm/bin/npm-cli.js', '/usr/local/bin/npm']);
  await chroot(root, ['ln', '-sf', '../lib/node_modules/npm/bin/npx-cli.js', '/usr/local/bin/npx']);
  writeFileSync(join(root, 'usr/local/bin/node'), '');
  mkdirSync(join(root, 'opt/clawops-openclaw'), { recursive: true });
  mkdirSync(join(root, 'var/cache/clawops-npm'), { recursive: true });
  if (!existsSync(join(root, 'bin/systemctl')) && !existsSync(join(root, 'usr/bin/systemctl'))) {
    throw new Error('systemd is missing from the debootstrap rootfs');
  }
}
