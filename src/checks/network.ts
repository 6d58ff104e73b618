/** Listening sockets and the gateway's health answer. */
import { httpHealth, isLoopback, listeners } from '../facts/network.ts';
import { tokenLiveRef } from '../facts/openclaw-live.ts';
import { capabilities } from '../openclaw/versions.ts';
import { ref, known } from '../facts/types.ts';
import { effectiveVersion, installRef, list } from './helpers.ts';
import { type CheckDef, fail, pass, skipped } from './types.ts';

export const healthUrl = (port: number): string => `http://127.0.0.1:${port}/healthz`;
export const readyUrl = (port: number): string => `http://127.0.0.1:${port}/readyz`;
/** OpenClaw's own channel-connect grace: a gateway up for less is still starting, not failing */
const READY_GRACE_MS = 120_000;
const BIND_FIX = 'clawops apply (gateway config step) sets gateway.bind=loopback; then systemctl restart <unit>';

export const networkChecks: CheckDef[] = [
  {
    id: 'network.gateway-loopback',
    title: 'The gateway listens on its port on loopback only',
    area: 'network', severity: 'critical', profiles: ['go-live', 'health', 'security'], scope: 'instance',
    runbook: 'hardened guide 6.3 (ss -tlnp | grep 18789: 127.0.0.1 only); checklist "Port binding"',
    remediation: BIND_FIX,
    needs: () => [ref(listeners)],
    evaluate(f, ctx) {
      const port = ctx.inst.port;
      const on = known(f, ref(listeners)).filter((l) => l.port === port);
      if (on.length === 0) return fail(`nothing listens on port ${port}`, `systemctl status ${ctx.inst.unit}; journalctl -u ${ctx.inst.unit} -n 50 (is the gateway running on port ${port}?)`);
      const exposed = on.filter((l) => !isLoopback(l.address));
      const where = on.map((l) => `${l.address}:${l.port}${l.processes.length ? ` (${l.processes.join(',')})` : ''}`);
      if (exposed.length) return fail(`port ${port} listens on ${list(where)} — not loopback only`, BIND_FIX.replace('<unit>', ctx.inst.unit));
      return pass(`port ${port} on ${list(where)}`);
    },
  },
  {
    id: 'network.unexpected-listeners',
    title: 'Nothing unexpected listens on a non-loopback address',
    area: 'network', severity: 'warn', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 1.5, 6.3 (only the management path is reachable)',
    remediation: 'stop or rebind the listed services to 127.0.0.1 (sshd on 22 and tailscaled are expected)',
    needs: () => [ref(listeners)],
    evaluate(f, ctx) {
      const gatewayPorts = new Set(ctx.spec.resolved.map((i) => i.port));
      const unexpected = known(f, ref(listeners)).filter(
        (l) => !isLoopback(l.address) && !gatewayPorts.has(l.port) && l.port !== 22 && !/^100\./.test(l.address) && !l.processes.includes('tailscaled'),
      );
      if (unexpected.length) {
        const desc = unexpected.map((l) => `${l.address}:${l.port}${l.processes.length ? ` (${l.processes.join(',')})` : ''}`);
        return fail(`listening beyond loopback: ${list(desc)}`);
      }
      return pass('only loopback, sshd (22) and tailscale listeners');
    },
  },
  {
    id: 'network.gateway-health',
    title: 'The gateway answers its HTTP health probe on loopback',
    area: 'network', severity: 'critical', profiles: ['go-live', 'health'], scope: 'instance',
    runbook: 'production runbook 4.3, 6.1 (openclaw health --json; openclaw-healthcheck.timer)',
    remediation: 'systemctl restart <unit>; journalctl -u <unit> -n 100',
    needs: (ctx) => [ref(httpHealth, healthUrl(ctx.inst.port)), installRef(ctx)],
    evaluate(f, ctx) {
      const url = healthUrl(ctx.inst.port);
      const a = known(f, ref(httpHealth, url));
      const fix = `systemctl restart ${ctx.inst.unit}; journalctl -u ${ctx.inst.unit} -n 100`;
      if (a.status === 0) return fail(`GET ${url}: ${a.error ?? 'no answer'}`, fix);
      const { caps, note } = effectiveVersion(f, ctx);
      if (!caps.httpHealthz) {
        // before 2026.3.1 there is no health endpoint: /healthz is the Control UI (200) or, with the UI off, 404.
        // An answer below 500 proves the gateway's server is up and serving, which is what /healthz "live" says later.
        if (a.status >= 500) return fail(`GET ${url}: HTTP ${a.status} (${note}: the server answers with an error)`, fix);
        return pass(`GET ${url}: HTTP ${a.status} (${note} has no health endpoint; its HTTP server answering is taken as alive)`);
      }
      let body: { ok?: unknown; status?: unknown } = {};
      try {
        body = JSON.parse(a.body) as typeof body;
      } catch {
        return fail(`GET ${url}: HTTP ${a.status}, not JSON (${note} answers JSON from 2026.3.1)`, fix);
      }
      if (a.status !== 200 || body.ok !== true) return fail(`GET ${url}: HTTP ${a.status} ${a.body.slice(0, 120)}`, fix);
      return pass(`GET ${url}: 200 ${JSON.stringify(body)} (${note})`);
    },
  },
  {
    id: 'network.gateway-token-live',
    title: 'The running gateway accepts the token clawops keeps for it (not a stale one)',
    area: 'network', severity: 'critical', profiles: ['go-live', 'security', 'credentials'], scope: 'instance',
    runbook: 'hardened guide 5.7, 9.2 (token rotation: the gateway reads its token at start)',
    remediation: 'clawops apply (restarts the gateway on the token in its file)',
    needs: (ctx) => [ref(httpHealth, healthUrl(ctx.inst.port)), tokenLiveRef(ctx.inst, ctx.spec.openclaw.version)],
    evaluate(f, ctx) {
      if (ctx.spec.gateway.auth.mode !== 'token') return skipped(`gateway.auth.mode is ${ctx.spec.gateway.auth.mode} in the spec`);
      if (known(f, ref(httpHealth, healthUrl(ctx.inst.port))).status === 0) return skipped('the gateway does not answer (network.gateway-health reports it)');
      const where = capabilities(ctx.spec.openclaw.version).tokenEnvReference ? ctx.inst.envFile : 'openclaw.json';
      const v = known(f, tokenLiveRef(ctx.inst, ctx.spec.openclaw.version)).verdict;
      if (v === 'accepted') return pass(`the running gateway accepts the token in ${where}`);
      if (v === 'no-token') return skipped(`no token in ${where} (openclaw.config.auth reports it)`);
      if (v === 'unreachable') return fail(`the gateway answers health but not POST /tools/invoke on port ${ctx.inst.port}`, `journalctl -u ${ctx.inst.unit} -n 100`);
      return fail(
        `the running gateway refuses the token in ${where}: it runs with another one (started before the file changed, or a token from another source such as ~/.openclaw/.env)`,
        `clawops apply (restarts ${ctx.inst.unit} on the token in its file); if it still refuses, remove OPENCLAW_GATEWAY_TOKEN from ~/.openclaw/.env`,
      );
    },
  },
  {
    id: 'network.gateway-latency',
    title: 'The gateway answers its health probe within monitoring.gateway.healthLatencyMs',
    area: 'network', severity: 'warn', profiles: ['go-live', 'health'], scope: 'instance',
    runbook: 'production runbook 6 (alerts: health latency)',
    remediation: 'the gateway\'s event loop is busy or starved: journalctl -u <unit> -n 100, the eventLoop block of /readyz, CPU on the host; a restart clears a stuck loop for now',
    needs: (ctx) => [ref(httpHealth, healthUrl(ctx.inst.port))],
    evaluate(f, ctx) {
      const url = healthUrl(ctx.inst.port);
      const a = known(f, ref(httpHealth, url));
      if (a.status === 0) return skipped(`GET ${url} got no answer (network.gateway-health reports it)`);
      if (a.timeMs === undefined) return skipped(`GET ${url}: the answer's time was not measured`);
      const max = ctx.spec.monitoring.gateway.healthLatencyMs;
      if (a.timeMs > max) return fail(`GET ${url} took ${Math.round(a.timeMs)} ms > ${max} ms`);
      return pass(`GET ${url} in ${a.timeMs < 10 ? a.timeMs.toFixed(1) : Math.round(a.timeMs)} ms (limit ${max} ms)`);
    },
  },
  {
    id: 'network.gateway-ready',
    title: 'The gateway says it is ready (/readyz: channels, agent databases, event loop)',
    area: 'network', severity: 'warn', profiles: ['go-live', 'health'], scope: 'instance',
    runbook: 'production runbook 6.1 (health probes); OpenClaw /readyz from 2026.3.1',
    remediation: 'what /readyz lists as failing: journalctl -u <unit> -n 100 for that channel or database; `oc channels status` for a channel',
    needs: (ctx) => [ref(httpHealth, readyUrl(ctx.inst.port)), installRef(ctx)],
    evaluate(f, ctx) {
      const url = readyUrl(ctx.inst.port);
      const { caps, note } = effectiveVersion(f, ctx);
      if (!caps.httpHealthz) return skipped(`${note} has no /readyz (from 2026.3.1)`);
      const a = known(f, ref(httpHealth, url));
      if (a.status === 0) return skipped(`GET ${url} got no answer (network.gateway-health reports the gateway)`);
      let body: { ready?: unknown; failing?: unknown; uptimeMs?: unknown; eventLoop?: { degraded?: unknown; reasons?: unknown; delayP99Ms?: unknown } } = {};
      try {
        body = JSON.parse(a.body) as typeof body;
      } catch {
        return fail(`GET ${url}: HTTP ${a.status}, not JSON`);
      }
      const failing = Array.isArray(body.failing) ? body.failing.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [];
      const loop = body.eventLoop?.degraded === true ? `event loop degraded (${Array.isArray(body.eventLoop.reasons) ? body.eventLoop.reasons.join(', ') : 'no reason given'})` : '';
      // a gateway that has just started says "starting" (its sidecars, channels connecting): judged after the grace
      const up = typeof body.uptimeMs === 'number' ? body.uptimeMs : undefined;
      if (body.ready !== true && up !== undefined && up < READY_GRACE_MS) {
        return skipped(`up ${Math.round(up / 1000)} s, not ready yet${failing.length ? ` (${list(failing)})` : ''}: judged after ${READY_GRACE_MS / 1000} s`);
      }
      if (a.status !== 200 || body.ready !== true) return fail(`GET ${url}: HTTP ${a.status}, not ready${failing.length ? `: failing ${list(failing)}` : ''}${loop ? `; ${loop}` : ''}`);
      const p99 = typeof body.eventLoop?.delayP99Ms === 'number' ? `; event loop delay p99 ${body.eventLoop.delayP99Ms} ms` : '';
      return pass(`GET ${url}: ready${p99}${loop ? `; ${loop}` : ''}`);
    },
  },
];
