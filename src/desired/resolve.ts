import type { SpecData } from './schema.ts';

export const BASE_PORT = 18789;
export const DEFAULT_USER = 'openclaw-svc';

export interface ResolvedInstance {
  name: string;
  user: string;
  port: number;
  home: string;
  /** OpenClaw state directory (~/.openclaw) */
  stateDir: string;
  /** the gateway's systemd unit name */
  unit: string;
  /** EnvironmentFile holding OPENCLAW_GATEWAY_TOKEN (0600, owned by the service user) */
  envFile: string;
  /** npm prefix for this instance's OpenClaw install */
  npmPrefix: string;
  /** the openclaw binary */
  bin: string;
}

export type ResolvedSpec = SpecData & { resolved: ResolvedInstance[] };

/** Fill per-instance defaults: user, port, home and the paths derived from them. */
export function resolveInstances(data: SpecData): ResolvedInstance[] {
  return data.instances.map((inst, i) => {
    const user = inst.user ?? (i === 0 ? DEFAULT_USER : inst.name);
    const home = inst.home ?? `/home/${user}`;
    const npmPrefix = `${home}/${data.openclaw.npmPrefix}`;
    return {
      name: inst.name,
      user,
      port: inst.port ?? BASE_PORT + i,
      home,
      stateDir: `${home}/.openclaw`,
      unit: `${inst.name}.service`,
      envFile: `${home}/.openclaw/gateway.systemd.env`,
      npmPrefix,
      bin: `${npmPrefix}/bin/openclaw`,
    };
  });
}

export function resolveSpec(data: SpecData): ResolvedSpec {
  return { ...data, resolved: resolveInstances(data) };
}
