/**
 * A tiny model of a systemd unit file: ordered sections of `Key=value` lines, each with an
 * optional comment, rendered deterministically. Values are escaped for the unit-file parser.
 */
import { ClawopsError } from '../core/errors.ts';

export interface UnitLine {
  key: string;
  value: string;
  /** a `# ...` comment written above the line */
  comment?: string;
}

export interface UnitSection {
  name: string;
  lines: UnitLine[];
}

export interface UnitModel {
  /** header comment lines (without `# `) */
  header: string[];
  sections: UnitSection[];
}

/** Values reach systemd verbatim: refuse anything that could break out of the line. */
export function assertUnitValue(value: string, what: string): void {
  if (/[\r\n\0]/.test(value)) {
    throw new ClawopsError(`${what} contains a line break or NUL, which cannot go into a systemd unit`, {
      hint: 'use a value without control characters',
    });
  }
}

/** A path or word inside ExecStart/Environment: quoted when it holds whitespace, quotes or backslashes; `%` doubled. */
export function unitWord(value: string): string {
  assertUnitValue(value, `unit value ${JSON.stringify(value)}`);
  const v = value.replaceAll('%', '%%');
  if (!/[\s"'\\]/.test(v)) return v;
  return `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** A path in a path-list directive (ReadWritePaths=, BindPaths=): spaces are not allowed unquoted. */
export function unitPath(path: string): string {
  return unitWord(path);
}

export function renderUnit(model: UnitModel): string {
  const out: string[] = model.header.map((l) => (l ? `# ${l}` : '#'));
  for (const section of model.sections) {
    if (out.length > 0) out.push('');
    out.push(`[${section.name}]`);
    for (const line of section.lines) {
      assertUnitValue(line.value, `${section.name}.${line.key}`);
      if (line.comment) for (const c of line.comment.split('\n')) out.push(`# ${c}`);
      out.push(`${line.key}=${line.value}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** Every value of `key` in `section` (in order). */
export function unitValues(model: UnitModel, section: string, key: string): string[] {
  return model.sections
    .filter((s) => s.name === section)
    .flatMap((s) => s.lines.filter((l) => l.key === key).map((l) => l.value));
}
