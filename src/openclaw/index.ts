/**
 * The OpenClaw layer for the engine: per instance, the pinned install, the gateway token, the
 * hardened config, the identity files, the systemd unit (file + enabled/running), then the check
 * timers and the `oc` wrapper. And the renderers behind `clawops render unit|timers|gateway-config|oc-wrapper`.
 */
import type { Executor } from '../exec/types.ts';
import type { Journal, JsonValue, Resource } from '../engine/types.ts';
import { DAEMON_JSON } from '../resources/docker.ts';
import { directoryResource } from '../resources/directory.ts';
import { fileResource, progress } from '../resources/file.ts';
import { serviceResource } from '../resources/service.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { ClawopsError } from '../core/errors.ts';
import { waitHealthy } from './probe.ts';
import { mergePatch } from './config-doc.ts';
import { desiredConfigKeys } from './config-keys.ts';
import { openclawConfigResource } from './config-resource.ts';
import { openclawIdentityResource } from './identity.ts';
import { openclawInstallResource, type InstallOptions } from './install.ts';
import { configPath, renderLogrotate } from './paths.ts';
import { sandboxContextDir, sandboxDockerfile, sandboxImageResource, wantsSandboxImage, type SandboxImageOptions } from './sandbox-image.ts';
import { renderOcWrapper, renderTimers, type RenderedUnitFile, type TimerOptions } from './timers.ts';
import { openclawTokenResource } from './token-resource.ts';
import { currentToken, tokenRefValue } from './token.ts';
import { openclawPairingResource } from './pairing-resource.ts';
import { tokenLiveResource } from './token-live-resource.ts';
import { envSecretsResource } from './env-secrets.ts';
import { gatewaySettler, unitNow, type GatewaySettler } from './settle.ts';
import { renderGatewayUnit } from './unit.ts';
import { unitDropInsResource } from './unit-dropins.ts';
import { logDir } from './paths.ts';
import { openclawConfigRepairResource } from './config-repair.ts';
import { inventoryResource } from './inventory.ts';
import { fileModesResource } from './modes.ts';
import { capabilities } from './versions.ts';

export interface OpenclawOptions extends InstallOptions, TimerOptions {
  /** how the sandbox image is built (offline apt repository, packages) */
  sandboxImage?: SandboxImageOptions;
}

const DAEMON_JSON_RESOURCE_ID = `json-merge:${DAEMON_JSON}`;

export const unitPath = (unit: string) => `/etc/systemd/system/${unit}`;

async function daemonReload(ex: Executor, journal: Journal): Promise<void> {
  await journal.saveStep('systemctl daemon-reload', null);
  await ex.run(['systemctl', 'daemon-reload']);
}

export function openclawResources(spec: ResolvedSpec, opts: OpenclawOptions = {}): Resource[] {
  const out: Resource[] = [];
  const version = spec.openclaw.version;
  for (const inst of spec.resolved) {
    const install = openclawInstallResource(spec, inst, opts);
    // an openclaw.json that no longer parses is put back from OpenClaw's .bak ring first: the token and
    // config steps read it (and are planned after this step when it does not parse)
    const settler = gatewaySettler(inst, version);
    const repair = openclawConfigRepairResource(inst, [install.id], async (ex, journal) => {
      await journal.saveStep(`systemctl stop ${inst.unit} (its openclaw.json does not parse; the settle starts it again)`, null);
      await ex.run(['systemctl', 'stop', '--', inst.unit], { timeoutMs: 360_000 });
      settler.noteStopped();
    });
    const tokenStep = openclawTokenResource(spec, inst);
    const token: Resource = { ...tokenStep, dependsOn: [...(tokenStep.dependsOn ?? []), repair.id] };
    const config = openclawConfigResource(spec, inst, async (ex) => {
      settler.noteNeedsRestart((await unitNow(ex, inst.unit).catch(() => undefined))?.mainPid ?? 0);
    });
    // modes first: a symlinked openclaw.json becomes a file before the config step writes it
    const modes = fileModesResource(spec, inst, [install.id, token.id]);
    // the file log's directory before the config names it: 2.x's CLI opens logging.file at start-up and
    // fails (EACCES on mkdir) until it exists; systemd's LogsDirectory= keeps it so afterwards
    const logs = directoryResource({ path: logDir(inst), mode: 0o750, owner: inst.user, dependsOn: [`user:${inst.user}`] });
    // provider keys and bot tokens before the config refers to them; the gateway reads ~/.openclaw/.env only at start
    const keys = envSecretsResource(spec, inst, [install.id, repair.id]);
    const configWithToken: Resource = { ...config, dependsOn: [...(config.dependsOn ?? []), token.id, modes.id, logs.id, ...(keys ? [keys.id] : [])] };
    const identity = openclawIdentityResource(spec, inst);
    const unitFile = fileResource({
      id: `openclaw-unit:${inst.name}`,
      kind: 'systemd-unit',
      path: unitPath(inst.unit),
      content: renderGatewayUnit(spec, inst, version),
      mode: 0o644,
      owner: 'root',
      group: 'root',
      dependsOn: [configWithToken.id, identity.id, install.id],
      afterChange: async (ex, journal) => {
        await daemonReload(ex, journal);
        // a running gateway picks up the new unit now (a stopped one is started by the service resource);
        // one that cannot start yet (a drop-in removed after this step, a latched start limit) is the service
        // step's and the settle's to judge, with the journal's cause: not a reason to stop here
        await ex.run(['systemctl', 'reset-failed', '--', inst.unit], { allowFailure: true });
        const r = await ex.run(['systemctl', 'try-restart', '--', inst.unit], { timeoutMs: 360_000, allowFailure: true });
        if (r.exitCode !== 0) progress(journal, `${inst.unit} did not restart on the new unit yet (exit ${r.exitCode}); the service step starts it`);
      },
    });
    const dropIns = unitDropInsResource(inst, [unitFile.id]);
    const service = gatewayService(inst, version, dropIns.id);
    const pairing = openclawPairingResource(spec, inst, [service.id]);
    // after the gateway's first start: what it puts in place itself is in the first record
    const inventory = inventoryResource(spec, inst, [service.id, identity.id]);
    out.push(
      install,
      settling(repair, settler),
      settling(tokenNotingChange(token, inst, version, settler), settler),
      modes,
      logs,
      ...(keys ? [settling(restartingOnChange(keys, inst, settler), settler)] : []),
      settling(configWithToken, settler),
      identity,
      settling(unitFile, settler),
      settling(dropIns, settler),
      settling(service, settler),
      settling(tokenLiveResource(spec, inst, [service.id, token.id]), settler),
      pairingAfterSettle(pairing, settler),
      inventory,
    );
    if (!capabilities(version).logSelfRotation) {
      const lr = renderLogrotate(inst);
      out.push(fileResource({ id: `openclaw-logrotate:${inst.name}`, kind: 'file', path: lr.path, content: lr.content, mode: 0o644, owner: 'root', group: 'root' }));
    }
    const oc = renderOcWrapper(spec, inst);
    out.push(fileResource({ id: `openclaw-oc:${inst.name}`, kind: 'file', path: oc.path, content: oc.content, mode: 0o755, owner: 'root', group: 'root', dependsOn: [install.id] }));
  }
  // the sandbox image: after Docker's daemon.json (host layer) so the build runs under the merged daemon
  if (wantsSandboxImage(spec)) out.push(sandboxImageResource(spec, opts.sandboxImage, [DAEMON_JSON_RESOURCE_ID]));
  const timerFiles = renderTimers(spec, opts);
  for (const f of timerFiles) {
    const name = f.path.split('/').pop() ?? f.path;
    out.push(fileResource({ id: `clawops-timer-unit:${name}`, kind: 'systemd-unit', path: f.path, content: f.content, mode: 0o644, owner: 'root', group: 'root', afterChange: daemonReload }));
    if (name.endsWith('.timer')) out.push(serviceResource(name, [`clawops-timer-unit:${name}`, `clawops-timer-unit:${name.replace(/\.timer$/, '.service')}`]));
  }
  return out;
}

/**
 * A resource whose changes the gateway must take up before apply reports success: each applied
 * change marks the instance's settler, and the engine runs the settle once per instance at the end.
 */
function settling(r: Resource, settler: GatewaySettler): Resource {
  return {
    ...r,
    settleKey: settler.key,
    async apply(ex, change, journal) {
      await r.apply(ex, change, journal);
      settler.markChanged();
    },
    async settle(ex, journal) {
      const s = await settler.run(ex, journal);
      return s.ms === 0 ? s.detail : `${s.detail}; gateway down ${(s.downMs / 1000).toFixed(1)} s, ${s.restarts} restart(s)`;
    },
  };
}

/** The token resource, telling the settler the token before and after (in memory only) so settle can prove the old one refused. */
function tokenNotingChange(r: Resource, inst: ResolvedInstance, version: string, settler: GatewaySettler): Resource {
  return {
    ...r,
    async apply(ex, change, journal) {
      const before = await currentToken(ex, inst, version);
      const pid = (await unitNow(ex, inst.unit).catch(() => undefined))?.mainPid ?? 0;
      await r.apply(ex, change, journal);
      const after = await currentToken(ex, inst, version);
      if (after !== undefined && after !== before) settler.noteTokenChange(before, after, pid);
    },
  };
}

/** A change the running gateway only reads at start: the settle restarts a process older than it. */
function restartingOnChange(r: Resource, inst: ResolvedInstance, settler: GatewaySettler): Resource {
  return {
    ...r,
    async apply(ex, change, journal) {
      settler.noteNeedsRestart((await unitNow(ex, inst.unit).catch(() => undefined))?.mainPid ?? 0);
      await r.apply(ex, change, journal);
    },
  };
}

/** Pairing connects with the token in the env file: the gateway must run with it, healthy, first. */
function pairingAfterSettle(r: Resource, settler: GatewaySettler): Resource {
  return {
    ...r,
    async apply(ex, change, journal) {
      // a file-watch restart can start after the settle window on a loaded host: settle again and retry (bounded)
      for (let attempt = 1; ; attempt++) {
        await settler.run(ex, journal, () => {}, attempt > 1);
        try {
          await r.apply(ex, change, journal);
          return;
        } catch (err) {
          if (attempt >= PAIRING_ATTEMPTS || !/refused the pairing connect|no hello/.test(err instanceof Error ? err.message : '')) throw err;
        }
      }
    },
  };
}

const PAIRING_ATTEMPTS = 3;

/** The gateway unit enabled and running; apply returns only once the gateway answers its health probe. */
function gatewayService(inst: ResolvedInstance, version: string, unitFileId: string): Resource {
  const svc = serviceResource(inst.unit, [unitFileId]);
  return {
    ...svc,
    async apply(ex, change, journal) {
      await svc.apply(ex, change, journal);
      const h = await waitHealthy(ex, inst, version, GATEWAY_START_TIMEOUT_MS);
      if (!h.ok) {
        throw new ClawopsError(`${inst.unit} started but the gateway is not healthy after ${Math.round(h.ms / 1000)} s: ${h.detail}`, {
          hint: `journalctl -u ${inst.unit} -n 50 shows why; fix it and re-run clawops apply`,
        });
      }
    },
  };
}

/** OpenClaw 2026.9.x listens about 12 s after start on an idle host; allow for a loaded one. */
const GATEWAY_START_TIMEOUT_MS = 180_000;

/** `clawops render unit`: the gateway unit of every instance. */
export function renderUnitFiles(spec: ResolvedSpec): RenderedUnitFile[] {
  return spec.resolved.map((inst) => ({ path: unitPath(inst.unit), content: renderGatewayUnit(spec, inst, spec.openclaw.version) }));
}

/** `clawops render timers` */
export function renderTimerFiles(spec: ResolvedSpec, opts: TimerOptions = {}): RenderedUnitFile[] {
  return renderTimers(spec, opts);
}

/** `clawops render oc-wrapper` */
export function renderOcWrapperFiles(spec: ResolvedSpec): RenderedUnitFile[] {
  return spec.resolved.map((inst) => renderOcWrapper(spec, inst));
}

/**
 * `clawops render gateway-config`: the managed keys as the JSON merge patch clawops applies (other
 * keys in openclaw.json are kept). The token appears only as where it comes from, never a value.
 */
export function renderGatewayConfigFiles(spec: ResolvedSpec): RenderedUnitFile[] {
  const version = spec.openclaw.version;
  return spec.resolved.map((inst) => {
    const keys = desiredConfigKeys(spec, inst, version).map((k) => ({ path: k.path, ...(k.value === undefined ? {} : { value: k.value }) }));
    const token = capabilities(version).tokenEnvReference
      ? [{ path: ['gateway', 'auth', 'token'], value: tokenRefValue(version) }]
      : [
          { path: ['gateway', 'auth', 'token'], value: '<generated by clawops>' },
          { path: ['gateway', 'remote', 'token'], value: '<equal to gateway.auth.token>' },
        ];
    return { path: configPath(inst), content: `${JSON.stringify(mergePatch([...keys, ...token]), null, 2)}\n` };
  });
}

/** `clawops render sandbox-dockerfile`: the recipe clawops builds the sandbox image from. */
export function renderSandboxDockerfileFiles(spec: ResolvedSpec, opts: SandboxImageOptions = {}): RenderedUnitFile[] {
  return wantsSandboxImage(spec) ? [{ path: `${sandboxContextDir(spec)}/Dockerfile`, content: sandboxDockerfile(opts, spec.sandbox.baseDigest) }] : [];
}

export { renderGatewayUnit } from './unit.ts';
export { readIdentityIntegrity, identityIntegrity } from './identity.ts';
export { rotateGatewayToken } from './rotate.ts';
export { validateCalendars } from './timers.ts';
export { analyzeUnitSecurity, parseSecurityText } from './analyze.ts';
export { probeHealth } from './probe.ts';
