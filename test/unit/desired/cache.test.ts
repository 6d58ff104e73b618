import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedSpec, specKey } from '../../../src/desired/cache.ts';
import { readSpec } from '../../../src/desired/load.ts';
import { parseSpec } from '../../../src/desired/parse.ts';

const EXAMPLE = readFileSync(new URL('../../../examples/clawops.yaml', import.meta.url), 'utf8');

function withCache<T>(fn: (dir: string, cache: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-spec-cache-'));
  const cache = join(dir, 'cache');
  const saved = process.env.CLAWOPS_CACHE_DIR;
  process.env.CLAWOPS_CACHE_DIR = cache;
  return fn(dir, cache).finally(() => {
    if (saved === undefined) delete process.env.CLAWOPS_CACHE_DIR;
    else process.env.CLAWOPS_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });
}

test('a resolved spec survives the cache unchanged (JSON round trip of the full example)', () => {
  const r = parseSpec(EXAMPLE);
  assert.ok(r.ok);
  assert.deepEqual(JSON.parse(JSON.stringify(r.spec)), r.spec);
});

test('a validated spec is served from the cache until the file changes; the entry is private', () =>
  withCache(async (dir, cache) => {
    const file = join(dir, 'clawops.yaml');
    writeFileSync(file, EXAMPLE);
    const first = await readSpec(file);
    assert.ok(first.ok);
    const entries = readdirSync(cache);
    assert.equal(entries.length, 1);
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    assert.equal(statSync(join(cache, entries[0]!)).mode & 0o777, 0o600);
    const hit = cachedSpec(join(dir, 'clawops.yaml'), specKey(file));
    assert.deepEqual(hit, JSON.parse(JSON.stringify(first.spec)));

    // same size, different content: the stamp (mtime/ctime in ns) changes, so it is a miss
    writeFileSync(file, EXAMPLE.replace('2026.9.6', '2026.9.7'));
    assert.equal(cachedSpec(file, specKey(file)), undefined);
    const second = await readSpec(file);
    assert.ok(second.ok);
    assert.equal(second.spec.openclaw.version, '2026.9.7');
  }));

test('an invalid spec is never cached and is reported every time', () =>
  withCache(async (dir, cache) => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'bogus: 1\n');
    for (let i = 0; i < 2; i++) {
      const r = await readSpec(file);
      assert.equal(r.ok, false);
    }
    assert.deepEqual(existsSync(cache) ? readdirSync(cache) : [], []);
  }));

test('a corrupt or unwritable cache is a miss, never an error', () =>
  withCache(async (dir, cache) => {
    const file = join(dir, 'clawops.yaml');
    writeFileSync(file, EXAMPLE);
    assert.ok((await readSpec(file)).ok);
    const entry = join(cache, readdirSync(cache)[0]!);
    writeFileSync(entry, '{"source": 1, "key": tru');
    const again = await readSpec(file);
    assert.ok(again.ok);
    assert.equal(again.spec.openclaw.version, '2026.9.6');
    if (process.getuid?.() !== 0) {
      chmodSync(cache, 0o500);
      assert.ok((await readSpec(file)).ok);
    }
  }));

test('without a cache directory specs are parsed every time', async () => {
  const saved = { ...process.env };
  for (const k of ['CLAWOPS_CACHE_DIR', 'CACHE_DIRECTORY', 'XDG_CACHE_HOME', 'HOME']) delete process.env[k];
  try {
    const r = await readSpec(undefined);
    assert.ok(r.ok);
    assert.equal(r.source, '(embedded defaults)');
  } finally {
    Object.assign(process.env, saved);
  }
});
