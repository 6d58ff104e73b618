/**
 * A gateway unit's crash or failure as a check result, for the alert book: started by the gateway
 * unit itself (ExecStopPost= on a crash, OnFailure= when it failed for good), so the alert goes out
 * within seconds instead of at the next timer tick. It carries the id of the check that will see
 * the same thing (service.active, service.start-limit), so the health timer's next passing run
 * resolves it and a failing one does not send it twice.
 */
import { serviceChecks } from '../checks/service.ts';
import type { CheckResult } from '../checks/types.ts';

export type UnitEventKind = 'crash' | 'failed';

/** `systemctl show -p Result,ExecMainCode,ExecMainStatus,NRestarts,ActiveState` as a map. */
export type UnitShow = Record<string, string>;

export const UNIT_PROPS = ['Result', 'ExecMainCode', 'ExecMainStatus', 'NRestarts', 'ActiveState', 'SubState'];

/** `openclaw:crash` -> instance and kind (the template unit's instance name). */
export function parseUnitEvent(arg: string): { instance: string; kind: UnitEventKind } | null {
  const m = /^([a-z][a-z0-9-]{0,30}):(crash|failed)$/.exec(arg);
  return m ? { instance: m[1]!, kind: m[2] as UnitEventKind } : null;
}

const EXIT_CODES: Record<string, string> = { '1': 'exited', '2': 'killed', '3': 'dumped core' };

/** The result the alert book takes: the check that sees it, failing, with what systemd knows. */
export function unitEventResult(instance: string, unit: string, kind: UnitEventKind, show: UnitShow): CheckResult {
  const latched = kind === 'failed' && show.Result === 'start-limit-hit';
  const def = serviceChecks.find((c) => c.id === (latched ? 'service.start-limit' : 'service.active'))!;
  const how = `${EXIT_CODES[show.ExecMainCode ?? ''] ?? `code ${show.ExecMainCode ?? '?'}`} with status ${show.ExecMainStatus ?? '?'}`;
  const evidence = latched
    ? `${unit} is latched by its start limit after ${show.NRestarts ?? '?'} restarts (last main process ${how}); systemd will not start it again by itself`
    : kind === 'failed'
      ? `${unit} failed (${show.Result ?? '?'}: main process ${how}) and stays down: restarting cannot help (see its journal)`
      : `${unit} crashed: main process ${how} (${show.Result ?? '?'}); systemd restarts it (restart ${show.NRestarts ?? '?'})`;
  return {
    id: def.id, title: def.title, area: def.area, severity: def.severity, instance, status: 'fail', evidence,
    remediation: `journalctl -u ${unit} -n 50 says why; ${def.remediation.replaceAll('<unit>', unit)}`, durationMs: 0,
  };
}

export function parseShow(stdout: string): UnitShow {
  return Object.fromEntries(stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}
