/** ANSI styling that disappears when color is off (--no-color, NO_COLOR, or not a TTY). */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const wrap = (code: number, reset: number) => (s: string) => `\u001b[${code}m${s}\u001b[${reset}m`;

export function style(color: boolean): Style {
  if (!color) {
    const id = (s: string) => s;
    return { bold: id, dim: id, red: id, green: id, yellow: id };
  }
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}

/** Pads to a visible width (ANSI codes excluded). */
export function padEnd(s: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const visible = s.replace(/\u001b\[\d+m/g, '').length;
  return visible >= width ? s : s + ' '.repeat(width - visible);
}
