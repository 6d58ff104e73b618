/** node_exporter textfile of a check run (written atomically by the command). */
import type { Status } from '../checks/types.ts';
import type { CheckReport } from './check-report.ts';
import { promLabel as lbl } from './prom.ts';

const STATUSES: Status[] = ['pass', 'fail', 'unknown', 'skipped', 'waived'];

export function renderProm(rep: CheckReport): string {
  const p = `profile="${lbl(rep.profile)}"`;
  const out: string[] = [
    '# HELP clawops_check_status 1 for the status a check ended in (one series per check and status).',
    '# TYPE clawops_check_status gauge',
  ];
  for (const r of rep.results) {
    const base = `id="${lbl(r.id)}",instance_name="${lbl(r.instance ?? '')}",severity="${r.severity}",area="${r.area}",${p}`;
    for (const st of STATUSES) out.push(`clawops_check_status{${base},status="${st}"} ${r.status === st ? 1 : 0}`);
  }
  out.push('# HELP clawops_checks Number of checks per status in the last run.', '# TYPE clawops_checks gauge');
  for (const st of STATUSES) out.push(`clawops_checks{${p},status="${st}"} ${rep.summary.byStatus[st]}`);
  out.push(
    '# HELP clawops_gate_passed 1 when the last run passed its gate.', '# TYPE clawops_gate_passed gauge',
    `clawops_gate_passed{${p},fail_on="${rep.failOn}"} ${rep.summary.gate === 'pass' ? 1 : 0}`,
    '# HELP clawops_check_last_run_timestamp_seconds When the last run started.', '# TYPE clawops_check_last_run_timestamp_seconds gauge',
    `clawops_check_last_run_timestamp_seconds{${p}} ${Math.floor(Date.parse(rep.startedAt) / 1000)}`,
    '# HELP clawops_check_duration_seconds How long the last run took.', '# TYPE clawops_check_duration_seconds gauge',
    `clawops_check_duration_seconds{${p}} ${(rep.durationMs / 1000).toFixed(3)}`,
  );
  return `${out.join('\n')}\n`;
}
