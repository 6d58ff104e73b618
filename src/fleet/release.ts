/**
 * `clawops package --out DIR`: the running clawops as a release archive for hosts that get it from
 * somewhere else than `clawops apply` (the Ansible role): the same gzip'd tar the self-install
 * step unpacks (dist, schema, production dependencies, the install marker last) and a
 * `release.json` beside it naming the archive, its sha256, and the directory name under
 * /usr/local/lib/clawops that apply itself would give this build, so a host installed either way
 * is the same install and a later `clawops apply` has nothing to redo.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SelfPackage } from '../resources/self-package.ts';
import { INSTALL_BASE, installDirName, launcherTarget } from '../resources/self.ts';

export interface Release {
  schemaVersion: 1;
  name: string;
  version: string;
  /** the content hash the install marker carries */
  hash: string;
  archive: string;
  sha256: string;
  bytes: number;
  /** where it goes on a host, and what the launcher links to */
  installDir: string;
  launcherTarget: string;
}

export function describeRelease(pkg: SelfPackage, archive: Buffer): Release {
  const name = installDirName(pkg);
  return {
    schemaVersion: 1, name, version: pkg.version, hash: pkg.hash, archive: `clawops-${name}.tar.gz`,
    sha256: createHash('sha256').update(archive).digest('hex'), bytes: archive.length,
    installDir: `${INSTALL_BASE}/${name}`, launcherTarget: launcherTarget(),
  };
}

/** Writes the archive and release.json into dir, each by rename (a reader never sees half a file). */
export function writeRelease(pkg: SelfPackage, dir: string): Release {
  const archive = pkg.archive();
  const rel = describeRelease(pkg, archive);
  mkdirSync(dir, { recursive: true });
  const put = (file: string, data: string | Buffer) => {
    const tmp = join(dir, `.${file}.tmp-${process.pid}`);
    writeFileSync(tmp, data, { mode: 0o644 });
    renameSync(tmp, join(dir, file));
  };
  put(rel.archive, archive);
  put('release.json', `${JSON.stringify(rel, null, 2)}\n`);
  return rel;
}
