/** Check results and a scratch ledger for the ledger's unit tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckResult, Severity, Status } from '../../../src/checks/types.ts';
import { openLedger, type Ledger } from '../../../src/ledger/db.ts';

export function result(id: string, status: Status, severity: Severity = 'critical', instance?: string): CheckResult {
  return {
    id, title: `the ${id} check`, area: 'service', severity, status, evidence: `${id} is ${status}`, remediation: `fix ${id}`, durationMs: 1,
    ...(instance ? { instance } : {}),
  };
}

/** The health profile's checks, all passing (a quiet minute). */
export const QUIET: CheckResult[] = ['service.active', 'service.enabled', 'network.gateway-loopback', 'network.gateway-health', 'service.start-limit']
  .map((id) => result(id, 'pass', 'critical', 'openclaw'))
  .concat([result('service.restarts', 'pass', 'warn', 'openclaw'), result('host.disk', 'pass', 'warn')]);

export function scratchLedger(): { l: Ledger; dir: string; path: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-ledger-'));
  const path = join(dir, 'state', 'ledger.db');
  const l = openLedger(path);
  return { l, dir, path, done: () => { if (l.db.isOpen) l.close(); rmSync(dir, { recursive: true, force: true }); } };
}
