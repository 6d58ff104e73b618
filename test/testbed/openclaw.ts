import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClawopsError } from '../../src/core/errors.ts';
import { KNOWN_NPM_OVERRIDES } from '../../src/openclaw/install.ts';
import { buildOnce } from './cache.ts';
import { NPM_CACHE, OPENCLAW_CACHE, node24Env, sh } from './host.ts';

export const OPENCLAW_VERSIONS = ['2026.9.6', '2026.2.9'] as const;
export type TestbedOpenclawVersion = (typeof OPENCLAW_VERSIONS)[number];

/** Where the install is bound inside the container, and the bin put on PATH. */
export const OPENCLAW_MOUNT = '/opt/clawops-openclaw';
export const OPENCLAW_BIN_LINK = '/usr/local/bin/openclaw';
export const OPENCLAW_BIN_TARGET = `${OPENCLAW_MOUNT}/node_modules/.bin/openclaw`;


export function isTestbedOpenclawVersion(v: string): v is TestbedOpenclawVersion {
  return (OPENCLAW_VERSIONS as readonly string[]).includes(v);
}

export function openclawDir(version: string): string {
  return join(OPENCLAW_CACHE, version);
}

/**
 * `npm install` of openclaw@VERSION into .cache/openclaw/VERSION (once, under a lock), with
 * Node 24 first on PATH and the shared npm cache .cache/npm (so `npm install --offline` of the same
 * version works inside the container, where that cache is bound at /var/cache/clawops-npm).
 */
export async function ensureOpenclaw(version: string, log: (s: string) => void = () => {}) {
  if (!isTestbedOpenclawVersion(version)) {
    throw new ClawopsError(`the testbed has no OpenClaw ${version}`, { hint: `use one of ${OPENCLAW_VERSIONS.join(', ')}` });
  }
  const dir = openclawDir(version);
  const t0 = performance.now();
  const built = await buildOnce(dir, async (tmp) => {
    log(`testbed: installing openclaw@${version} into ${dir} (once; 30 s to a few minutes)`);
    mkdirSync(tmp, { recursive: true });
    mkdirSync(NPM_CACHE, { recursive: true });
    const overrides = KNOWN_NPM_OVERRIDES[version]; // the ones clawops installs with, so the cache holds what it needs
    writeFileSync(
      join(tmp, 'package.json'),
      `${JSON.stringify({ name: 'clawops-testbed-openclaw', private: true, dependencies: { openclaw: version }, ...(overrides ? { overrides } : {}) }, null, 2)}\n`,
    );
    await sh(['npm', 'install', '--no-audit', '--no-fund', '--cache', NPM_CACHE, '--prefix', tmp], {
      cwd: tmp,
      env: node24Env({ HOME: tmp, npm_config_update_notifier: 'false' }),
      timeoutMs: 15 * 60_000,
    });
    if (!existsSync(join(tmp, 'node_modules', '.bin', 'openclaw'))) {
      throw new ClawopsError(`openclaw@${version} installed without its openclaw bin`, { hint: `look into ${tmp}` });
    }
  });
  return { dir, built, ms: Math.round(performance.now() - t0) };
}
