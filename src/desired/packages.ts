/**
 * The apt packages a spec needs on the host: `os.packages`, and what each enabled part runs
 * (fail2ban and its systemd backend, unattended-upgrades, restic and sqlite3 for backups: the
 * online copy of a SQLite database such as clawops' own ledger needs the sqlite3 CLI; kmod's
 * modprobe for the baseline's module rules; debsums and needrestart for its upkeep, aide). Apply
 * installs exactly these and `host.packages` checks exactly these.
 */
import type { ResolvedSpec } from './resolve.ts';

export function baselinePackages(spec: ResolvedSpec): string[] {
  const pkgs = [...spec.os.packages];
  if (spec.fail2ban.enabled) pkgs.push('fail2ban');
  if (spec.fail2ban.enabled && spec.fail2ban.sshd.backend === 'systemd') pkgs.push('python3-systemd');
  if (spec.unattendedUpgrades.enabled) pkgs.push('unattended-upgrades');
  if (spec.backup.enabled) pkgs.push('restic', 'sqlite3');
  if (spec.baseline.modules) pkgs.push('kmod');
  if (spec.baseline.upkeep) pkgs.push('debsums', 'needrestart');
  if (spec.baseline.aide) pkgs.push('aide');
  return [...new Set(pkgs)];
}
