/** What one gate run blocks on, as the fleet views (the Ansible check module, `status --inventory`) name it. */
import { blocks } from '../checks/run.ts';
import type { CheckReport } from '../views/check-report.ts';

export interface Blocking {
  id: string;
  instance?: string;
  severity: string;
  status: string;
  evidence: string;
  remediation: string;
}

export function blockingOf(report: CheckReport): Blocking[] {
  return report.results.filter((x) => blocks(x, report.failOn, report.allowUnknown))
    .map((x) => ({ id: x.id, ...(x.instance ? { instance: x.instance } : {}), severity: x.severity, status: x.status, evidence: x.evidence, remediation: x.remediation }));
}

/** `12 pass, 1 fail`: the statuses that occurred. */
export const statusCounts = (report: CheckReport): string =>
  Object.entries(report.summary.byStatus).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
