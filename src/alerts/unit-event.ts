/**
 * A gateway unit's crash or failure as a check result, for the alert book: started by the gateway
 * unit itself (ExecStopPost= on a crash, OnFailure= when it failed for good), so the alert goes out
 * within seconds instead of at the next timer tick. It carries the id of the check that will see
 * the same thing (service.active, service.start-limit), so the health timer's next passing run
 * resolves it and a failing one does not send it twice.
 */
import { serviceChecks, startLimitLatched } from '../checks/service.ts';
import { START_LIMIT_BURST } from '../openclaw/unit.ts';
import type { CheckResult } from '../checks/types.ts';
import type { UnitNow } from '../openclaw/probe.ts';

export type UnitEventKind = 'crash' | 'failed';

/** `openclaw:crash` -> instance and kind (the template unit's instance name). */
export function parseUnitEvent(arg: string): { instance: string; kind: UnitEventKind } | null {
  const m = /^([a-z][a-z0-9-]{0,30}):(crash|failed)$/.exec(arg);
  return m ? { instance: m[1]!, kind: m[2] as UnitEventKind } : null;
}

const EXIT_CODES: Record<string, string> = { '1': 'exited', '2': 'killed', '3': 'dumped core', exited: 'exited', killed: 'killed', dumped: 'dumped core' };

/** The result the alert book takes: the check that sees it, failing, with what systemd knows. */
export function unitEventResult(instance: string, unit: string, kind: UnitEventKind, u: UnitNow): CheckResult {
  const latched = kind === 'failed' && startLimitLatched(u.result, u.active, u.restarts, START_LIMIT_BURST);
  const def = serviceChecks.find((c) => c.id === (latched ? 'service.start-limit' : 'service.active'))!;
  const how = `${EXIT_CODES[u.code] ?? `code ${u.code || '?'}`} with status ${u.status || '?'}`;
  const evidence = latched
    ? `${unit} is latched by its start limit after ${u.restarts} restarts (last main process ${how}); systemd will not start it again by itself`
    : kind === 'failed'
      ? `${unit} failed (${u.result || '?'}: main process ${how}) and stays down: restarting cannot help (see its journal)`
      : `${unit} crashed: main process ${how} (${u.result || '?'}); systemd restarts it (restart ${u.restarts})`;
  return {
    id: def.id, title: def.title, area: def.area, severity: def.severity, instance, status: 'fail', evidence,
    remediation: `journalctl -u ${unit} -n 50 says why; ${def.remediation.replaceAll('<unit>', unit)}`, durationMs: 0,
  };
}
