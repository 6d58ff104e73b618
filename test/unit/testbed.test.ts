import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recipeHash } from '../testbed/cache.ts';
import { parseBookwormMirror } from '../testbed/host.ts';
import { BASE_RECIPE } from '../testbed/rootfs.ts';

describe('testbed: mirror from the apt sources', () => {
  const deb822 = `Types: deb
# http://archive.example.invalid/snapshot
URIs: http://mirror.example.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.invalid/debian-security
Suites: bookworm-security
Components: main
`;
  test('deb822: the stanza serving bookworm, comments ignored', () => {
    assert.equal(parseBookwormMirror(deb822, ''), 'http://mirror.example.invalid/debian');
  });
  test('deb-src only or other suites do not count; sources.list is the fallback', () => {
    const src = 'Types: deb-src\nURIs: http://src.example.invalid/debian\nSuites: bookworm\n';
    assert.equal(parseBookwormMirror(src, ''), undefined);
    assert.equal(parseBookwormMirror('', 'deb [arch=amd64] http://list.example.invalid/debian bookworm main\n'), 'http://list.example.invalid/debian');
    assert.equal(parseBookwormMirror('', 'deb http://list.example.invalid/debian trixie main\n'), undefined);
  });
});

describe('testbed: cache key', () => {
  test('a recipe change changes the key; the same recipe gives the same key', () => {
    const h = recipeHash(BASE_RECIPE);
    assert.match(h, /^[0-9a-f]{12}$/);
    assert.equal(recipeHash(structuredClone(BASE_RECIPE)), h);
    assert.notEqual(recipeHash({ ...BASE_RECIPE, mask: [...BASE_RECIPE.mask, 'x.service'] }), h);
  });
});
