/** Sudo hygiene: the sudoers parser over real-shaped files, and the two checks over its rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSudoers, SUDOERS_SCRIPT } from '../../../src/facts/sudoers.ts';
import { reaching } from '../../../src/checks/sudo.ts';

// Debian's /etc/sudoers, a cloud image's 90-cloud-init-users, and a hand-made file with aliases and a continuation
const FILES = `==> /etc/sudoers
Defaults	env_reset
Defaults	secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# User privilege specification
root	ALL=(ALL:ALL) ALL
%sudo	ALL=(ALL:ALL) ALL
@includedir /etc/sudoers.d

==> /etc/sudoers.d/90-cloud-init-users
# Created by cloud-init v. 23.1 on Thu, 01 Jan 2026
# User rules for ubuntu
ubuntu ALL=(ALL) NOPASSWD:ALL

==> /etc/sudoers.d/ops
User_Alias AGENTS = openclaw-svc, helper
Cmnd_Alias RESTART = /usr/bin/systemctl restart openclaw.service
AGENTS ALL = (root) NOPASSWD: RESTART
%deploy ALL=(ALL) NOPASSWD: SETENV: /usr/bin/rsync, \\
   /usr/bin/systemctl reload nginx   # reloads
#1001 ALL=(ALL) ALL
`;

describe('sudoers', () => {
  const rules = parseSudoers(FILES);
  it('parses users, groups, aliases, tags and continued lines, with file and line', () => {
    assert.deepEqual(rules.map((r) => [r.at, r.who.join(','), r.nopasswd, r.commands]), [
      ['/etc/sudoers:4', 'root', false, 'ALL'],
      ['/etc/sudoers:5', '%sudo', false, 'ALL'],
      ['/etc/sudoers.d/90-cloud-init-users:3', 'ubuntu', true, 'ALL'],
      ['/etc/sudoers.d/ops:3', 'openclaw-svc,helper', true, '/usr/bin/systemctl restart openclaw.service'],
      ['/etc/sudoers.d/ops:4', '%deploy', true, '/usr/bin/rsync, /usr/bin/systemctl reload nginx'],
      ['/etc/sudoers.d/ops:6', '#1001', false, 'ALL'],
    ]);
  });
  it('finds the passwordless rules that reach a user by name, group or ALL', () => {
    assert.deepEqual(reaching(rules, 'openclaw-svc', ['openclaw-svc']).map((r) => r.at), ['/etc/sudoers.d/ops:3']);
    assert.deepEqual(reaching(rules, 'other', ['deploy']).map((r) => r.at), ['/etc/sudoers.d/ops:4']);
    assert.deepEqual(reaching(parseSudoers('==> /etc/sudoers\nALL ALL=(ALL) NOPASSWD: /bin/true\n'), 'x', []).map((r) => r.at), ['/etc/sudoers:1']);
    assert.deepEqual(reaching(rules, 'nobody', ['nogroup']), []);
  });
});

describe('the sudoers read script', () => {
  it('reads every file of sudoers.d that sudo reads (the directory name has a dot; a file name with one, or ending in ~, is skipped)', () => {
    const root = mkdtempSync(join(tmpdir(), 'clawops-sudoers-'));
    try {
      mkdirSync(join(root, 'etc/sudoers.d'), { recursive: true });
      writeFileSync(join(root, 'etc/sudoers'), 'root ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n');
      writeFileSync(join(root, 'etc/sudoers.d/90-by-hand'), 'openclaw-svc ALL=(ALL) NOPASSWD: ALL\n');
      writeFileSync(join(root, 'etc/sudoers.d/old.bak'), 'ignored ALL=(ALL) NOPASSWD: ALL\n');
      writeFileSync(join(root, 'etc/sudoers.d/edit~'), 'ignored ALL=(ALL) NOPASSWD: ALL\n');
      const r = spawnSync('sh', ['-c', SUDOERS_SCRIPT.replaceAll('/etc/', `${root}/etc/`)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const rules = parseSudoers(r.stdout);
      assert.deepEqual(rules.map((x) => `${x.who.join(',')} ${x.nopasswd}`), ['root false', 'openclaw-svc true']);
      assert.equal(reaching(rules, 'openclaw-svc', []).length, 1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
