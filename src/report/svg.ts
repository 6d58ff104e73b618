/**
 * Inline SVG plots for the report: no script, no external reference. Each point is a mark carrying
 * its time and value (`data-t`, `data-v`) and a <title> a screen reader and a hover both read; a
 * target line (RPO, RTO, memory limit) is drawn dashed and named in the legend.
 */
import { esc } from '../views/escape.ts';

export interface PlotSeries {
  name: string;
  points: readonly { t: number; v: number; ok?: boolean }[];
}

export interface PlotOptions {
  id: string;
  title: string;
  unit: string;
  from: number;
  to: number;
  series: readonly PlotSeries[];
  target?: { value: number; label: string };
  /** bars (per day) instead of a line */
  bars?: boolean;
  format?: (v: number) => string;
}

const W = 640;
const H = 200;
const PAD = { l: 56, r: 12, t: 12, b: 28 };
const COLORS = ['#1f5fa8', '#b35900', '#2b7a3d', '#7a2b73'];

const fmt = (v: number): string => (Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100));

export function plot(o: PlotOptions): string {
  const f = o.format ?? fmt;
  const all = o.series.flatMap((s) => s.points.map((p) => p.v));
  const top = Math.max(1e-9, ...all, o.target?.value ?? 0) * 1.1;
  const span = Math.max(1, o.to - o.from);
  const x = (t: number) => PAD.l + ((t - o.from) / span) * (W - PAD.l - PAD.r);
  const y = (v: number) => H - PAD.b - (v / top) * (H - PAD.t - PAD.b);
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const when = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  // the axis says the hour too when the window is short
  const edge = span < 2 * 86_400_000 ? when : day;
  const parts: string[] = [];
  // axes: zero, the top value, the first and last day
  parts.push(`<line class="axis" x1="${PAD.l}" y1="${y(0)}" x2="${W - PAD.r}" y2="${y(0)}"/>`);
  parts.push(`<text class="tick" x="${PAD.l - 4}" y="${y(0)}" text-anchor="end">0</text>`);
  if (top / 1.1 > 1e-6) parts.push(`<text class="tick" x="${PAD.l - 4}" y="${y(top / 1.1) + 4}" text-anchor="end">${esc(f(top / 1.1))}</text>`);
  parts.push(`<text class="tick" x="${PAD.l}" y="${H - 8}">${edge(o.from)}</text>`);
  parts.push(`<text class="tick" x="${W - PAD.r}" y="${H - 8}" text-anchor="end">${edge(o.to)}</text>`);
  if (o.target) {
    parts.push(`<line class="target" x1="${PAD.l}" y1="${y(o.target.value).toFixed(1)}" x2="${W - PAD.r}" y2="${y(o.target.value).toFixed(1)}"><title>${esc(o.target.label)}</title></line>`);
  }
  o.series.forEach((s, n) => {
    const color = COLORS[n % COLORS.length]!;
    if (o.bars) {
      const bw = Math.min(40, Math.max(2, ((W - PAD.l - PAD.r) / Math.max(1, span / 86_400_000)) * 0.7));
      for (const p of s.points) {
        const left = Math.min(W - PAD.r - bw, Math.max(PAD.l, x(p.t) - bw / 2));
        parts.push(`<rect class="point" data-t="${p.t}" data-v="${p.v}" x="${left.toFixed(1)}" y="${y(p.v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - y(p.v)).toFixed(1)}" fill="${color}"><title>${esc(`${s.name} ${day(p.t)}: ${f(p.v)} ${o.unit}`)}</title></rect>`);
      }
      return;
    }
    if (s.points.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}"/>`);
    for (const p of s.points) {
      const failed = p.ok === false;
      parts.push(`<circle class="point${failed ? ' failed' : ''}" data-t="${p.t}" data-v="${p.v}" cx="${x(p.t).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="${failed ? 4 : 2.5}" fill="${failed ? '#b00020' : color}"><title>${esc(`${s.name} ${when(p.t)}: ${f(p.v)} ${o.unit}${failed ? ' (FAILED)' : ''}`)}</title></circle>`);
    }
  });
  const legend = [
    ...o.series.map((s, n) => `<span class="key"><span class="swatch" style="background:${COLORS[n % COLORS.length]}"></span>${esc(s.name)}</span>`),
    ...(o.target ? [`<span class="key"><span class="swatch target"></span>${esc(o.target.label)}</span>`] : []),
  ];
  const empty = o.series.every((s) => s.points.length === 0);
  return `<figure class="plot" id="${esc(o.id)}"><figcaption>${esc(o.title)} <span class="unit">(${esc(o.unit)})</span></figcaption>` +
    (empty ? '<p class="none">No data in the ledger for this period.</p>' : `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}"><title>${esc(o.title)}</title>${parts.join('')}</svg>`) +
    `<div class="legend">${legend.join(' ')}</div></figure>`;
}
