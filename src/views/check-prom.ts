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
  // in the health textfile only (every minute): a series in two textfiles would be a duplicate for node_exporter
  const g = rep.gateway ?? [];
  const series = (name: string, type: string, help: string, pick: (x: (typeof g)[number]) => number | null) => {
    const rows = g.flatMap((x) => (pick(x) === null ? [] : [`${name}{instance_name="${lbl(x.instance)}"} ${pick(x)}`]));
    if (rows.length) out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
  };
  series('clawops_gateway_restarts_total', 'counter', 'systemd NRestarts of the gateway unit (reset when the unit is restarted by hand).', (x) => x.restarts);
  series('clawops_gateway_memory_bytes', 'gauge', 'MemoryCurrent of the gateway unit\'s cgroup.', (x) => x.memoryBytes);
  series('clawops_gateway_health_probe_seconds', 'gauge', 'How long the loopback health probe took (from the host, process start included).', (x) => (x.healthProbeMs === null ? null : Number((x.healthProbeMs / 1000).toFixed(3))));
  const l = rep.ledger;
  if (l && rep.profile === 'health') {
    out.push(
      '# HELP clawops_burnin_days Consecutive clean days of the go-live burn-in.', '# TYPE clawops_burnin_days gauge', `clawops_burnin_days ${l.burninDays}`,
      '# HELP clawops_burnin_target_days Clean days the sign-off needs (burnIn.days).', '# TYPE clawops_burnin_target_days gauge', `clawops_burnin_target_days ${l.burninTarget}`,
      '# HELP clawops_incidents_open Incidents in the ledger not resolved yet.', '# TYPE clawops_incidents_open gauge', `clawops_incidents_open ${l.openIncidents}`,
    );
  }
  return `${out.join('\n')}\n`;
}
