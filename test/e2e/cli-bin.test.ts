import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// The README's promise: after `npm ci`, `npx clawops` works even when the machine's own Node
// (20 here) is first on PATH, because npm puts the bundled Node 24 (devDependency) first.
const root = new URL('../..', import.meta.url).pathname;
const PATH = `/usr/bin:/bin:${process.env.PATH ?? ''}`;
const npx = (...args: string[]) =>
  spawnSync('npx', ['--no-install', 'clawops', ...args], { cwd: root, env: { ...process.env, PATH }, encoding: 'utf8' });

before(() => {
  const b = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  assert.ok(existsSync(`${root}dist/cli.js`));
});

test('npx clawops --help and --version work with the system Node first on PATH', () => {
  const h = npx('--help');
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /Usage: clawops/);
  const v = npx('--version');
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('the built CLI refuses an old Node with a one-line error and a next step', () => {
  const old = spawnSync('/usr/bin/node', [`${root}dist/cli.js`, '--version'], { encoding: 'utf8' });
  const major = Number(spawnSync('/usr/bin/node', ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout);
  if (major >= 22) return assert.equal(old.status, 0); // this machine's Node is new enough
  assert.equal(old.status, 1);
  assert.match(old.stderr, /Node\.js >= 22\.13 is required/);
});
