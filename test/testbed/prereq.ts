import { existsSync } from 'node:fs';

const TOOLS: Record<string, string> = {
  'systemd-nspawn': 'systemd-container',
  debootstrap: 'debootstrap',
  nsenter: 'util-linux',
  chroot: 'coreutils',
  'dpkg-deb': 'dpkg',
};

function onPath(tool: string): boolean {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  return dirs.some((d) => d && existsSync(`${d}/${tool}`));
}

/** What keeps the testbed from running here, or undefined. */
export function testbedPrerequisites(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (systemd-nspawn, mounts)';
  const missing = Object.entries(TOOLS).filter(([t]) => !onPath(t)).map(([t, pkg]) => `${t} (apt-get install ${pkg})`);
  return missing.length ? `missing ${missing.join(', ')}` : undefined;
}
