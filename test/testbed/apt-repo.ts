import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from './host.ts';

/** Where the offline apt repository lives inside the testbed, and its only apt source. */
export const APT_REPO_DIR = '/var/local/clawops-apt';
export const APT_SOURCE_LINE = `deb [trusted=yes] file:${APT_REPO_DIR} ./`;

/**
 * The runbooks' baseline packages: downloaded with their dependencies, never pre-installed. In
 * groups that are each resolved on their own: ufw Breaks iptables-persistent, so one apt run
 * cannot download both.
 */
export const REPO_PACKAGE_GROUPS = [
  [
    'curl', 'ca-certificates', 'gnupg', 'jq', 'ufw', 'fail2ban', 'git', 'unzip', 'tar', 'restic', 'iptables',
    'openssh-server', 'sudo', 'unattended-upgrades', 'sqlite3', 'docker.io',
    // the host baseline: modprobe for its module rules, AIDE, debsums, needrestart; Lynis to measure it
    'kmod', 'lynis', 'aide', 'debsums', 'needrestart',
  ],
  ['iptables-persistent'],
] as const;

/**
 * Writes a flat repository index (Packages, Release) for the .deb files in `dir`, like
 * `apt-ftparchive packages . > Packages` would, using only dpkg-deb (always on Debian).
 */
export async function indexFlatRepo(dir: string): Promise<number> {
  const debs = readdirSync(dir).filter((f) => f.endsWith('.deb')).sort();
  const stanzas: string[] = [];
  for (const deb of debs) {
    const path = join(dir, deb);
    const control = (await sh(['dpkg-deb', '-f', path])).stdout.toString('utf8').trimEnd();
    const bytes = readFileSync(path);
    stanzas.push(
      [
        control,
        `Filename: ./${deb}`,
        `Size: ${statSync(path).size}`,
        `MD5sum: ${createHash('md5').update(bytes).digest('hex')}`,
        `SHA256: ${createHash('sha256').update(bytes).digest('hex')}`,
      ].join('\n'),
    );
  }
  const packages = `${stanzas.join('\n\n')}\n`;
  writeFileSync(join(dir, 'Packages'), packages);
  const sum = (algo: string) => createHash(algo).update(packages).digest('hex');
  const size = Buffer.byteLength(packages);
  writeFileSync(
    join(dir, 'Release'),
    [
      'Origin: clawops-testbed',
      'Label: clawops-testbed',
      `Date: ${new Date().toUTCString()}`,
      'MD5Sum:',
      ` ${sum('md5')} ${size} Packages`,
      'SHA256:',
      ` ${sum('sha256')} ${size} Packages`,
      '',
    ].join('\n'),
  );
  return debs.length;
}
