/** The catalogue views: `clawops checks list` (table / JSON) and the generated go-live checklist. */
import { AREAS, type CheckDef } from '../checks/types.ts';
import { padEnd } from './style.ts';

export interface CatalogueEntry {
  id: string;
  title: string;
  area: string;
  severity: string;
  profiles: string[];
  scope: string;
  runbook: string;
  remediation: string;
}

export function catalogueEntries(defs: readonly CheckDef[]): CatalogueEntry[] {
  return defs.map((d) => ({ id: d.id, title: d.title, area: d.area, severity: d.severity, profiles: [...d.profiles], scope: d.scope, runbook: d.runbook, remediation: d.remediation }));
}

export function renderCatalogueTable(defs: readonly CheckDef[]): string[] {
  const lines = [`${padEnd('ID', 34)} ${padEnd('SEVERITY', 9)} ${padEnd('PROFILES', 40)} TITLE`];
  for (const d of defs) lines.push(`${padEnd(d.id, 34)} ${padEnd(d.severity, 9)} ${padEnd(d.profiles.join(','), 40)} ${d.title}`);
  lines.push('', `${defs.length} checks. Details (runbook step, remediation): clawops checks list --json`);
  return lines;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderChecklistMarkdown(defs: readonly CheckDef[]): string {
  const out = [
    '# Validation and go-live checklist',
    '',
    '<!-- Generated from the check catalogue by `npm run docs` (scripts/gen-checklist.ts). Do not edit by hand. -->',
    '',
    'Every verification in the runbooks, automated as a `clawops check` id. Run the whole gate with',
    '`clawops check` (profile `go-live`); the scheduled timers run the other profiles.',
    '',
    'Results are `pass`, `fail`, `unknown` (could not be verified here: never a pass), `skipped` (not',
    'applicable to this spec) or `waived` (a waiver with a reason and an expiry). The gate exits 2 when a',
    'check of severity >= `--fail-on` (default `warn`) fails or, unless `--allow-unknown`, is unknown.',
    '',
    `${defs.length} checks.`,
  ];
  for (const area of AREAS) {
    const ds = defs.filter((d) => d.area === area);
    if (!ds.length) continue;
    out.push('', `## ${area}`, '', '| id | check | severity | profiles | runbook step | remediation |', '|---|---|---|---|---|---|');
    for (const d of ds) out.push(`| \`${d.id}\` | ${cell(d.title)} | ${d.severity} | ${d.profiles.join(', ')} | ${cell(d.runbook)} | ${cell(d.remediation)} |`);
  }
  return `${out.join('\n')}\n`;
}
