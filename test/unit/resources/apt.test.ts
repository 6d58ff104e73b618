import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseDpkgQuery, planPackages } from '../../../src/resources/apt.ts';
import { aptInstallArgv, guardTransaction, removalsIn } from '../../../src/resources/apt-run.ts';

const fixture = (f: string) => readFileSync(new URL(`../../fixtures/host/${f}`, import.meta.url), 'utf8');

test('apt: dpkg-query output (real, with a package that is not installed) -> state', () => {
  const s = parseDpkgQuery(fixture('dpkg-query.txt'), ['curl', 'jq', 'nosuchpkg']);
  assert.deepEqual(s.installed, { curl: '7.88.1-10+deb12u14', jq: '1.6-2.1+deb12u3', nosuchpkg: null });
  // half-installed (unpacked, not configured) counts as missing: apt finishes it
  assert.equal(parseDpkgQuery('ufw\tiU \t0.36.2-1\n', ['ufw']).installed.ufw, null);
});

const cases = [
  { name: 'all installed -> no-op', installed: { curl: '1', jq: '1' }, install: null },
  { name: 'one missing -> install just that', installed: { curl: '1', jq: null }, install: ['jq'] },
  { name: 'none installed -> install all', installed: { curl: null, jq: null }, install: ['curl', 'jq'] },
];
for (const c of cases) {
  test(`apt: ${c.name}`, () => {
    const out = planPackages('apt:packages', ['curl', 'jq'], { installed: c.installed });
    if (c.install === null) return assert.ok('noop' in out);
    assert.ok('changes' in out);
    assert.equal(out.changes[0]?.action, 'add');
    assert.deepEqual(out.changes[0]?.data, { install: c.install });
  });
}

test('apt: removals are read from a real `apt-get -s` transcript', () => {
  assert.deepEqual(removalsIn(fixture('apt-get-s-remove-libjq1.txt')), ['yq', 'jq', 'libjq1']);
});

test('apt: the runbook gotcha: a transaction that would remove ufw keeps it in the same transaction', () => {
  assert.deepEqual(guardTransaction(['nodejs'], ['ufw']), { pkgs: ['nodejs', 'ufw'] });
  assert.deepEqual(guardTransaction(['nodejs', 'ufw'], []), { pkgs: ['nodejs', 'ufw'] });
  assert.deepEqual(guardTransaction(['nodejs'], ['nodejs-doc', 'ufw']), { refuse: ['nodejs-doc'] });
  // replacing a package (nodejs removed and reinstalled from another origin) is not a refusal
  assert.deepEqual(guardTransaction(['nodejs'], ['nodejs']), { pkgs: ['nodejs'] });
});

test('apt: install argv is non-interactive, keeps config files, waits for the dpkg lock', () => {
  const argv = aptInstallArgv(['jq']);
  assert.deepEqual(argv.slice(0, 4), ['apt-get', 'install', '-y', '--no-install-recommends']);
  assert.ok(argv.includes('Dpkg::Options::=--force-confold'));
  assert.ok(argv.includes('DPkg::Lock::Timeout=300'));
  assert.equal(aptInstallArgv(['jq'], true)[1], '-s');
});
