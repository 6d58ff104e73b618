/** Prometheus text exposition (node_exporter textfiles): gauges, each with its HELP and TYPE lines. */

export type Labels = Readonly<Record<string, string>>;
export type Sample = readonly [Labels, number | string];

/** A label value with `\`, `"` and newlines escaped. */
export const promLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Seconds since the epoch of an ISO time (0 when absent). */
export const unixSeconds = (iso: string | undefined): number => (iso ? Math.round(Date.parse(iso) / 1000) : 0);

/** One gauge: HELP, TYPE, then a line per sample (`name{k="v",...} value`, no braces without labels). */
export function gauge(name: string, help: string, samples: readonly Sample[]): string[] {
  const series = (l: Labels) => {
    const kv = Object.entries(l).map(([k, v]) => `${k}="${promLabel(v)}"`);
    return kv.length ? `${name}{${kv.join(',')}}` : name;
  };
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map(([l, v]) => `${series(l)} ${v}`)];
}

export const exposition = (lines: readonly string[]): string => `${lines.join('\n')}\n`;
