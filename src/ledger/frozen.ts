/**
 * The frozen state of a signed-off host: a digest of each thing the sign-off vouches for, read
 * through the same facts by `clawops signoff` (which records them) and by the `config.frozen`
 * check (which compares): the applied spec, each gateway unit, each instance's OpenClaw config and
 * identity files, the firewall rules and their boot persistence, the fail2ban jails.
 *
 * openclaw.json is digested as its parsed, sanitized content (secret values as fingerprints)
 * without OpenClaw's own `meta` bookkeeping, which a running gateway rewrites: a changed setting
 * changes the digest, a touched timestamp does not. Every other item is the file's sha256.
 *
 * <stateDir>/frozen.json (root 0600, no secret) holds the digests of the last sign-off; the ledger
 * keeps every sign-off.
 */
import { createHash } from 'node:crypto';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { openclawConfig } from '../facts/openclaw.ts';
import { configPath, unitFilePath, workspaceDir } from '../facts/paths.ts';
import { fileHash } from '../facts/system.ts';
import { isUnknown, ref, type FactReader, type FactRef } from '../facts/types.ts';
import { DEFAULT_SPEC_PATH } from '../openclaw/timers.ts';

export const frozenPath = (stateDir: string): string => `${stateDir}/frozen.json`;

export interface FrozenRecord {
  schemaVersion: 1;
  signedOffAt: string;
  by: string;
  /** item -> `sha256:<hex>` or `missing` */
  digests: Record<string, string>;
}

interface Item {
  name: string;
  fact: FactRef<unknown>;
  digest(v: unknown): string;
}

const sha = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;

/** Canonical JSON: keys sorted at every level. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function items(spec: ResolvedSpec): Item[] {
  const file = (path: string): Item => ({
    name: path,
    fact: ref(fileHash, path),
    digest: (v) => ('missing' in (v as object) ? 'missing' : `sha256:${(v as { sha256: string }).sha256}`),
  });
  const out: Item[] = [];
  if (spec.clawops.install) out.push(file(DEFAULT_SPEC_PATH));
  for (const inst of spec.resolved) {
    out.push(file(unitFilePath(inst)));
    out.push({
      name: `${configPath(inst)} (settings)`,
      fact: ref(openclawConfig, configPath(inst)),
      digest: (v) => {
        const c = v as { missing: true } | { config: Record<string, unknown> } | { unparsable: string };
        if ('missing' in c && c.missing) return 'missing';
        if ('unparsable' in c) return sha(`unparsable:${c.unparsable}`);
        const { meta: _meta, ...settings } = (c as { config: Record<string, unknown> }).config;
        return sha(canonical(settings));
      },
    });
    for (const n of spec.identity.files) out.push(file(`${workspaceDir(inst)}/${n}`));
  }
  if (spec.firewall.enabled) out.push(file('/etc/ufw/user.rules'), file('/etc/ufw/user6.rules'));
  if (spec.firewall.enabled && spec.firewall.dockerUser) out.push(file('/etc/systemd/system/clawops-docker-user.service'));
  if (spec.fail2ban.enabled) out.push(file('/etc/fail2ban/jail.local'));
  return out;
}

export const frozenRefs = (spec: ResolvedSpec): FactRef<unknown>[] => items(spec).map((i) => i.fact);

/** The digests now: item -> digest, or `unknown: <why>` for an item whose fact could not be read. */
export function frozenDigests(f: FactReader, spec: ResolvedSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of items(spec)) {
    const v = f.get(i.fact);
    out[i.name] = isUnknown(v) ? `unknown: ${v.unknown}` : i.digest(v);
  }
  return out;
}

export interface FrozenDrift {
  changed: string[];
  /** items the sign-off did not cover (the spec now manages more) */
  added: string[];
  /** items signed off that the spec no longer manages */
  dropped: string[];
  unknown: string[];
}

export function frozenDrift(rec: FrozenRecord, now: Record<string, string>): FrozenDrift {
  const d: FrozenDrift = { changed: [], added: [], dropped: [], unknown: [] };
  for (const [name, digest] of Object.entries(now)) {
    const was = rec.digests[name];
    if (digest.startsWith('unknown: ')) d.unknown.push(`${name} (${digest.slice(9)})`);
    else if (was === undefined) d.added.push(name);
    else if (was !== digest) d.changed.push(digest === 'missing' ? `${name} (removed)` : was === 'missing' ? `${name} (created)` : name);
  }
  for (const name of Object.keys(rec.digests)) if (!(name in now)) d.dropped.push(name);
  return d;
}

export function parseFrozen(text: string | null): FrozenRecord | undefined {
  if (!text) return undefined;
  try {
    const r = JSON.parse(text) as Partial<FrozenRecord>;
    if (r.schemaVersion !== 1 || typeof r.signedOffAt !== 'string' || !r.digests || typeof r.digests !== 'object') return undefined;
    return r as FrozenRecord;
  } catch {
    return undefined;
  }
}
