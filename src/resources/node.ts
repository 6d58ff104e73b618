/**
 * Node.js at the version the pinned OpenClaw needs (asked of src/openclaw/versions.ts).
 * `system`: the host provides Node; verify it at plan time. `nodesource`: a NodeSource-style apt
 * source, its keyring and a pin, then nodejs from it in one apt transaction that keeps ufw.
 * The repository URL and the operator-verified key come from the spec (node.repository: url, and
 * keyring, a binary keyring file on the machine running clawops).
 */
import { readFileSync } from 'node:fs';
import { PlanProblemError } from '../engine/errors.ts';
import type { PlanOutcome, Resource } from '../engine/types.ts';
import { nodeVersion } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { capabilities } from '../openclaw/versions.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { APT_ID } from './apt.ts';
import { aptInstall } from './apt-run.ts';
import { fileResource } from './file.ts';
import { keyringKeys, normalizeFingerprint, type KeyringKey } from '../core/openpgp.ts';

export const NODE_ID = 'node:runtime';
export const NODESOURCE_LIST = '/etc/apt/sources.list.d/nodesource.list';
export const NODESOURCE_KEYRING = '/etc/apt/keyrings/nodesource.gpg';
export const NODESOURCE_PIN = '/etc/apt/preferences.d/nodesource';

export type NodeState = { path: string | null; version: string | null };

export function satisfies(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export function nodeRequirement(spec: ResolvedSpec): string {
  return capabilities(spec.openclaw.version).nodeMin;
}

export function planNode(spec: ResolvedSpec, cur: NodeState): PlanOutcome {
  const min = nodeRequirement(spec);
  const why = `OpenClaw ${spec.openclaw.version} needs Node >= ${min}`;
  const have = cur.version ? `v${cur.version} at ${cur.path}` : 'no node on PATH';
  if (cur.version && satisfies(cur.version, min)) return { noop: `node ${have} satisfies >= ${min} (OpenClaw ${spec.openclaw.version})` };
  if (spec.node.source === 'system') {
    throw new PlanProblemError('node.source', `${why}; the host has ${have} and node.source is "system"`, {
      hint: `install Node ${min} or later on the host, or set node.source: nodesource`,
    });
  }
  if (!spec.node.repository) nodesourceInputs(spec); // refuses with the spec path and what to add
  return {
    changes: [
      {
        resourceId: NODE_ID,
        kind: 'node',
        action: cur.version ? 'change' : 'add',
        summary: `install nodejs ${spec.node.major}.x from NodeSource (${why}; the host has ${have}), keeping ufw in the same transaction`,
        data: { packages: ['nodejs', 'ufw'] },
      },
    ],
  };
}

export function renderNodesourceList(spec: ResolvedSpec, baseUrl: string): string {
  return `# Managed by clawops (node.source: nodesource)\ndeb [signed-by=${NODESOURCE_KEYRING}] ${baseUrl.replace(/\/+$/, '')}/node_${spec.node.major}.x nodistro main\n`;
}

export function renderNodesourcePin(baseUrl: string): string {
  const host = new URL(baseUrl).hostname;
  return `# Managed by clawops: nodejs comes from NodeSource, not the distribution\nPackage: nodejs\nPin: origin ${host}\nPin-Priority: 600\n`;
}

export function nodesourceInputs(spec: ResolvedSpec): { url: string; keyring: Buffer } {
  const repo = spec.node.repository;
  if (!repo) {
    throw new PlanProblemError('node.repository', 'node.source is "nodesource" but the spec does not say which repository and signing key to trust', {
      hint: 'add node.repository: {url: <https base of the NodeSource deb repository>, keyring: <dearmored keyring whose fingerprint you checked>}, or set node.source: system',
    });
  }
  let keyring: Buffer;
  try {
    keyring = readFileSync(repo.keyring);
  } catch (cause) {
    throw new PlanProblemError('node.repository.keyring', `cannot read the NodeSource keyring ${repo.keyring}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
      hint: 'point node.repository.keyring at the dearmored keyring file on this machine (gpg --dearmor < key.asc > nodesource.gpg)',
    });
  }
  verifyKeyring(repo.keyring, keyring, repo.fingerprint);
  return { url: repo.url, keyring };
}

/** The keyring apt will trust for nodejs holds exactly the primary key the spec names, nothing else. */
function verifyKeyring(path: string, keyring: Buffer, fingerprint: string): void {
  const want = normalizeFingerprint(fingerprint);
  let keys: KeyringKey[];
  try {
    keys = keyringKeys(keyring);
  } catch (err) {
    throw new PlanProblemError('node.repository.keyring', `${path}: ${(err as Error).message}`, { hint: 'gpg --dearmor < key.asc > nodesource.gpg' });
  }
  const got = keys.map((k) => k.fingerprint || `(a v${k.version} key)`);
  if (keys.length !== 1 || keys[0]?.fingerprint !== want) {
    throw new PlanProblemError('node.repository.fingerprint', `${path} holds ${got.length === 0 ? 'no key' : got.join(', ')}, not only ${want}`, {
      hint: 'compare the fingerprint with the one the repository publishes, then fetch the key again; apt would trust every key in the keyring',
    });
  }
}

export function nodeResources(spec: ResolvedSpec): Resource[] {
  const sourceIds: string[] = [];
  const out: Resource[] = [];
  // without node.repository nothing is trusted yet: that is a problem only once Node has to be installed
  if (spec.node.source === 'nodesource' && spec.node.repository) {
    const { url, keyring } = nodesourceInputs(spec);
    const files = [
      fileResource({ path: NODESOURCE_KEYRING, content: keyring, mode: 0o644 }),
      fileResource({ path: NODESOURCE_LIST, content: renderNodesourceList(spec, url), mode: 0o644 }),
      fileResource({ path: NODESOURCE_PIN, content: renderNodesourcePin(url), mode: 0o644 }),
    ];
    out.push(...files);
    sourceIds.push(...files.map((f) => f.id));
  }
  const runtime: Resource = {
    id: NODE_ID,
    kind: 'node',
    dependsOn: [APT_ID, ...sourceIds],
    needs: () => [ref(nodeVersion)],
    plan(f) {
      const n = known(f, ref(nodeVersion));
      return planNode(spec, n.missing ? { path: null, version: null } : { path: n.path, version: n.version });
    },
    async apply(ex, change, journal) {
      const pkgs = (change.data as { packages: string[] }).packages;
      await journal.saveStep(`apt-get install ${pkgs.join(' ')} from NodeSource (stays installed on undo)`, null);
      await ex.run(['apt-get', 'update', '-o', 'DPkg::Lock::Timeout=300'], { env: { DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 600_000 });
      await aptInstall(ex, pkgs, journal);
    },
  };
  out.push(runtime);
  return out;
}
