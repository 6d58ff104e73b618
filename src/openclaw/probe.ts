/**
 * Read-only probes of a running gateway: whether it answers health (who listens: facts/network.ts).
 * Every loop is bounded; nothing here needs or prints the token.
 */
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';
import { openclawRun } from './config-write.ts';
import { capabilities } from './versions.ts';

export interface HttpAnswer {
  status: number;
  body: string;
}

// A GET from the target itself with Node (which the gateway needs anyway): no curl dependency.
const GET_SCRIPT = `fetch(process.argv[1], { signal: AbortSignal.timeout(5000) })
  .then(async (r) => { process.stdout.write(r.status + '\\n' + (await r.text()).slice(0, 4096)); })
  .catch((e) => { process.stderr.write(String(e)); process.exit(3); });`;

/** As root: `node` from root's fixed PATH (exec/process.ts ROOT_PATH), never the service user's npm prefix. */
export async function httpGet(ex: Executor, url: string, _inst?: ResolvedInstance): Promise<HttpAnswer | null> {
  const r = await ex.run(['node', '-e', GET_SCRIPT, url], {
    allowFailure: true,
    timeoutMs: 15_000,
  });
  if (r.exitCode !== 0) return null;
  const nl = r.stdout.indexOf('\n');
  return { status: Number(r.stdout.slice(0, nl)), body: r.stdout.slice(nl + 1) };
}

export interface Health {
  ok: boolean;
  /** what answered (or why not) in one line */
  detail: string;
}

/**
 * One health probe. 2026.3.1+: unauthenticated `/healthz` -> `{"ok":true,"status":"live"}`.
 * Before: `/healthz` serves the Control UI, so the gateway's own `openclaw health --json` (as the
 * service user, which reads its own config) is the probe.
 */
export async function probeHealth(ex: Executor, inst: ResolvedInstance, version: string): Promise<Health> {
  if (capabilities(version).httpHealthz) {
    const a = await httpGet(ex, `http://127.0.0.1:${inst.port}/healthz`, inst);
    if (!a) return { ok: false, detail: `nothing answers on 127.0.0.1:${inst.port}` };
    try {
      const j = JSON.parse(a.body) as { ok?: boolean; status?: string };
      return { ok: a.status === 200 && j.ok === true, detail: `/healthz ${a.status} ${a.body.trim().slice(0, 120)}` };
    } catch {
      return { ok: false, detail: `/healthz ${a.status}: not JSON` };
    }
  }
  const r = await openclawRun(ex, inst, version, ['health', '--json'], { allowFailure: true, timeoutMs: 60_000 });
  try {
    const j = JSON.parse(r.stdout) as { ok?: boolean };
    return { ok: r.exitCode === 0 && j.ok === true, detail: `openclaw health: exit ${r.exitCode}, ok=${String(j.ok)}` };
  } catch {
    return { ok: false, detail: `openclaw health: exit ${r.exitCode}: ${r.stderr.trim().split('\n').pop() ?? ''}` };
  }
}

/** Polls until healthy or `timeoutMs` passes; returns the last probe and how long it took. */
export async function waitHealthy(
  ex: Executor,
  inst: ResolvedInstance,
  version: string,
  timeoutMs: number,
): Promise<Health & { ms: number }> {
  const t0 = Date.now();
  let last: Health = { ok: false, detail: 'not probed' };
  for (let n = 0; Date.now() - t0 < timeoutMs; n++) {
    last = await probeHealth(ex, inst, version);
    if (last.ok) break;
    // a unit that failed for good (start limit latched, or an exit Restart= does not retry) will not
    // answer however long one waits: say so now (an upgrade then rolls back minutes sooner)
    if (n % 4 === 3) {
      const u = await unitNow(ex, inst.unit).catch(() => undefined);
      if (u?.active === 'failed') return { ok: false, detail: `${inst.unit} failed (${u.result}, main process status ${u.status}) and systemd will not start it again: ${last.detail}`, ms: Date.now() - t0 };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { ...last, ms: Date.now() - t0 };
}

export interface UnitNow {
  active: string;
  sub: string;
  mainPid: number;
  status: string;
  code: string;
  result: string;
  /** restarts systemd made since the unit was last started by hand */
  restarts: number;
}

export async function unitNow(ex: Executor, unit: string): Promise<UnitNow> {
  const r = await ex.run(['systemctl', 'show', '--no-pager', '-p', 'ActiveState,SubState,MainPID,ExecMainStatus,ExecMainCode,Result,NRestarts', '--', unit], { timeoutMs: 15_000 });
  const p: Record<string, string> = {};
  for (const l of r.stdout.split('\n')) {
    const i = l.indexOf('=');
    if (i > 0) p[l.slice(0, i)] = l.slice(i + 1);
  }
  return { active: p.ActiveState ?? '', sub: p.SubState ?? '', mainPid: Number(p.MainPID ?? 0), status: p.ExecMainStatus ?? '', code: p.ExecMainCode ?? '', result: p.Result ?? '', restarts: Number(p.NRestarts ?? 0) };
}

/** waitHealthy with its outcome in one line: how long health took, or the deadline it missed. */
export async function healthWithin(ex: Executor, inst: ResolvedInstance, version: string, timeoutSec: number): Promise<{ ok: boolean; detail: string }> {
  const h = await waitHealthy(ex, inst, version, timeoutSec * 1000);
  if (h.ok) return { ok: true, detail: `${h.detail} after ${(h.ms / 1000).toFixed(1)} s` };
  const early = h.ms < timeoutSec * 1000 - 1000;
  return { ok: false, detail: early ? `not healthy, gave up after ${(h.ms / 1000).toFixed(1)} s: ${h.detail}` : `not healthy within ${timeoutSec} s: ${h.detail}` };
}
