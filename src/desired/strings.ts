/**
 * Strings in the spec end up in config files, systemd units, command lines and messages, where a
 * newline or another control character starts a new directive, line or field (an `ExecStart=` smuggled
 * in a value). So every string, keys included, is refused when it holds one, wherever it is in the file
 * (unknown fields and free-form maps like docker.daemon too); the few fields where a newline or a tab is
 * legitimate are listed here, by path, with what they may hold.
 */

/** C0 controls (tab and newline included), DEL, C1 controls, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/u;

/** path pattern (`[]` for any list index) -> the control characters allowed there */
export const CONTROL_ALLOWED: Readonly<Record<string, string>> = {
  // an alert command's argv goes to execve as it is (no shell, no unit line): `sh -c` scripts may span lines
  'monitoring.alerts[].argv[]': '\n\t',
};

const NAMES: Record<number, string> = { 0: 'NUL', 9: 'tab', 10: 'newline', 13: 'carriage return', 27: 'escape' };

/** Why this string may not be at `pattern` (see patternOf), or undefined when it may. */
export function controlProblem(value: string, pattern: string, isKey = false): string | undefined {
  if (!CONTROL.test(value)) return undefined;
  const allowed = isKey ? '' : (CONTROL_ALLOWED[pattern] ?? '');
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (!CONTROL.test(ch) || allowed.includes(ch)) continue;
    const code = ch.charCodeAt(0);
    const hex = code.toString(16).toUpperCase().padStart(4, '0');
    const name = NAMES[code] ? ` (${NAMES[code]})` : '';
    return `${isKey ? 'key' : 'value'} holds the control character U+${hex}${name} at character ${i + 1}: ` +
      'strings here end up in config files, units and command lines, where it would start a new line or field';
  }
  return undefined;
}

/** `monitoring.alerts[0].argv[2]` -> `monitoring.alerts[].argv[]`, the form CONTROL_ALLOWED is keyed by. */
export function patternOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? '[]' : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
