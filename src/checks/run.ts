/**
 * One check run: select checks for a profile, probe the facts they need (once each), evaluate
 * purely, apply waivers, decide the gate. How `unknown` counts: it is never a pass. By default
 * an unknown result of severity >= the threshold fails the gate like a failure (a go-live sign-off
 * cannot rest on what could not be verified); `allowUnknown` reports unknowns without failing the
 * gate, and a waiver (id, reason, expiry) accepts one specific unknown.
 */
import { FactUnknownError } from '../facts/types.ts';
import type { Executor } from '../exec/types.ts';
import { collectRaw, factReader } from '../facts/collect.ts';
import type { Profile } from '../facts/paths.ts';
import type { FactRef, Raw } from '../facts/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { CATALOGUE } from './catalogue.ts';
import { containRecordPath } from '../emergency/record.ts';

import type { CheckContext, CheckDef, CheckResult, Severity, Status } from './types.ts';
import { auditWaivers, findWaiver, NO_WAIVERS, type WaiverSet } from './waivers.ts';

export interface RunInput {
  spec: ResolvedSpec;
  profile: Profile;
  now: Date;
  waivers?: WaiverSet;
  /** only these check ids */
  only?: readonly string[];
}

export interface Planned {
  def: CheckDef;
  ctx: CheckContext;
  refs: FactRef<unknown>[];
}

export function selectChecks(profile: Profile, only?: readonly string[]): CheckDef[] {
  return CATALOGUE.filter((c) => c.profiles.includes(profile) && (!only || only.length === 0 || only.includes(c.id)));
}

export function planRun(input: RunInput): Planned[] {
  const waivers = input.waivers ?? NO_WAIVERS;
  const out: Planned[] = [];
  for (const def of selectChecks(input.profile, input.only)) {
    const insts = def.scope === 'host' ? input.spec.resolved.slice(0, 1) : input.spec.resolved;
    for (const inst of insts) {
      const ctx: CheckContext = { spec: input.spec, inst, now: input.now, waivedAuditIds: auditWaivers(waivers, inst.name), waiverProblems: waivers.problems };
      out.push({ def, ctx, refs: def.needs(ctx) });
    }
  }
  return out;
}

/** Pure: raw facts in, results out. */
export function evaluateRun(planned: readonly Planned[], raw: ReadonlyMap<string, Raw>, waivers: WaiverSet = NO_WAIVERS): CheckResult[] {
  const facts = factReader(raw);
  return planned.map(({ def, ctx, refs }) => {
    const started = performance.now();
    let v;
    try {
      v = def.evaluate(facts, ctx);
    } catch (err) {
      v = { status: 'unknown' as const, evidence: err instanceof FactUnknownError ? err.message : `internal error in ${def.id}: ${(err as Error).message}` };
    }
    const probeMs = refs.reduce((m, r) => Math.max(m, facts.durationMs(r)), 0);
    const result: CheckResult = {
      id: def.id,
      title: def.title,
      area: def.area,
      severity: def.severity,
      ...(def.scope === 'instance' ? { instance: ctx.inst.name } : {}),
      status: v.status,
      evidence: v.evidence,
      remediation: (v.remediation ?? def.remediation).replaceAll('<unit>', ctx.inst.unit).replaceAll('<user>', ctx.inst.user).replaceAll('<port>', String(ctx.inst.port)),
      durationMs: Math.round(probeMs + (performance.now() - started)),
    };
    if (result.status === 'fail' || result.status === 'unknown') {
      const w = findWaiver(waivers, def.id, ctx.inst.name);
      if (w) {
        result.waiver = { reason: w.reason, expires: w.expires, expired: false };
        result.evidence = `${result.status}: ${result.evidence}`;
        result.status = 'waived';
      }
    }
    return result;
  });
}

const HEALTH_NO_OPENCLAW = 'the health profile never spawns the openclaw CLI';

/** Why this run must not spawn the openclaw CLI (the service user's program), if it must not. */
export async function openclawForbidden(ex: Executor, input: Pick<RunInput, 'profile' | 'spec'>): Promise<string | undefined> {
  if (input.profile === 'health') return HEALTH_NO_OPENCLAW;
  const contained = await ex.readFile(containRecordPath(input.spec)).catch(() => null);
  return contained === null ? undefined : 'the host is contained: the service user\'s programs are not run until `clawops emergency recover` or `lift`';
}

export async function runChecks(ex: Executor, input: RunInput): Promise<{ results: CheckResult[]; raw: Map<string, Raw> }> {
  const planned = planRun(input);
  const raw = await collectRaw(ex, planned.flatMap((p) => p.refs), { forbidOpenclaw: await openclawForbidden(ex, input) });
  return { results: evaluateRun(planned, raw, input.waivers), raw };
}

export type FailOn = 'warn' | 'critical';
const RANK: Record<Severity, number> = { info: 0, warn: 1, critical: 2 };

export interface Summary {
  total: number;
  byStatus: Record<Status, number>;
  /** results that fail the gate */
  blocking: number;
  gate: 'pass' | 'fail';
}

export function blocks(r: CheckResult, failOn: FailOn, allowUnknown: boolean): boolean {
  if (RANK[r.severity] < RANK[failOn]) return false;
  return r.status === 'fail' || (r.status === 'unknown' && !allowUnknown);
}

export function summarize(results: readonly CheckResult[], failOn: FailOn, allowUnknown: boolean): Summary {
  const byStatus: Record<Status, number> = { pass: 0, fail: 0, unknown: 0, skipped: 0, waived: 0 };
  for (const r of results) byStatus[r.status]++;
  const blocking = results.filter((r) => blocks(r, failOn, allowUnknown)).length;
  return { total: results.length, byStatus, blocking, gate: blocking > 0 ? 'fail' : 'pass' };
}
