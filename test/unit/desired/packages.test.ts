/** The packages a spec needs: os.packages and what its enabled parts run, one list for apply and for host.packages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baselinePackages } from '../../../src/desired/packages.ts';
import { parseSpec } from '../../../src/desired/parse.ts';

const spec = (yaml: string) => {
  const r = parseSpec(yaml);
  assert.ok(r.ok);
  return r.spec;
};

test('backups bring restic and sqlite3 (the online copy of a SQLite database needs its CLI), whatever os.packages lists', () => {
  assert.deepEqual(baselinePackages(spec('os: {packages: [curl]}\nfail2ban: {enabled: false}\nunattendedUpgrades: {enabled: false}\nbaseline: {modules: false, upkeep: false, aide: false}\n')), ['curl', 'restic', 'sqlite3']);
  assert.deepEqual(baselinePackages(spec('os: {packages: [curl]}\nfail2ban: {enabled: false}\nunattendedUpgrades: {enabled: false}\nbackup: {enabled: false}\n')), ['curl', 'kmod', 'debsums', 'needrestart', 'aide']);
});

test('fail2ban with the systemd backend, unattended upgrades and the baseline\'s module rules (modprobe) bring theirs; nothing twice', () => {
  assert.deepEqual(baselinePackages(spec('os: {packages: [fail2ban, restic]}\nfail2ban: {sshd: {backend: systemd}}\n')), ['fail2ban', 'restic', 'python3-systemd', 'unattended-upgrades', 'sqlite3', 'kmod', 'debsums', 'needrestart', 'aide']);
});
