/**
 * clawops' cache directory (validated specs, ../desired/cache.ts): `$CLAWOPS_CACHE_DIR`, systemd's
 * `$CACHE_DIRECTORY` (the timer units set `CacheDirectory=clawops`), `$XDG_CACHE_HOME/clawops` or
 * `~/.cache/clawops`; with none of those set, no cache. Nothing in it is needed: deleting it only costs the next run time.
 */
import { join } from 'node:path';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CLAWOPS_CACHE_DIR) return env.CLAWOPS_CACHE_DIR;
  const systemd = env.CACHE_DIRECTORY?.split(':')[0];
  if (systemd) return systemd;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'clawops');
  if (env.HOME) return join(env.HOME, '.cache', 'clawops');
  return undefined;
}
