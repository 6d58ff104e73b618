/**
 * How OpenClaw starts a sandbox container, so that clawops can prove the spec's sandbox settings
 * with a real container without an LLM turn (2026.9.6 has no CLI that runs a sandboxed command:
 * `openclaw sandbox` only has list, recreate and explain).
 *
 * The argv mirrors OpenClaw 2026.9.6's `buildSandboxCreateArgs` and `createSandboxContainer`
 * (src/agents/sandbox/docker.ts upstream; `dist/docker-*.mjs` in the npm package): `docker create
 * --name N --init --label openclaw.sandbox=1 ... [--read-only] --tmpfs ... --network N --cap-drop
 * ALL --security-opt no-new-privileges --workdir /workspace -v host:container:ro,z ... IMAGE sleep
 * infinity`, then `docker start N`. The defaults (tmpfs /tmp /var/tmp /run, capDrop ALL, workdir
 * /workspace) are OpenClaw's `resolveSandboxDockerConfig` (`dist/config-*.mjs`). The mounts come
 * from OpenClaw itself: `openclaw sandbox explain --json` reports the workspace mount table.
 */
import { ClawopsError } from '../core/errors.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';

/** OpenClaw's default `agents.defaults.sandbox.docker.tmpfs` */
export const SANDBOX_TMPFS = ['/tmp', '/var/tmp', '/run'] as const;
/** OpenClaw's default `agents.defaults.sandbox.docker.capDrop` */
export const SANDBOX_CAP_DROP = ['ALL'] as const;
/** OpenClaw's default `agents.defaults.sandbox.docker.workdir` */
export const SANDBOX_WORKDIR = '/workspace';
/** OpenClaw's default `agents.defaults.sandbox.docker.containerPrefix` */
export const SANDBOX_CONTAINER_PREFIX = 'openclaw-sbx-';

export interface SandboxMount {
  hostRoot: string;
  containerRoot: string;
  writable: boolean;
  /** workspace | agent | ... */
  source: string;
}

export interface SandboxExplain {
  mode: string;
  scope: string;
  backend: string;
  workspaceAccess: string;
  runtimeWorkdir: string;
  sessionKey: string;
  workspaceMounts: SandboxMount[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (o: Record<string, unknown>, k: string): string => {
  const v = o[k];
  if (typeof v !== 'string') throw new Error(`"${k}" is not a string`);
  return v;
};

/** Parses `openclaw sandbox explain --json` (2026.9.x). */
export function parseSandboxExplain(text: string): SandboxExplain {
  try {
    const doc: unknown = JSON.parse(text);
    if (!isRecord(doc) || !isRecord(doc['sandbox'])) throw new Error('no "sandbox" object');
    const sb = doc['sandbox'];
    const mounts = sb['workspaceMounts'];
    if (!Array.isArray(mounts)) throw new Error('no "sandbox.workspaceMounts" list');
    return {
      mode: str(sb, 'mode'),
      scope: str(sb, 'scope'),
      backend: str(sb, 'backend'),
      workspaceAccess: str(sb, 'workspaceAccess'),
      runtimeWorkdir: str(sb, 'runtimeWorkdir'),
      sessionKey: str(doc, 'sessionKey'),
      workspaceMounts: mounts.map((m: unknown) => {
        if (!isRecord(m) || typeof m['writable'] !== 'boolean') throw new Error('a workspace mount is not {hostRoot, containerRoot, writable, source}');
        return { hostRoot: str(m, 'hostRoot'), containerRoot: str(m, 'containerRoot'), writable: m['writable'], source: str(m, 'source') };
      }),
    };
  } catch (cause) {
    throw new ClawopsError(`cannot read \`openclaw sandbox explain --json\`: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      hint: 'run `openclaw sandbox explain --json` as the service user to see what it prints',
    });
  }
}

export interface SandboxContainer {
  /** container name (OpenClaw: containerPrefix + session slug) */
  name: string;
  /** the scope key OpenClaw labels the container with */
  sessionKey: string;
  mounts: readonly SandboxMount[];
  workdir?: string;
}

/** `docker create ...` exactly as OpenClaw builds it for the spec's sandbox settings (no extra binds, env, limits). */
export function sandboxCreateArgv(spec: ResolvedSpec, c: SandboxContainer): string[] {
  const sb = spec.sandbox;
  const args = ['docker', 'create', '--name', c.name, '--init', '--label', 'openclaw.sandbox=1', '--label', `openclaw.sessionKey=${c.sessionKey}`];
  if (sb.readOnlyRoot) args.push('--read-only');
  for (const t of SANDBOX_TMPFS) args.push('--tmpfs', t);
  args.push('--network', sb.network);
  for (const cap of SANDBOX_CAP_DROP) args.push('--cap-drop', cap);
  args.push('--security-opt', 'no-new-privileges');
  args.push('--workdir', c.workdir ?? SANDBOX_WORKDIR);
  for (const m of c.mounts) args.push('-v', `${m.hostRoot}:${m.containerRoot}:${m.writable ? 'z' : 'ro,z'}`);
  args.push(sb.image, 'sleep', 'infinity');
  return args;
}
