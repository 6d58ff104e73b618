/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script, no font, no image or
 * link that leaves the file, so it opens from file:// offline and can be attached to a sign-off.
 * Status is always a word (PASS, FAIL, ...), colour only repeats it; sections are reached from the
 * contents by keyboard; a print stylesheet keeps tables whole on paper.
 */
import type { Status } from '../checks/types.ts';
import { esc } from '../views/escape.ts';
import type { ReportData } from './model.ts';
import { plot } from './svg.ts';

const CSS = `
:root { color-scheme: light; --fg: #1b1b1b; --muted: #555; --line: #d0d0d0; --pass: #1e6b34; --fail: #a00018; --warn: #8a5a00; --unknown: #5b3f8c; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; }
h1 { font-size: 1.6em; margin: .2em 0; } h2 { margin-top: 1.8em; border-bottom: 2px solid var(--line); padding-bottom: .2em; } h3 { margin-bottom: .3em; }
a { color: #0b4f9c; } a:focus, summary:focus { outline: 3px solid #f0b400; outline-offset: 2px; }
.meta { color: var(--muted); }
nav ul { display: flex; flex-wrap: wrap; gap: .4em 1.2em; padding: 0; list-style: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card .big { font-size: 1.5em; font-weight: 700; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 4px 6px; }
th { background: #f3f3f3; }
td.ev { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85em; white-space: pre-wrap; word-break: break-word; }
.st { font-weight: 700; white-space: nowrap; }
.st-pass { color: var(--pass); } .st-fail { color: var(--fail); } .st-unknown { color: var(--unknown); } .st-warn, .st-waived { color: var(--warn); } .st-skipped { color: var(--muted); }
.fix { margin-top: .3em; } .fix b { color: var(--fail); }
.calendar { display: grid; grid-template-columns: repeat(7, 1fr); gap: 4px; max-width: 720px; }
.day { border: 1px solid var(--line); border-radius: 4px; padding: 4px; font-size: .8em; min-height: 3.4em; }
.day.clean { background: #e3f3e6; } .day.unclean { background: #fbe3e6; } .day.none { background: #f4f4f4; }
.day .word { font-weight: 700; display: block; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; }
figure.plot { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
figcaption { font-weight: 600; } .unit, .none { color: var(--muted); font-weight: 400; }
svg { width: 100%; height: auto; } svg .axis { stroke: #888; } svg .target { stroke: var(--fail); stroke-dasharray: 6 4; } svg .tick { font-size: 11px; fill: var(--muted); }
.legend { font-size: .85em; color: var(--muted); } .key { margin-right: 1em; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: middle; border-radius: 2px; } .swatch.target { border-top: 2px dashed var(--fail); height: 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; } nav { display: none; }
  h2 { break-after: avoid; } tr, figure, .card, .day { break-inside: avoid; } a { color: inherit; text-decoration: none; }
}
`;

const WORD: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN', skipped: 'SKIPPED', waived: 'WAIVED' };
const status = (s: Status, severity?: string): string => {
  const cls = s === 'fail' && severity && severity !== 'critical' ? 'warn' : s;
  return `<span class="st st-${cls}">${WORD[s]}</span>`;
};
/** the id of a check's row in the gate table (a link target from the list of what is not passing) */
const rowId = (x: { id: string; instance?: string }): string => `check-${esc(x.id)}${x.instance ? `-${esc(x.instance)}` : ''}`;
const when = (iso: string | null): string => (iso ? esc(iso.slice(0, 16).replace('T', ' ')) : '—');
const mb = (v: number) => `${(v / 1_048_576).toFixed(1)}`;

export function renderHtml(d: ReportData): string {
  const c = d.gate.counts;
  const open = d.incidents.filter((i) => i.state !== 'resolved').length;
  const sections: [string, string, string][] = [
    ['summary', 'Summary', summary(d, open)],
    ['gate', 'Go-live gate', gate(d)],
    ['burnin', 'Burn-in', burnin(d)],
    ['incidents', 'Incidents', incidents(d)],
    ['plots', 'Over time', plots(d)],
    ['versions', 'Versions', versions(d)],
    ['exposure', 'Exposure', exposure(d)],
    ['signoff', 'Sign-off', signoff(d)],
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>clawops report: ${esc(d.host)} (${d.gate.result === 'pass' ? 'gate PASS' : 'gate FAIL'})</title>
<style>${CSS}</style></head>
<body>
<header><h1>OpenClaw gateway on ${esc(d.host)}: go-live gate ${status(d.gate.result)}</h1>
<p class="meta">Generated ${when(d.generatedAt)} UTC by clawops ${esc(d.versions.clawops)} · ${c.pass} pass, ${c.fail} fail, ${c.unknown} unknown, ${c.waived} waived, ${c.skipped} skipped · ledger window ${d.days} days</p></header>
<nav aria-label="Contents"><ul>${sections.map(([id, title]) => `<li><a href="#${id}">${esc(title)}</a></li>`).join('')}</ul></nav>
<main>${sections.map(([id, title, body]) => `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${esc(title)}</h2>${body}</section>`).join('\n')}</main>
</body></html>
`;
}

function summary(d: ReportData, open: number): string {
  const card = (label: string, big: string, sub: string) => `<div class="card"><div>${esc(label)}</div><div class="big">${big}</div><div class="meta">${sub}</div></div>`;
  const lastBackup = [...d.series.backups].reverse().find((b) => b.ok);
  const lastDrill = [...d.series.drills].reverse()[0];
  return `<div class="cards">${[
    card('Go-live gate', status(d.gate.result), `${d.gate.blocking} blocking`),
    card('Burn-in', `day ${d.burnin.streak} of ${d.burnin.target}`, d.burnin.complete ? 'complete' : 'in progress'),
    card('Open incidents', String(open), `${d.incidents.length} in the window`),
    card('Sign-off', d.signoff ? 'SIGNED OFF' : 'NOT YET', d.signoff ? `${when(d.signoff.at)} by ${esc(d.signoff.by)}` : 'clawops signoff'),
    card('Last good backup', lastBackup ? when(new Date(lastBackup.t).toISOString()) : 'NONE', `RPO ${d.targets.rpoHours} h`),
    card('Last drill', lastDrill ? (lastDrill.ok ? 'PASS' : 'FAIL') : 'NONE', lastDrill?.rtoSeconds != null ? `RTO ${lastDrill.rtoSeconds.toFixed(1)} s of ${d.targets.rtoHours} h` : `RTO target ${d.targets.rtoHours} h`),
  ].join('')}</div>${blocking(d)}`;
}

/** What stands between this host and go-live, first: each check not passing, linked to its row below. */
function blocking(d: ReportData): string {
  const open = d.gate.areas.flatMap((a) => a.checks).filter((x) => x.status === 'fail' || x.status === 'unknown');
  if (open.length === 0) return '<p>Every go-live check passes or is waived.</p>';
  return `<h3>Not passing (${open.length})</h3><table><thead><tr><th scope="col">Status</th><th scope="col">Check</th><th scope="col">Fix</th></tr></thead><tbody>${open.map((x) =>
    `<tr><td>${status(x.status, x.severity)}</td><td><a href="#${rowId(x)}"><code>${esc(x.id)}</code></a>${x.instance ? ` [${esc(x.instance)}]` : ''}</td><td>${esc(x.remediation)}</td></tr>`).join('')}</tbody></table>`;
}

function gate(d: ReportData): string {
  const rows = d.gate.areas.map((a) => {
    const failing = a.checks.filter((x) => x.status === 'fail' || x.status === 'unknown').length;
    const body = a.checks.map((x) => `<tr id="${rowId(x)}"><td>${status(x.status, x.severity)}</td><td>${esc(x.severity)}</td><td><code>${esc(x.id)}</code>${x.instance ? ` [${esc(x.instance)}]` : ''}<br>${esc(x.title)}</td>` +
      `<td class="ev">${esc(x.evidence)}${x.status === 'pass' || x.status === 'skipped' ? '' : `<div class="fix"><b>Fix:</b> ${esc(x.remediation)}</div>`}${x.waiver ? `<div class="fix">Waived until ${esc(x.waiver.expires)}: ${esc(x.waiver.reason)}</div>` : ''}</td></tr>`).join('');
    return `<h3>${esc(a.area)} <span class="meta">(${a.checks.length} checks${failing ? `, ${failing} not passing` : ''})</span></h3>
<table><thead><tr><th scope="col">Status</th><th scope="col">Severity</th><th scope="col">Check</th><th scope="col">Evidence</th></tr></thead><tbody>${body}</tbody></table>`;
  });
  const waivers = d.waivers.length
    ? `<h3>Waivers</h3><table><thead><tr><th scope="col">Check</th><th scope="col">Reason</th><th scope="col">Expires</th></tr></thead><tbody>${d.waivers.map((w) => `<tr><td><code>${esc(w.id)}</code></td><td>${esc(w.reason)}</td><td>${esc(w.expires)}${w.expired ? ' <span class="st st-fail">EXPIRED</span>' : ''}</td></tr>`).join('')}</tbody></table>`
    : '<p>No waivers.</p>';
  return `<p class="meta">Profile ${esc(d.gate.profile)}, run ${when(d.gate.startedAt)} UTC.</p>${rows.join('\n')}${waivers}`;
}

function burnin(d: ReportData): string {
  const cells = d.burnin.days.map((day) => {
    const none = day.reasons.some((r) => /no health run/.test(r));
    const cls = day.clean ? 'clean' : none ? 'none' : 'unclean';
    const word = day.clean ? 'CLEAN' : none ? 'NO DATA' : 'UNCLEAN';
    return `<div class="day ${cls}" title="${esc(day.reasons.join('; ') || 'clean')}"><span>${esc(day.day.slice(5))}</span><span class="word">${word}</span></div>`;
  });
  const unclean = d.burnin.days.filter((x) => !x.clean && x.reasons.length);
  return `<p>Day <b>${d.burnin.streak}</b> of ${d.burnin.target} clean days in a row${d.burnin.complete ? ' (burn-in complete)' : ''}.</p>
<div class="calendar" role="list" aria-label="Days, oldest first">${cells.map((c) => c.replace('<div class="day', '<div role="listitem" class="day')).join('')}</div>
${unclean.length ? `<h3>Why a day was not clean</h3><ul>${unclean.slice(-14).map((x) => `<li>${esc(x.day)}: ${esc(x.reasons.join('; '))}</li>`).join('')}</ul>` : ''}`;
}

function incidents(d: ReportData): string {
  if (d.incidents.length === 0) return '<p>No incident in the window.</p>';
  return `<table><thead><tr><th scope="col">#</th><th scope="col">State</th><th scope="col">Severity</th><th scope="col">What</th><th scope="col">Opened</th><th scope="col">Acknowledged</th><th scope="col">Resolved</th></tr></thead><tbody>${d.incidents.map((i) =>
    `<tr><td>${i.id}</td><td><span class="st st-${i.state === 'resolved' ? 'pass' : 'fail'}">${i.state.toUpperCase()}</span>${i.occurrences > 1 ? ` (${i.occurrences}x)` : ''}</td><td>${esc(i.severity)}</td><td>${esc(i.title)}${i.resolveNote ? `<br><span class="meta">${esc(i.resolveNote)}</span>` : ''}</td><td>${when(i.openedAt)}</td><td>${when(i.ackedAt)}</td><td>${when(i.resolvedAt)}</td></tr>`).join('')}</tbody></table>`;
}

function plots(d: ReportData): string {
  const s = d.series;
  const base = { from: s.from, to: s.to };
  const gw = (pick: (g: ReportData['series']['gateways'][number]) => { t: number; v: number }[], scale = 1) => s.gateways.map((g) => ({ name: g.instance, points: pick(g).map((p) => ({ t: p.t, v: p.v / scale })) }));
  const ok = <T extends { t: number; ok: boolean }>(xs: readonly T[], v: (x: T) => number | null) => xs.flatMap((x) => (v(x) === null ? [] : [{ t: x.t, v: v(x)!, ok: x.ok }]));
  return `<div class="plots">${[
    plot({ ...base, id: 'plot-health', title: 'Health probe time', unit: 'ms', series: gw((g) => g.healthMs) }),
    plot({ ...base, id: 'plot-memory', title: 'Gateway memory', unit: 'MiB', series: gw((g) => g.memoryBytes, 1_048_576) }),
    plot({ ...base, id: 'plot-restarts', title: 'Gateway restarts (systemd counter)', unit: 'restarts', series: gw((g) => g.restarts) }),
    plot({ ...base, id: 'plot-failures', title: 'Check runs with a critical failure, per day', unit: 'runs', bars: true, series: [{ name: 'failed runs', points: s.days.map((x) => ({ t: Date.parse(`${x.day}T12:00:00Z`), v: x.failedRuns })) }] }),
    plot({ ...base, id: 'plot-backup-size', title: 'Backup: data added per run', unit: 'MiB', series: [{ name: 'added', points: ok(s.backups, (b) => (b.bytesAdded === null ? null : Number(mb(b.bytesAdded)))) }] }),
    plot({ ...base, id: 'plot-backup-duration', title: 'Backup duration', unit: 's', series: [{ name: 'duration', points: ok(s.backups, (b) => (b.durationMs === null ? null : b.durationMs / 1000)) }] }),
    plot({ ...base, id: 'plot-backup-age', title: 'Backup age when the next one ran, against the RPO', unit: 'h', target: { value: d.targets.rpoHours, label: `RPO ${d.targets.rpoHours} h` }, series: [{ name: 'age', points: ok(s.backups, (b) => b.ageHours) }] }),
    plot({ ...base, id: 'plot-drill-rto', title: 'Restore drill RTO, against the target', unit: 's', target: { value: d.targets.rtoHours * 3600, label: `RTO ${d.targets.rtoHours} h` }, series: [{ name: 'RTO', points: ok(s.drills, (x) => x.rtoSeconds) }] }),
  ].join('')}</div>`;
}

function versions(d: ReportData): string {
  const v = d.versions;
  const rows = [
    ['clawops', esc(v.clawops)],
    ['OpenClaw', v.openclaw ? esc(v.openclaw) : 'unknown'],
    ['Node.js', v.node ? esc(v.node) : 'unknown'],
    ...v.knownGood.map((k) => [`known-good (${esc(k.instance)})`, `${esc(k.version)}${k.recordedAt ? `, recorded ${when(k.recordedAt)}` : ''}`]),
    ['last upgrade or rollback', v.lastUpgrade ? `${when(v.lastUpgrade.at)} ${v.lastUpgrade.ok ? 'ok' : '<span class="st st-fail">FAILED</span>'}: ${esc(v.lastUpgrade.summary)}` : 'none recorded'],
  ];
  return `<table><tbody>${rows.map(([k, x]) => `<tr><th scope="row">${k}</th><td>${x}</td></tr>`).join('')}</tbody></table>`;
}

function exposure(d: ReportData): string {
  if (d.exposure.length === 0) return '<p>No exposure check in this run.</p>';
  return `<table><thead><tr><th scope="col">Status</th><th scope="col">Check</th><th scope="col">Evidence</th></tr></thead><tbody>${d.exposure.map((x) => `<tr><td>${status(x.status)}</td><td><code>${esc(x.id)}</code></td><td class="ev">${esc(x.evidence)}</td></tr>`).join('')}</tbody></table>`;
}

function signoff(d: ReportData): string {
  if (!d.signoff) return '<p><span class="st st-unknown">NOT SIGNED OFF</span>. `clawops signoff` records it once the burn-in is complete and the gate passes.</p>';
  return `<p>Signed off ${when(d.signoff.at)} UTC by <b>${esc(d.signoff.by)}</b>. Frozen items (the <code>config.frozen</code> check reports any change):</p>
<table><thead><tr><th scope="col">Item</th><th scope="col">Digest</th></tr></thead><tbody>${d.signoff.frozen.map((f) => `<tr><td>${esc(f.item)}</td><td class="ev">${esc(f.digest)}</td></tr>`).join('')}</tbody></table>`;
}
