/**
 * DM pairing (hardened guide 4.4): with `dmPolicy: pairing` an unknown sender gets a short code and
 * is ignored until an operator approves it. `clawops pairing list|approve` wraps OpenClaw's own
 * pairing store (`openclaw pairing ... --json`, as the service user, never editing its files) and
 * keeps a record of each approval (channel, sender id, time) in clawops' state, root-only.
 * OpenClaw's approve also writes `commands.ownerAllowFrom` on the first approval (owner bootstrap):
 * a key clawops does not manage, so the next apply neither reports nor undoes it.
 */
import { isObject } from './config-doc.ts';
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { openclawRun } from './config-write.ts';

export interface PairingRequest {
  code: string;
  /** the sender id as the channel knows it */
  id: string;
  username?: string;
  createdAt?: string;
}

export interface PairingApproval {
  channel: string;
  id: string;
  username?: string;
  approvedAt: string;
}

const CHANNEL_RE = /^[a-z][a-z0-9-]{0,31}$/;
const CODE_RE = /^[A-Za-z0-9]{4,16}$/;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** Pure: `openclaw pairing list <channel> --json` (`{channel, requests: [{code, id, meta, createdAt}]}`). */
export function parsePairingList(stdout: string): PairingRequest[] {
  let j: unknown;
  try {
    j = JSON.parse(stdout.slice(Math.max(0, stdout.indexOf('{'))));
  } catch {
    throw new ClawopsError('openclaw pairing list printed no JSON', { hint: `its output began: ${stdout.trim().slice(0, 120)}` });
  }
  const list = isObject(j) && Array.isArray(j.requests) ? j.requests : Array.isArray(j) ? j : [];
  return list.filter(isObject).flatMap((r) => {
    const meta = isObject(r.meta) ? r.meta : {};
    const code = str(r.code);
    const id = str(meta.senderId) ?? str(r.id);
    if (!code || !id) return [];
    const username = str(meta.username);
    const createdAt = str(r.createdAt);
    return [{ code, id, ...(username ? { username } : {}), ...(createdAt ? { createdAt } : {}) }];
  });
}

export function checkChannel(channel: string): void {
  if (!CHANNEL_RE.test(channel)) throw new ClawopsError(`${JSON.stringify(channel)} is not a channel id`, { hint: 'a channel id like telegram, discord, slack' });
}

/** Bad input is refused before anything runs on the target (no lock, no openclaw). */
export function checkCode(channel: string, code: string): void {
  checkChannel(channel);
  if (!CODE_RE.test(code)) throw new ClawopsError(`${JSON.stringify(code)} is not a pairing code`, { hint: `the bot sends an 8-character code; clawops pairing list ${channel} shows the pending ones` });
}

export async function listPairing(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, channel: string): Promise<PairingRequest[]> {
  checkChannel(channel);
  const r = await openclawRun(ex, inst, spec.openclaw.version, ['pairing', 'list', channel, '--json'], { allowFailure: true, timeoutMs: 120_000 });
  if (r.exitCode !== 0) {
    throw new ClawopsError(`openclaw pairing list ${channel} failed (exit ${r.exitCode}): ${lastLine(r.stderr || r.stdout)}`, {
      hint: `is ${channel} configured with dmPolicy pairing? clawops check --only openclaw.config.channels,openclaw.config.channel-accounts`,
    });
  }
  return parsePairingList(r.stdout);
}

const lastLine = (s: string): string => s.trim().split('\n').filter(Boolean).pop()?.slice(0, 300) ?? '';

export const approvalsPath = (spec: ResolvedSpec, inst: ResolvedInstance): string => `${spec.stateDir}/pairing/${inst.name}.json`;

/** Pure: the approvals record's text (absent or broken: none). */
export function parseApprovals(text: string | null): PairingApproval[] {
  if (text === null) return [];
  try {
    const j = JSON.parse(text) as unknown;
    return Array.isArray(j) ? (j.filter((a) => isObject(a) && typeof a.channel === 'string' && typeof a.id === 'string') as unknown as PairingApproval[]) : [];
  } catch {
    return [];
  }
}

export async function readApprovals(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance): Promise<PairingApproval[]> {
  return parseApprovals((await ex.readFile(approvalsPath(spec, inst)))?.toString('utf8') ?? null);
}

/** Approves `code` on `channel` (it must be pending: an unknown code is a clear error) and records the sender. */
export async function approvePairing(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, channel: string, code: string, now = new Date()): Promise<PairingApproval> {
  checkCode(channel, code);
  const pending = await listPairing(ex, spec, inst, channel);
  const req = pending.find((p) => p.code.toUpperCase() === code.toUpperCase());
  if (!req) {
    throw new ClawopsError(`no pending ${channel} pairing request has the code ${code}`, {
      hint: pending.length ? `pending codes: ${pending.map((p) => p.code).join(', ')}` : `none is pending: codes expire after an hour; the sender DMs the bot again for a new one`,
    });
  }
  const r = await openclawRun(ex, inst, spec.openclaw.version, ['pairing', 'approve', channel, req.code], { allowFailure: true, timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new ClawopsError(`openclaw pairing approve ${channel} failed (exit ${r.exitCode}): ${lastLine(r.stderr || r.stdout)}`);
  const approval: PairingApproval = { channel, id: req.id, ...(req.username ? { username: req.username } : {}), approvedAt: now.toISOString() };
  const all = [...(await readApprovals(ex, spec, inst)).filter((a) => !(a.channel === channel && a.id === req.id)), approval];
  await ex.run(['install', '-d', '-m', '0700', '-o', 'root', '-g', 'root', `${spec.stateDir}/pairing`]);
  await ex.writeFile(approvalsPath(spec, inst), `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
  return approval;
}
