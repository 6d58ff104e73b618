import type { DispatchReport } from '../alerts/dispatch.ts';
import type { IncidentRef } from '../ledger/record.ts';
/** The data every check view renders: one run's results, summary and context. */
import type { CheckResult } from '../checks/types.ts';
import type { FailOn, Summary } from '../checks/run.ts';

export const CHECK_SCHEMA_VERSION = 1;

export interface CheckReport {
  schemaVersion: number;
  target: string;
  profile: string;
  startedAt: string;
  durationMs: number;
  failOn: FailOn;
  allowUnknown: boolean;
  /** where the facts came from: `live` or a facts file path */
  facts: string;
  waivers: string;
  summary: Summary;
  results: CheckResult[];
  /** versions recorded as known-good because this go-live gate passed (absent otherwise) */
  knownGood?: KnownGoodNote[];
  /** `check --alert`: what the alerting round did */
  alerts?: DispatchReport;
  /** a live run on the host itself: what the ledger recorded (state changes, incidents opened), and what it now holds */
  ledger?: { transitions: number; opened: IncidentRef[]; cleared: number; openIncidents: number; burninDays: number; burninTarget: number };
  /** the health profile: each gateway's numbers from the same facts (restarts, memory, health probe time) */
  gateway?: GatewayNumbers[];
}

export interface KnownGoodNote {
  instance: string;
  version: string;
}

export interface GatewayNumbers {
  instance: string;
  restarts: number | null;
  memoryBytes: number | null;
  healthProbeMs: number | null;
}
