/**
 * An index page over several hosts' reports (`clawops report --fleet DIR... --out INDEX`): one row
 * per host with its gate, blocking checks, burn-in, open incidents, sign-off and last backup, linked
 * (relative path) to that host's page. Built from each directory's report.json, never from HTML.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ClawopsError } from '../core/errors.ts';
import { esc } from '../views/escape.ts';
import { REPORT_SCHEMA_VERSION, type ReportData } from './model.ts';

export interface FleetRow {
  host: string;
  /** the host's page, relative to the index */
  href: string;
  gate: 'pass' | 'fail';
  blocking: number;
  burnin: string;
  openIncidents: number;
  signedOff: string | null;
  lastGoodBackup: string | null;
  generatedAt: string;
}

export function readFleet(dirs: readonly string[], indexDir: string): FleetRow[] {
  return dirs.map((dir) => {
    const file = join(dir, 'report.json');
    let d: ReportData;
    try {
      d = JSON.parse(readFileSync(file, 'utf8')) as ReportData;
    } catch (err) {
      throw new ClawopsError(`cannot read ${file}: ${(err as Error).message}`, { hint: 'give directories written by `clawops report --out DIR`' });
    }
    if (d.schemaVersion !== REPORT_SCHEMA_VERSION || !d.gate || !d.burnin) throw new ClawopsError(`${file} is not a clawops report (schemaVersion ${REPORT_SCHEMA_VERSION})`, { hint: 'write it again with this clawops: `clawops report --out DIR`' });
    const good = d.series.backups.filter((b) => b.ok).at(-1);
    return {
      host: d.host, href: relative(indexDir, join(dir, 'index.html')), gate: d.gate.result, blocking: d.gate.blocking,
      burnin: `day ${d.burnin.streak} of ${d.burnin.target}`, openIncidents: d.incidents.filter((i) => i.state !== 'resolved').length,
      signedOff: d.signoff?.at ?? null, lastGoodBackup: good ? new Date(good.t).toISOString() : null, generatedAt: d.generatedAt,
    };
  });
}

export function renderFleet(rows: readonly FleetRow[], now: Date): string {
  const when = (iso: string | null) => (iso ? esc(iso.slice(0, 16).replace('T', ' ')) : '—');
  const failing = rows.filter((r) => r.gate === 'fail').length;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>clawops fleet: ${rows.length} hosts, ${failing} failing</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:16px 24px}table{border-collapse:collapse;width:100%}th,td{text-align:left;border-bottom:1px solid #d0d0d0;padding:4px 6px}th{background:#f3f3f3}.pass{color:#1e6b34;font-weight:700}.fail{color:#a00018;font-weight:700}a:focus{outline:3px solid #f0b400}@media print{a{color:inherit}}</style></head>
<body><h1>OpenClaw gateways: ${rows.length} hosts, ${failing} with the go-live gate failing</h1>
<p>Index built ${when(now.toISOString())} UTC from each host's report.json.</p>
<table><thead><tr><th scope="col">Host</th><th scope="col">Go-live gate</th><th scope="col">Blocking</th><th scope="col">Burn-in</th><th scope="col">Open incidents</th><th scope="col">Signed off</th><th scope="col">Last good backup</th><th scope="col">Report of</th></tr></thead><tbody>
${rows.map((r) => `<tr><td><a href="${esc(r.href)}">${esc(r.host)}</a></td><td class="${r.gate}">${r.gate.toUpperCase()}</td><td>${r.blocking}</td><td>${esc(r.burnin)}</td><td>${r.openIncidents}</td><td>${when(r.signedOff)}</td><td>${when(r.lastGoodBackup)}</td><td>${when(r.generatedAt)}</td></tr>`).join('\n')}
</tbody></table></body></html>
`;
}
