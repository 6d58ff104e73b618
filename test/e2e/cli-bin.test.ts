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

test('the bin runs through its own shebang (Node flags included) and a reader that goes away ends the output quietly', () => {
  const env = { ...process.env, PATH: `${root}node_modules/.bin:${process.env.PATH ?? ''}` };
  const flags = spawnSync(`${root}dist/cli.js`, ['--version'], { env, encoding: 'utf8' });
  assert.equal(flags.status, 0, flags.stderr);
  // `clawops render timers | head -1`: head exits after one line, the rest of the output hits a closed pipe
  const piped = spawnSync('sh', ['-c', `"${root}dist/cli.js" render timers | head -1 >/dev/null; echo "exit=\${PIPESTATUS:-}"`], { env, encoding: 'utf8' });
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${root}dist/cli.js" render timers | head -c 1 >/dev/null`], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr + piped.stderr, /EPIPE|Unhandled/);
});
