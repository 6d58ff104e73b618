/**
 * Settling a gateway after apply changed its token, config or unit: apply reports success only
 * once the gateway answers health WITH the new settings, and a changed token is proven live.
 *
 * Why a stable window and not one health answer: OpenClaw reloads `openclaw.json` by file watch
 * and, for keys it cannot hot-apply, restarts itself (a clean exit that systemd's Restart=always
 * turns into a new process): right after the write the old process still answers health, then
 * the gateway is down for ~13 s. So settle waits until health has answered continuously, from
 * the same MainPID, for STABLE_MS, within a deadline; the time it was down is measured.
 *
 * The token lives in the EnvironmentFile (9.x), which the gateway reads only at start: when apply
 * changed it and the process running now started before that write, settle restarts the unit,
 * then proves the new token accepted and the old one refused (as `clawops rotate` does).
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import type { Journal } from '../engine/types.ts';
import type { ResolvedInstance } from '../desired/resolve.ts';
import { boundLines, journalCause, JOURNAL_LINES } from '../facts/journal.ts';
import { probeHealth, unitNow } from './probe.ts';

export { unitNow, type UnitNow } from './probe.ts';
import { probeToken } from './token.ts';

/** Healthy from one process for this long = settled (the file-watch restart starts well within it). */
export const STABLE_MS = 8_000;
/** 2026.9.6 listens ~12 s after start on an idle host; allow for a loaded one and a restart in flight. */
export const SETTLE_DEADLINE_MS = 240_000;
const POLL_MS = 500;

/** The unit's last journal lines and the one-line cause (exit status, the config key OpenClaw names). */
export async function unitFailureCause(ex: Executor, unit: string): Promise<{ cause: string; excerpt: string[] }> {
  const [u, j] = await Promise.all([
    unitNow(ex, unit).catch(() => undefined),
    ex.run(['journalctl', '--no-pager', '-q', '-o', 'cat', '-n', String(JOURNAL_LINES), '-u', unit], { allowFailure: true, timeoutMs: 15_000 }),
  ]);
  const lines = boundLines(j.stdout);
  const cause = journalCause(lines, u ? { status: u.status, code: u.code, result: u.result } : {});
  return { cause, excerpt: lines.slice(-10) };
}

export interface Settled {
  ms: number;
  /** total time health did not answer ok while waiting */
  downMs: number;
  restarts: number;
  detail: string;
}

/**
 * Waits until health answered ok continuously for `stableMs` from one MainPID. Throws a
 * ClawopsError carrying the unit's journal cause when the deadline passes or the unit failed.
 */
export async function waitSettled(
  ex: Executor,
  inst: ResolvedInstance,
  version: string,
  opts: { stableMs?: number; deadlineMs?: number } = {},
): Promise<Settled> {
  const stableMs = opts.stableMs ?? STABLE_MS;
  const deadline = opts.deadlineMs ?? SETTLE_DEADLINE_MS;
  const t0 = Date.now();
  let since: number | undefined;
  let pid = -1;
  let downMs = 0;
  let restarts = 0;
  let last = 'not probed';
  let prev = Date.now();
  while (Date.now() - t0 < deadline) {
    const u = await unitNow(ex, inst.unit);
    if (u.active === 'failed' || u.active === 'inactive') break; // stopped, or systemd gave up (e.g. exit 78)
    const h = u.mainPid > 0 ? await probeHealth(ex, inst, version) : { ok: false, detail: `${inst.unit} ${u.active} (${u.sub})` };
    const now = Date.now();
    if (pid > 0 && u.mainPid > 0 && u.mainPid !== pid) restarts++;
    if (!h.ok) downMs += now - prev;
    prev = now;
    last = h.detail;
    if (h.ok && u.mainPid === pid) {
      since ??= now;
      if (now - since >= stableMs) return { ms: now - t0, downMs, restarts, detail: `${h.detail}; stable ${Math.round((now - since) / 1000)} s from pid ${pid}` };
    } else {
      since = h.ok ? now : undefined;
    }
    pid = u.mainPid;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const { cause, excerpt } = await unitFailureCause(ex, inst.unit);
  throw new ClawopsError(
    `${inst.unit} did not settle within ${Math.round((Date.now() - t0) / 1000)} s: ${last}${cause ? `; ${cause}` : ''}\n${excerpt.map((l) => `  ${l}`).join('\n')}`,
    { hint: `journalctl -u ${inst.unit} -n 50 shows the rest; fix the cause and re-run clawops apply (or clawops undo)` },
  );
}

/**
 * One gateway instance's settle step, shared by the resources that change what the gateway runs
 * with (token, config, unit, service); the engine runs it once per apply, after all changes.
 */
export interface GatewaySettler {
  readonly key: string;
  /** the token resource reports a changed token: the value before (a registered secret) and the MainPID then */
  noteTokenChange(oldToken: string | undefined, newToken: string, pidAtWrite: number): void;
  /** a change to what the gateway runs with was made (the next run waits for it) */
  markChanged(): void;
  /** clawops wrote openclaw.json itself (no `config patch`): OpenClaw's file watch may not see an atomic
   * replace, so a gateway still running from before the write (MainPID then) is restarted */
  noteNeedsRestart(pidAtWrite: number): void;
  /** apply stopped the gateway to replace what it starts from: the settle starts it again */
  noteStopped(): void;
  /** settles when something changed since the last run (or `force`); otherwise returns at once */
  run(ex: Executor, journal: Journal, log?: (line: string) => void, force?: boolean): Promise<Settled>;
}

export function gatewaySettler(inst: ResolvedInstance, version: string): GatewaySettler {
  let token: { old: string | undefined; next: string; pid: number } | undefined;
  let restartPid: number | undefined;
  let stopped = false;
  let dirty = false;
  let lastDetail = '';
  return {
    key: `gateway:${inst.name}`,
    noteTokenChange(oldToken, newToken, pidAtWrite) {
      // the first old token of this apply is the one a client may still hold
      token = { old: token ? token.old : oldToken, next: newToken, pid: token ? token.pid : pidAtWrite };
      dirty = true;
    },
    markChanged() {
      dirty = true;
    },
    noteNeedsRestart(pidAtWrite) {
      restartPid ??= pidAtWrite;
      dirty = true;
    },
    noteStopped() {
      stopped = true;
      dirty = true;
    },
    async run(ex, journal, log = () => {}, force = false) {
      if (!dirty && !force) return { ms: 0, downMs: 0, restarts: 0, detail: lastDetail ? `settled earlier in this apply (${lastDetail})` : 'nothing changed' };
      const before = token?.pid ?? restartPid;
      if (before !== undefined) {
        const u = await unitNow(ex, inst.unit);
        if (u.mainPid > 0 && u.mainPid === before) {
          const why = token ? 'the gateway reads its token only at start' : 'openclaw.json was replaced by clawops, not reloaded';
          await journal.saveStep(`systemctl restart ${inst.unit} (${why})`, null);
          log(`restarting ${inst.unit}: it still runs from before this apply (${why})`);
          // a gateway that was crash-looping on the file just repaired may have latched its start limit
          await ex.run(['systemctl', 'reset-failed', '--', inst.unit], { allowFailure: true });
          await ex.run(['systemctl', 'restart', '--', inst.unit], { timeoutMs: 360_000 });
        }
      }
      restartPid = undefined;
      if (stopped) {
        // the service step may have started it already (it was planned on a failed unit)
        const u = await unitNow(ex, inst.unit);
        if (u.active === 'inactive' || u.active === 'failed') {
          await journal.saveStep(`systemctl start ${inst.unit} (stopped by this apply)`, null);
          log(`starting ${inst.unit}: this apply stopped it`);
          await ex.run(['systemctl', 'reset-failed', '--', inst.unit], { allowFailure: true });
          await ex.run(['systemctl', 'start', '--', inst.unit], { timeoutMs: 360_000 });
        }
        stopped = false;
      }
      const s = await waitSettled(ex, inst, version);
      if (token) {
        const next = await probeToken(ex, inst, token.next);
        const old = token.old === undefined || token.old === token.next ? null : await probeToken(ex, inst, token.old);
        if (next !== 'accepted' || old === 'accepted') {
          throw new ClawopsError(`${inst.unit} settled, but the new token is ${next} and the old one ${old ?? 'absent'}`, {
            hint: 'another token source is active (OPENCLAW_GATEWAY_TOKEN in ~/.openclaw/.env?); run `clawops check --profile security`',
          });
        }
        s.detail += `; new token accepted${old ? `, old token ${old}` : ''}`;
        token = undefined;
      }
      dirty = false;
      lastDetail = s.detail;
      return s;
    },
  };
}
