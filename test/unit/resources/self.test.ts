/** clawops on the target: packaging (deterministic tar, dependency walk), the read parser, the plan. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { collectFiles, dependencyDirs, MARKER, packFiles, packSelf } from '../../../src/resources/self-package.ts';
import { tarArchive } from '../../../src/core/tar.ts';
import { installDirName, launcherTarget, parseSelfState, planSelf, selfResources, type SelfChangeData, type SelfState } from '../../../src/resources/self.ts';
import { resolveSpec } from '../../../src/desired/resolve.ts';
import { Spec } from '../../../src/desired/schema.ts';

const FIXTURES = new URL('../../fixtures/self/', import.meta.url).pathname;

function writeTree(root: string, files: Record<string, string>): void {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), content);
  }
}

const pj = (o: object) => JSON.stringify(o);

describe('self-install packaging', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'clawops-self-unit-'));
    writeTree(root, {
      'package.json': pj({ name: 'clawops', version: '9.8.7', bin: { clawops: 'dist/cli.js' }, dependencies: { a: '1', '@s/b': '1' }, optionalDependencies: { gone: '1' } }),
      'dist/cli.js': '#!/usr/bin/env node\nconsole.log("9.8.7")\n',
      'dist/x/y.js': 'export {}\n',
      'dist/x/y.d.ts': 'export {}\n',
      'schema/clawops.schema.json': '{}\n',
      'node_modules/a/package.json': pj({ name: 'a', dependencies: { c: '2' } }),
      'node_modules/a/index.js': 'a\n',
      'node_modules/a/index.js.map': '{}\n',
      'node_modules/a/node_modules/c/package.json': pj({ name: 'c', version: '2.0.0' }),
      'node_modules/c/package.json': pj({ name: 'c', version: '1.0.0' }),
      'node_modules/@s/b/package.json': pj({ name: '@s/b', dependencies: { d: '1' } }),
      'node_modules/d/package.json': pj({ name: 'd' }),
      'node_modules/d/src/index.ts': 'export {}\n',
      'node_modules/unused/package.json': pj({ name: 'unused' }),
    });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('the dependency closure is walked as Node resolves it: nested copies stay nested, hoisted ones go to the top', () => {
    const deps = dependencyDirs(root).map((d) => `${d.path} <- ${d.dir.slice(root.length + 1)}`).sort();
    assert.deepEqual(deps, [
      'node_modules/@s/b <- node_modules/@s/b',
      'node_modules/a <- node_modules/a',
      'node_modules/a/node_modules/c <- node_modules/a/node_modules/c',
      'node_modules/d <- node_modules/d',
    ]);
  });

  test('a missing required dependency is an error that says to npm install', () => {
    const broken = mkdtempSync(join(tmpdir(), 'clawops-self-unit-'));
    try {
      writeTree(broken, { 'package.json': pj({ name: 'clawops', dependencies: { nothere: '1' } }) });
      assert.throws(() => dependencyDirs(broken), (e: Error & { hint?: string }) => /nothere is not installed/.test(e.message) && /npm install/.test(e.hint ?? ''));
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  test('files: dist, schema, package.json and the dependencies; no types, maps, sources or unused packages; bins executable', () => {
    const files = collectFiles(root, join(root, 'dist'));
    assert.deepEqual(files.map((f) => `${f.mode.toString(8)} ${f.path}`), [
      '755 dist/cli.js',
      '644 dist/x/y.js',
      '644 node_modules/@s/b/package.json',
      '644 node_modules/a/index.js',
      '644 node_modules/a/node_modules/c/package.json',
      '644 node_modules/a/package.json',
      '644 node_modules/d/package.json',
      '644 package.json',
      '644 schema/clawops.schema.json',
    ]);
  });

  test('no dist/cli.js: the error says to build', () => {
    assert.throws(() => collectFiles(root, join(root, 'nodist')), (e: Error & { hint?: string }) => /cli\.js is missing/.test(e.message) && /npm run build/.test(e.hint ?? ''));
  });

  test('the archive is deterministic, unpacks with GNU tar, and ends with the marker', () => {
    const a = packFiles(collectFiles(root, join(root, 'dist')));
    const b = packFiles(collectFiles(root, join(root, 'dist')));
    assert.equal(a.hash, b.hash);
    assert.ok(a.archive().equals(b.archive()), 'same files, same bytes');
    assert.equal(a.version, '9.8.7');
    assert.equal(a.files, 9);
    const out = mkdtempSync(join(tmpdir(), 'clawops-self-untar-'));
    try {
      const r = spawnSync('tar', ['-xzvf', '-', '-C', out, '--no-same-owner', '-m'], { input: a.archive(), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const listed = r.stdout.trim().split('\n');
      assert.equal(listed.at(-1), MARKER);
      assert.deepEqual(JSON.parse(readFileSync(join(out, MARKER), 'utf8')), { name: 'clawops', version: '9.8.7', hash: a.hash, files: 9 });
      assert.equal(readFileSync(join(out, 'node_modules/a/node_modules/c/package.json'), 'utf8'), pj({ name: 'c', version: '2.0.0' }));
      const cli = spawnSync(join(out, 'dist/cli.js'), [], { encoding: 'utf8' });
      assert.equal(cli.status, 0, 'dist/cli.js is executable');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    writeFileSync(join(root, 'dist/x/y.js'), 'export const changed = 1\n');
    try {
      assert.notEqual(packFiles(collectFiles(root, join(root, 'dist'))).hash, a.hash, 'a changed file changes the hash');
    } finally {
      writeFileSync(join(root, 'dist/x/y.js'), 'export {}\n');
    }
  });

  test('long paths use the ustar prefix field; GNU tar reads them back', () => {
    const long = `${'d'.repeat(90)}/${'e'.repeat(60)}/${'f'.repeat(90)}.js`;
    const tar = tarArchive([{ path: long, type: 'file', mode: 0o644, content: Buffer.from('x') }]);
    assert.equal(tar.length % 512, 0);
    const r = spawnSync('tar', ['-tf', '-'], { input: tar, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), long);
    assert.throws(() => tarArchive([{ path: '../etc/passwd', type: 'file', mode: 0o644 }]), /refusing to archive/);
    assert.throws(() => tarArchive([{ path: 'x'.repeat(300), type: 'file', mode: 0o644 }]), /too long/);
  });

  test('gzip really wraps a tar', () => {
    const p = packFiles([{ path: 'package.json', mode: 0o644, content: Buffer.from(pj({ name: 'clawops', version: '1.0.0' })) }]);
    const tar = gunzipSync(p.archive());
    assert.equal(tar.subarray(257, 262).toString(), 'ustar');
  });
});

const WANT: SelfChangeData = {
  name: 'clawops', version: '0.1.0', hash: `sha256:${'ab'.repeat(32)}`, files: 611, bytes: 3_917_366,
  dir: `/usr/local/lib/clawops/0.1.0-${'ab'.repeat(6)}`, bin: '/usr/local/bin/clawops', linkTarget: launcherTarget(),
};

describe('self-install build cache', () => {
  test('a source checkout is built once per state of its sources; an edit rebuilds; a cache others can write is not used', async () => {
    const root = mkdtempSync(join(tmpdir(), 'clawops-self-cache-'));
    const cache = join(root, 'cache');
    try {
      // a stand-in compiler that records each run and writes the entry point
      writeTree(root, {
        'package.json': pj({ name: 'clawops', version: '1.2.3', bin: { clawops: 'dist/cli.js' } }),
        'tsconfig.build.json': '{}\n',
        'src/cli.ts': 'export {}\n',
        'node_modules/typescript/package.json': pj({ name: 'typescript', version: '9.9.9' }),
        'node_modules/typescript/bin/tsc': `const fs = require('node:fs'); const out = process.argv[process.argv.indexOf('--outDir') + 1];
fs.appendFileSync(${JSON.stringify(join(root, 'compiles.log'))}, 'x'); fs.writeFileSync(out + '/cli.js', fs.readFileSync(${JSON.stringify(join(root, 'src/cli.ts'))}));`,
      });
      const compiles = () => readFileSync(join(root, 'compiles.log'), 'utf8').length;
      const builds = () => readdirSync(cache).filter((n) => n.startsWith('self-build-'));
      const a = await packSelf(root, true, cache);
      const b = await packSelf(root, true, cache);
      assert.equal(compiles(), 1, 'the second pack used the cached build');
      assert.equal(a.hash, b.hash);
      assert.equal(builds().length, 1);
      writeFileSync(join(root, 'src/cli.ts'), 'export const changed = 1;\n');
      const c = await packSelf(root, true, cache);
      assert.equal(compiles(), 2, 'an edited source is built again');
      assert.notEqual(c.hash, a.hash);
      assert.equal(builds().length, 1, 'the older build is gone');
      chmodSync(join(cache, builds()[0]!), 0o777);
      await packSelf(root, true, cache);
      assert.equal(compiles(), 3, 'a cached build others can write is never installed');
      await packSelf(root, true, cache);
      assert.equal(compiles(), 3, 'it was replaced by a private one');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('self-install read and plan', () => {
  test('recorded reads from a testbed: fresh host, installed host', () => {
    const fresh = parseSelfState(readFileSync(join(FIXTURES, 'read-fresh.txt'), 'utf8'));
    assert.deepEqual(fresh, { current: null, installed: null, bin: { type: 'absent', target: null } });
    const inst = parseSelfState(readFileSync(join(FIXTURES, 'read-installed.txt'), 'utf8'));
    assert.equal(inst.bin.type, 'symlink');
    assert.equal(inst.bin.target, launcherTarget());
    assert.ok(inst.installed && inst.current === installDirName(inst.installed), 'current names the version and hash it holds');
  });

  test('a corrupt marker reads as not installed', () => {
    assert.equal(parseSelfState('current=0.1.0-x\nbin=other\nmarker:\n{"version": tru').installed, null);
    assert.equal(parseSelfState('current=0.1.0-x\nbin=other\n').bin.type, 'other');
  });

  const installed = (hash: string, bin: SelfState['bin']): SelfState => ({
    current: installDirName({ version: '0.1.0', hash }), installed: { version: '0.1.0', hash, files: 611 }, bin,
  });
  const cases: { name: string; cur: SelfState; want: RegExp | 'noop'; action?: string }[] = [
    { name: 'fresh host', cur: { current: null, installed: null, bin: { type: 'absent', target: null } }, want: /^clawops 0\.1\.0: install \(611 files, 3\.7 MB, into \/usr\/local\/lib\/clawops\/0\.1\.0-abab/, action: 'add' },
    { name: 'as wanted', cur: installed(WANT.hash, { type: 'symlink', target: launcherTarget() }), want: 'noop' },
    { name: 'another build', cur: installed(`sha256:${'cd'.repeat(32)}`, { type: 'symlink', target: launcherTarget() }), want: /^clawops 0\.1\.0 \(cdcdcdcdcdcd\) -> 0\.1\.0 \(abababababab\): install/, action: 'change' },
    { name: 'launcher missing', cur: installed(WANT.hash, { type: 'absent', target: null }), want: /^clawops 0\.1\.0: link \/usr\/local\/bin\/clawops -> .*\(was absent\)$/, action: 'add' },
    { name: 'launcher from npm -g', cur: installed(WANT.hash, { type: 'symlink', target: '../lib/node_modules/clawops/dist/cli.js' }), want: /\(was -> \.\.\/lib\/node_modules/, action: 'change' },
    { name: 'launcher is a file', cur: installed(WANT.hash, { type: 'other', target: null }), want: /\(was other\)$/, action: 'change' },
  ];
  for (const c of cases) {
    test(`plan: ${c.name}`, () => {
      const out = planSelf(WANT, c.cur);
      if (c.want === 'noop') {
        assert.ok('noop' in out, JSON.stringify(out));
        assert.match(out.noop, /clawops 0\.1\.0 is installed \(abababababab\)/);
        return;
      }
      assert.ok('changes' in out, JSON.stringify(out));
      assert.equal(out.changes.length, 1);
      assert.match(out.changes[0]!.summary, c.want);
      assert.equal(out.changes[0]!.action, c.action);
      assert.equal(out.changes[0]!.resourceId, 'clawops:self');
    });
  }

  test('clawops.install: false declares nothing; the default declares the program and the spec', () => {
    assert.deepEqual(selfResources(resolveSpec(Spec.parse({ clawops: { install: false } }))), []);
    assert.deepEqual(selfResources(resolveSpec(Spec.parse({}))).map((r) => r.id), ['clawops:self', 'clawops:spec']);
  });
});
