/**
 * A check: stable dotted id, title, severity, profiles, the runbook step it automates, the facts
 * it needs, and a pure evaluation over those facts with evidence and an exact remediation.
 */
import type { FactReader, FactRef } from '../facts/types.ts';
import type { Profile } from '../facts/paths.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';

export type Severity = 'critical' | 'warn' | 'info';
export type Status = 'pass' | 'fail' | 'unknown' | 'skipped' | 'waived';
export type Area = 'host' | 'user' | 'files' | 'service' | 'network' | 'firewall' | 'openclaw-config' | 'audit' | 'identity' | 'access' | 'backup' | 'monitoring';

export const AREAS: readonly Area[] = ['host', 'user', 'files', 'service', 'network', 'firewall', 'openclaw-config', 'audit', 'identity', 'access', 'backup', 'monitoring'];

export interface CheckContext {
  spec: ResolvedSpec;
  /** the instance for per-instance checks (the first one for host checks) */
  inst: ResolvedInstance;
  now: Date;
  /** OpenClaw audit check ids waived as `audit:<checkId>` */
  waivedAuditIds: readonly string[];
  /** expired or malformed waivers (reported loudly by waivers.valid) */
  waiverProblems: readonly string[];
}

export interface Verdict {
  status: Exclude<Status, 'waived'>;
  evidence: string;
  /** overrides the catalogue remediation with the exact fix for what was found */
  remediation?: string;
}

export interface CheckDef {
  id: string;
  title: string;
  area: Area;
  severity: Severity;
  profiles: readonly Profile[];
  /** the runbook step it automates, e.g. "hardened guide 1.5 (UFW)" */
  runbook: string;
  /** the fix, in general terms (the catalogue and docs show this) */
  remediation: string;
  /** per instance (run once per spec instance) or once per host */
  scope: 'host' | 'instance';
  needs(ctx: CheckContext): FactRef<unknown>[];
  evaluate(f: FactReader, ctx: CheckContext): Verdict;
}

export const pass = (evidence: string): Verdict => ({ status: 'pass', evidence });
export const fail = (evidence: string, remediation?: string): Verdict => ({ status: 'fail', evidence, ...(remediation ? { remediation } : {}) });
export const unknownV = (evidence: string): Verdict => ({ status: 'unknown', evidence });
export const skipped = (evidence: string): Verdict => ({ status: 'skipped', evidence });

export interface CheckResult {
  id: string;
  title: string;
  area: Area;
  severity: Severity;
  /** instance name for per-instance checks */
  instance?: string;
  status: Status;
  evidence: string;
  remediation: string;
  durationMs: number;
  /** set when a waiver applied (or expired) */
  waiver?: { reason: string; expires: string; expired: boolean };
}
