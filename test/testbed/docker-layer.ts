import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildOnce, recipeHash } from './cache.ts';
import { TESTBED_CACHE, sh } from './host.ts';
import { chroot, debootstrap } from './rootfs.ts';

export const DOCKER_RECIPE = {
  version: 2,
  packages: ['docker.io'],
  recommends: false,
  // like the official slim image: no docs, man pages, locales or apt lists
  image: {
    tag: 'debian:bookworm-slim',
    include: [] as string[],
    exclude: ['./usr/share/doc/*', './usr/share/man/*', './usr/share/locale/*', './usr/share/info/*', './var/lib/apt/lists/*', './var/cache/apt/*'],
  },
};

export function dockerLayerDir(baseDir: string): string {
  return join(TESTBED_CACHE, `docker-${recipeHash({ base: basename(baseDir), DOCKER_RECIPE })}`);
}

export interface DockerLayer {
  /** overlay upper of the build: use it as a lower layer above the base rootfs */
  upper: string;
  /** a small debootstrap rootfs tarball, to `docker import` as DOCKER_RECIPE.image.tag */
  imageTar: string;
  built: boolean;
  ms: number;
}

/**
 * docker.io installed from the offline repository into a second cached layer (an overlay upper
 * above the base rootfs), plus a small bookworm rootfs tarball to import as the base image.
 */
export async function ensureDockerLayer(baseDir: string, log: (s: string) => void = () => {}): Promise<DockerLayer> {
  const dir = dockerLayerDir(baseDir);
  const t0 = performance.now();
  const built = await buildOnce(dir, async (tmp) => {
    log(`testbed: building the Docker layer into ${dir} (once)`);
    // the engine and the image rootfs are independent: build both at once
    const results = await Promise.allSettled([installEngine(baseDir, tmp), buildImageTar(tmp)]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  });
  return { upper: join(dir, 'upper'), imageTar: join(dir, 'bookworm-slim.tar'), built, ms: Math.round(performance.now() - t0) };
}

async function installEngine(baseDir: string, tmp: string): Promise<void> {
  for (const d of ['upper', 'work', 'merged']) mkdirSync(join(tmp, d), { recursive: true });
  const merged = join(tmp, 'merged');
  await sh(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${baseDir},upperdir=${tmp}/upper,workdir=${tmp}/work`, merged]);
  try {
    const policy = join(merged, 'usr/sbin/policy-rc.d');
    writeFileSync(policy, '#!/bin/sh\nexit 101\n');
    chmodSync(policy, 0o755);
    await chroot(merged, ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...DOCKER_RECIPE.packages], 10 * 60_000);
    await chroot(merged, ['apt-get', 'clean']);
    rmSync(policy);
  } finally {
    await sh(['umount', merged]);
  }
  rmSync(join(tmp, 'work'), { recursive: true, force: true });
  rmSync(merged, { recursive: true, force: true });
}

async function buildImageTar(tmp: string): Promise<void> {
  const slim = join(tmp, 'image-rootfs');
  await debootstrap(slim, DOCKER_RECIPE.image.include);
  const excludes = DOCKER_RECIPE.image.exclude.map((e) => `--exclude=${e}`);
  await sh(['tar', '-C', slim, '--numeric-owner', ...excludes, '-cf', join(tmp, 'bookworm-slim.tar'), '.'], { timeoutMs: 5 * 60_000 });
  rmSync(slim, { recursive: true, force: true });
}
