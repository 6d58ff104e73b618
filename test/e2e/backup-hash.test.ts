/**
 * The manifest's hashing on a real tree (stage.ts hashTree): openssl for the bulk, sha256sum for
 * names openssl would escape (newline, backslash), sha256sum for everything when openssl is not
 * on PATH. Every result is compared with node:crypto's sha256 of the same bytes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree } from '../../src/backup/stage.ts';
import { localExecutor } from '../../src/exec/local.ts';
import type { Executor } from '../../src/exec/types.ts';

const NAMES = ['plain.md', 'sp ace.txt', '*star', 'back\\slash', 'new\nline', 'tab\tname', 'ünïcødé.json', 'empty', 'sub/dir/deep.bin', 'big.bin'];

describe('manifest hashing (hashTree)', () => {
  let dir: string;
  let bin: string;
  const want = new Map<string, string>();
  before(() => {
    dir = mkdtempSync('/tmp/clawops-hash-');
    const tree = join(dir, 'tree');
    for (const n of NAMES) {
      const data = n === 'empty' ? Buffer.alloc(0) : n === 'big.bin' ? randomBytes(3_000_000) : randomBytes(1000 + n.length);
      mkdirSync(join(tree, n, '..'), { recursive: true });
      writeFileSync(join(tree, n), data);
      want.set(n, createHash('sha256').update(data).digest('hex'));
    }
    writeFileSync(join(tree, 'manifest.json'), '{}');
    // a PATH without openssl: only what the fallback needs
    bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['bash', 'find', 'xargs', 'sha256sum', 'tr']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const check = async (ex: Executor) => {
    const { sizes, sums } = await hashTree(ex, join(dir, 'tree'));
    assert.deepEqual(new Map([...sums].sort()), new Map([...want].sort()));
    assert.equal(sizes.get('big.bin'), 3_000_000);
    assert.equal(sizes.get('empty'), 0);
    assert.ok(!sums.has('manifest.json'), 'the manifest is not in itself');
  };

  test('with openssl on PATH: every name, including the ones openssl escapes', async () => {
    assert.equal((await localExecutor().run(['sh', '-c', 'command -v openssl'], { allowFailure: true })).exitCode, 0, 'openssl is installed here');
    await check(localExecutor());
  });

  test('without openssl: sha256sum for all', async () => {
    const base = localExecutor();
    const ex: Executor = {
      target: base.target, readFile: (p) => base.readFile(p), writeFile: (p, c, o) => base.writeFile(p, c, o), stat: (p) => base.stat(p), close: () => base.close(),
      run: (argv, o) => base.run(argv, { ...o, env: { ...o?.env, PATH: bin } }),
    };
    await check(ex);
  });
});
