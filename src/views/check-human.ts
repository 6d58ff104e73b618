/** Human view of a check run: grouped by area with counts; every failure with its remediation. */
import { AREAS, type CheckResult, type Status } from '../checks/types.ts';
import { blocks } from '../checks/run.ts';
import type { CheckReport } from './check-report.ts';
import { padEnd, type Style } from './style.ts';

const MARK: Record<Status, string> = { pass: 'ok', fail: 'FAIL', unknown: '??', skipped: '--', waived: 'WAIVED' };

function paint(s: Style, st: Status, text: string): string {
  if (st === 'pass') return s.green(text);
  if (st === 'fail') return s.red(text);
  if (st === 'unknown' || st === 'waived') return s.yellow(text);
  return s.dim(text);
}

export function renderHuman(rep: CheckReport, s: Style, verbose = false): string[] {
  const lines: string[] = [];
  lines.push(s.bold(`clawops check — profile ${rep.profile} on ${rep.target}${rep.facts === 'live' ? '' : ` (facts from ${rep.facts})`}`));
  for (const area of AREAS) {
    const rs = rep.results.filter((r) => r.area === area);
    if (rs.length === 0) continue;
    const counts = (['pass', 'fail', 'unknown', 'waived', 'skipped'] as Status[]).filter((st) => rs.some((r) => r.status === st)).map((st) => `${rs.filter((r) => r.status === st).length} ${st}`);
    lines.push('', `${s.bold(area)} (${counts.join(', ')})`);
    for (const r of rs) lines.push(...renderResult(r, s, verbose));
  }
  const b = rep.summary.byStatus;
  lines.push('');
  lines.push(`${rep.summary.total} checks: ${b.pass} pass, ${b.fail} fail, ${b.unknown} unknown, ${b.waived} waived, ${b.skipped} skipped (${rep.durationMs} ms)`);
  const blocking = rep.results.filter((r) => blocks(r, rep.failOn, rep.allowUnknown));
  if (rep.summary.gate === 'pass') {
    lines.push(s.green(`Gate: PASSED (fail-on ${rep.failOn}${rep.allowUnknown ? ', unknown allowed' : ''})`));
  } else {
    const ids = blocking.map((r) => `${r.id}${r.instance && r.instance !== 'openclaw' ? `@${r.instance}` : ''}`);
    const shown = ids.length > 8 ? `${ids.slice(0, 8).join(', ')} and ${ids.length - 8} more` : ids.join(', ');
    lines.push(s.red(`Gate: FAILED — ${blocking.length} blocking (severity >= ${rep.failOn}, ${rep.allowUnknown ? 'failures' : 'failures and unknowns'}): ${shown}`));
    if (!rep.allowUnknown && blocking.some((r) => r.status === 'unknown')) lines.push(s.dim('  unknown = could not be verified here; it never counts as a pass (waive a specific id with a reason, or --allow-unknown)'));
  }
  return lines;
}

function renderResult(r: CheckResult, s: Style, verbose: boolean): string[] {
  const head = `  ${paint(s, r.status, padEnd(MARK[r.status], 6))} ${padEnd(r.severity, 8)} ${padEnd(r.id, 34)} ${r.title}`;
  const out = [head];
  if (r.status === 'fail' || r.status === 'unknown' || verbose || r.status === 'waived') out.push(s.dim(`         ${r.evidence}`));
  if (r.status === 'fail' || r.status === 'unknown') out.push(`         fix: ${r.remediation}`);
  if (r.waiver) out.push(s.dim(`         waived until ${r.waiver.expires}: ${r.waiver.reason}`));
  return out;
}
