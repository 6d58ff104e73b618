/**
 * The unit's own account of why it stopped: the last lines of its journal (bounded: 50 lines,
 * each cut at 400 characters, one probe with a timeout), and a pure reading of the cause that a
 * failing `service.active` check and a failed apply settle both print: the exit status, and for
 * EX_CONFIG (78) the config key OpenClaw names ("OpenClaw config is invalid ... Problem: - KEY: why").
 */
import { cmdProblem, firstLine, sh } from './probe.ts';
import { type FactKind, unknown } from './types.ts';

export const JOURNAL_LINES = 50;
const MAX_LINE = 400;

export interface JournalValue {
  lines: string[];
}

export const unitJournal: FactKind<JournalValue> = {
  kind: 'unit.journal',
  describe: `the last ${JOURNAL_LINES} journal lines of a unit (\`journalctl -u UNIT -n ${JOURNAL_LINES} -o cat\`)`,
  probe: (ex, unit) =>
    sh(ex, `command -v journalctl >/dev/null 2>&1 || { echo "journalctl: not installed" >&2; exit 127; }
exec journalctl --no-pager -q -o cat -n ${JOURNAL_LINES} -u "$1"`, [unit], 15_000),
  parse(raw, unit) {
    const p = cmdProblem(raw, `journalctl -u ${unit}`);
    if (p) return p;
    if (raw.t !== 'cmd') return unknown(`journalctl -u ${unit}: no output`);
    if (raw.exitCode !== 0) return unknown(`journalctl -u ${unit}: ${firstLine(raw.stderr) || `exit ${raw.exitCode}`}`);
    return { lines: boundLines(raw.stdout) };
  },
};

export function boundLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-JOURNAL_LINES)
    .map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
}

export interface ExitInfo {
  /** ExecMainStatus (the exit status, or the signal number when killed) */
  status?: string;
  /** ExecMainCode: 1 exited, 2 killed, 3 dumped */
  code?: string;
  result?: string;
}

const EXIT_NAMES: Record<string, string> = { '78': 'EX_CONFIG: OpenClaw rejected its configuration; systemd does not restart it' };

/** The config keys OpenClaw names in its "config is invalid" report (9.x) or its one-line form. */
export function invalidConfigKeys(lines: readonly string[]): string[] {
  const keys: string[] = [];
  let inProblem = false;
  for (const raw of lines) {
    // the gateway's journal lines may carry a "[gateway]" or timestamp prefix
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    if (/(?:Problem|Legacy config keys detected):\s*$/.test(line)) {
      inProblem = true;
      continue;
    }
    const item = /^\s*[-•*]\s*([\w.[\]<>*-]+):\s*(.*)$/.exec(line);
    if (inProblem && item) {
      keys.push(`${item[1]}: ${item[2]}`.trim());
      continue;
    }
    inProblem = false;
    // 2026.9.6 at gateway start: "openclaw.json:2 — gateway: Unrecognized key: "x"" under "Invalid config at PATH:"
    const located = /^\s*\S+\.json5?:\d+\s+[—-]\s+([\w.[\]-]+):\s*(.+)$/.exec(line);
    if (located) {
      keys.push(`${located[1]}: ${located[2]}`);
      continue;
    }
    const inline = /Invalid config at \S+?:?\s+([\w.[\]-]+):\s*(.+)$/.exec(line) ?? /Config invalid[^(]*\(([\w.[\]-]+): ([^)]+)\)/.exec(line);
    if (inline) keys.push(`${inline[1]}: ${inline[2]}`);
  }
  return [...new Set(keys)];
}

const CAUSE_WORDS = /error|fail|invalid|refus|denied|cannot|EADDRINUSE|ENOSYS|EACCES/i;
const SYSTEMD_LINE = /^(?:\S+\.service: |Started |Starting |Stopped |Stopping )/;

/** One line: what stopped the unit, from its exit status and its journal. */
export function journalCause(lines: readonly string[], exit: ExitInfo = {}): string {
  const parts: string[] = [];
  if (exit.code === '2' || exit.code === '3') parts.push(`killed by signal ${exit.status ?? '?'}`);
  else if (exit.status !== undefined && exit.status !== '' && exit.status !== '0') {
    parts.push(`exit status ${exit.status}${EXIT_NAMES[exit.status] ? ` (${EXIT_NAMES[exit.status]})` : ''}`);
  }
  if (exit.result && exit.result !== 'success' && !parts.length) parts.push(`result ${exit.result}`);
  const keys = invalidConfigKeys(lines);
  if (keys.length) parts.push(`config: ${keys.slice(0, 5).join('; ')}`);
  else {
    // the program's own words first: systemd's "UNIT: Failed with result ..." lines only repeat the status
    const own = [...lines].reverse().filter((l) => !SYSTEMD_LINE.test(l));
    const last = own.find((l) => CAUSE_WORDS.test(l)) ?? [...lines].reverse().find((l) => CAUSE_WORDS.test(l));
    if (last) parts.push(`journal: ${last.trim()}`);
  }
  return parts.join('; ');
}
