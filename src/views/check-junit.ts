/** JUnit XML of a check run: one testsuite per area, one testcase per result. */
import { AREAS } from '../checks/types.ts';
import type { CheckReport } from './check-report.ts';
import { esc } from './escape.ts';

export function renderJunit(rep: CheckReport): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const b = rep.summary.byStatus;
  out.push(`<testsuites name="clawops check ${esc(rep.profile)}" tests="${rep.summary.total}" failures="${b.fail}" errors="${b.unknown}" skipped="${b.skipped + b.waived}" time="${(rep.durationMs / 1000).toFixed(3)}">`);
  for (const area of AREAS) {
    const rs = rep.results.filter((r) => r.area === area);
    if (!rs.length) continue;
    const n = (st: string) => rs.filter((r) => r.status === st).length;
    out.push(`  <testsuite name="${area}" tests="${rs.length}" failures="${n('fail')}" errors="${n('unknown')}" skipped="${n('skipped') + n('waived')}">`);
    for (const r of rs) {
      const name = `${r.id}${r.instance ? ` [${r.instance}]` : ''}`;
      out.push(`    <testcase classname="clawops.${area}" name="${esc(name)}" time="${(r.durationMs / 1000).toFixed(3)}">`);
      if (r.status === 'fail') out.push(`      <failure type="${r.severity}" message="${esc(r.evidence)}">${esc(`fix: ${r.remediation}`)}</failure>`);
      else if (r.status === 'unknown') out.push(`      <error type="unknown" message="${esc(r.evidence)}">${esc(`fix: ${r.remediation}`)}</error>`);
      else if (r.status === 'skipped') out.push(`      <skipped message="${esc(r.evidence)}"/>`);
      else if (r.status === 'waived') out.push(`      <skipped message="${esc(`waived until ${r.waiver?.expires}: ${r.waiver?.reason}; ${r.evidence}`)}"/>`);
      out.push(`      <system-out>${esc(`${r.title}\n${r.evidence}`)}</system-out>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
