import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { aptPackagesResource, planPackages } from '../../../src/resources/apt.ts';
import { dpkgPackage } from '../../../src/facts/system.ts';
import { ref } from '../../../src/facts/types.ts';
import { factsOf } from '../../helpers/facts.ts';
import { aptInstallArgv, guardTransaction, removalsIn } from '../../../src/resources/apt-run.ts';

const fixture = (f: string) => readFileSync(new URL(`../../fixtures/host/${f}`, import.meta.url), 'utf8');

test('apt: the plan reads the gate\'s package fact; half-installed (iU) counts as missing', async () => {
  const cmd = (stdout: string) => ({ t: 'cmd' as const, exitCode: 0, stdout, stderr: '', timedOut: false, durationMs: 1 });
  assert.deepEqual(dpkgPackage.parse(cmd('ii \n'), 'curl'), { installed: true, status: 'ii' });
  assert.deepEqual(dpkgPackage.parse(cmd('iU \n'), 'ufw'), { installed: false, status: 'iU' });
  const r = aptPackagesResource(['ufw', 'curl']);
  const out = await r.plan(factsOf([[ref(dpkgPackage, 'curl'), { installed: true, status: 'ii' }], [ref(dpkgPackage, 'ufw'), { installed: false, status: 'iU' }]]));
  assert.ok('changes' in out);
  assert.deepEqual(out.changes[0]?.data, { install: ['ufw'] });
});

const cases = [
  { name: 'all installed -> no-op', installed: { curl: true, jq: true }, install: null },
  { name: 'one missing -> install just that', installed: { curl: true, jq: false }, install: ['jq'] },
  { name: 'none installed -> install all', installed: { curl: false, jq: false }, install: ['curl', 'jq'] },
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
