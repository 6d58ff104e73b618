/**
 * The Tailscale-down SSH fallback's state (the hardened guide's phase 10, option 2) and its one pure
 * decision. The record `<stateDir>/ssh-fallback.json` (root 0600) says whether the port is open,
 * since when Tailscale has been down (or back), and what sshd was before the fallback touched it,
 * so closing puts it back as it was.
 */
export const FALLBACK_SCHEMA_VERSION = 1;

export interface FallbackRecord {
  schemaVersion: typeof FALLBACK_SCHEMA_VERSION;
  open: boolean;
  /** first tick that saw Tailscale down (null: up at the last tick) */
  downSince: string | null;
  /** first tick that saw it back while open */
  upSince: string | null;
  /** when the port was opened */
  openedAt: string | null;
  /** the SSH port that was opened */
  port: number | null;
  /** sshd was running before the fallback opened (else it is stopped again on close) */
  sshdWasActive: boolean | null;
  /** the last refusal to open (sshd not key-only): shown by the check until the port opens or Tailscale is back */
  refused: string | null;
  /** the last reading of Tailscale */
  tailscale: string;
}

export const fallbackRecordPath = (stateDir: string): string => `${stateDir}/ssh-fallback.json`;

export const CLOSED: FallbackRecord = { schemaVersion: 1, open: false, downSince: null, upSince: null, openedAt: null, port: null, sshdWasActive: null, refused: null, tailscale: 'not read yet' };

/** Pure: the record's text; absent or unreadable is closed (an open port it cannot see is found by the UFW rule's comment). */
export function parseFallbackRecord(text: string | null): FallbackRecord {
  if (text === null) return { ...CLOSED };
  try {
    const j = JSON.parse(text) as Partial<FallbackRecord>;
    if (j.schemaVersion !== FALLBACK_SCHEMA_VERSION || typeof j.open !== 'boolean') return { ...CLOSED };
    return { ...CLOSED, ...j } as FallbackRecord;
  } catch {
    return { ...CLOSED };
  }
}

export interface TailscaleReading {
  up: boolean;
  /** one line: "Running, online", "Stopped", "tailscaled not running: ..." */
  detail: string;
}

export type FallbackAction = 'open' | 'close' | 'none';

/**
 * Pure: what this tick does. Closed: Tailscale down for `downAfterSec` opens. Open: Tailscale back
 * for `upAfterSec` closes. The timestamps restart whenever the reading flips back.
 */
export function decide(prev: FallbackRecord, ts: TailscaleReading, now: Date, o: { downAfterSec: number; upAfterSec: number }): { next: FallbackRecord; action: FallbackAction } {
  const at = now.toISOString();
  const since = (t: string | null) => (t === null ? 0 : (now.getTime() - Date.parse(t)) / 1000);
  const next: FallbackRecord = { ...prev, tailscale: ts.detail };
  if (!prev.open) {
    if (ts.up) return { next: { ...next, downSince: null, upSince: null, refused: null }, action: 'none' };
    next.downSince = prev.downSince ?? at;
    return { next, action: since(next.downSince) >= o.downAfterSec ? 'open' : 'none' };
  }
  if (!ts.up) return { next: { ...next, upSince: null, downSince: prev.downSince ?? at }, action: 'none' };
  next.upSince = prev.upSince ?? at;
  return { next, action: since(next.upSince) >= o.upAfterSec ? 'close' : 'none' };
}

/** Pure: `tailscale status --json`'s outcome read as up or down (down: anything but a running, online node). */
export function readTailscale(exitCode: number | null, stdout: string, stderr: string): TailscaleReading {
  const first = (s: string) => s.trim().split('\n')[0]?.slice(0, 200) ?? '';
  if (exitCode === 127) return { up: false, detail: 'tailscale is not installed' };
  let j: { BackendState?: unknown; Self?: { Online?: unknown } | null } | undefined;
  try {
    j = JSON.parse(stdout) as typeof j;
  } catch {
    j = undefined;
  }
  if (!j || typeof j !== 'object') return { up: false, detail: `tailscale status failed (exit ${exitCode}): ${first(stderr) || first(stdout) || 'no output'}` };
  const state = typeof j.BackendState === 'string' ? j.BackendState : 'unknown';
  const online = j.Self?.Online === true;
  return { up: state === 'Running' && online, detail: `${state}, ${online ? 'online' : 'offline'}` };
}
