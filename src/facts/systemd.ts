/** systemd facts: unit state via one `systemctl show` for all units, and the exposure score. */
import { cmdProblem, firstLine, lastLine, sh } from './probe.ts';
import { type FactKind, type Raw, unknown } from './types.ts';

export const UNIT_PROPERTIES = [
  'Id', 'LoadState', 'ActiveState', 'SubState', 'UnitFileState', 'Result', 'MainPID', 'NRestarts', 'Restart',
  'FragmentPath', 'User', 'StartLimitBurst', 'StartLimitIntervalUSec', 'ExecMainStartTimestamp',
  'LastTriggerUSec', 'NextElapseUSecRealtime', 'Unit', 'DropInPaths', 'ExecMainStatus', 'ExecMainCode', 'MemoryCurrent',
] as const;

export type UnitValue = Record<string, string> & { Id: string; LoadState: string; ActiveState: string };

const NO_SYSTEMD = 'systemd is not running here (no systemd as PID 1)';

/** Splits `systemctl show -p ... A B C` output (blocks separated by blank lines, in order) per unit. */
export function splitShow(raw: Raw, units: readonly string[]): Map<string, Raw> {
  const out = new Map<string, Raw>();
  if (raw.t !== 'cmd' || raw.exitCode !== 0) {
    for (const u of units) out.set(u, raw);
    return out;
  }
  const blocks = raw.stdout.replace(/\n+$/, '').split(/\n\n/);
  units.forEach((u, i) => out.set(u, { ...raw, stdout: `${blocks[i] ?? ''}\n` }));
  return out;
}

export const systemdUnit: FactKind<UnitValue> = {
  kind: 'unit',
  describe: 'systemd unit properties (one `systemctl show -p ...` for all units)',
  probeMany: async (ex, units) =>
    splitShow(
      await sh(
        ex,
        `command -v systemctl >/dev/null 2>&1 || { echo "systemctl: not installed" >&2; exit 127; }
[ -d /run/systemd/system ] || { echo "${NO_SYSTEMD}" >&2; exit 127; }
exec systemctl show --no-pager -p ${UNIT_PROPERTIES.join(',')} -- "$@"`,
        units,
      ),
      units,
    ),
  parse(raw, arg) {
    const p = cmdProblem(raw, `systemctl show ${arg}`);
    if (p) return p;
    if (raw.t !== 'cmd') return unknown(`systemctl show ${arg}: no output`);
    if (raw.exitCode !== 0) return unknown(`systemctl show ${arg}: ${firstLine(raw.stderr) || `exit ${raw.exitCode}`}`);
    const props: Record<string, string> = {};
    for (const line of raw.stdout.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) props[line.slice(0, i)] = line.slice(i + 1);
    }
    if (!props.Id || !props.LoadState || !props.ActiveState) return unknown(`systemctl show ${arg}: unexpected output`);
    return props as UnitValue;
  },
};

/** systemd timestamps look like `Sat 2026-11-21 13:14:09 UTC`; empty or `n/a` when never. */
export function parseSystemdTime(s: string | undefined): number | undefined {
  if (!s || s === 'n/a' || s === '0') return undefined;
  const m = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?: (\S+))?/.exec(s);
  if (!m) return undefined;
  const tz = m[3] === undefined || m[3] === 'UTC' ? 'Z' : '';
  const t = Date.parse(`${m[1]}T${m[2]}${tz}`);
  return Number.isNaN(t) ? undefined : t;
}

export interface ExposureValue {
  score: number;
  level: string;
}

export const unitExposure: FactKind<ExposureValue> = {
  kind: 'systemd.exposure',
  describe: '`systemd-analyze security --offline=yes` exposure score of a unit file',
  probe: (ex, path) =>
    sh(ex, 'command -v systemd-analyze >/dev/null 2>&1 || { echo "systemd-analyze: not installed" >&2; exit 127; }; [ -f "$1" ] || { echo "$1: no such unit file" >&2; exit 127; }; exec systemd-analyze security --offline=yes --no-pager -- "$1"', [path], 20_000),
  parse(raw, arg) {
    const p = cmdProblem(raw, `systemd-analyze security ${arg}`);
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('systemd-analyze: no output');
    return parseExposure(raw.stdout) ?? unknown(`systemd-analyze security ${arg}: ${lastLine(raw.stderr) || 'no score in output'}`);
  },
};

export function parseExposure(text: string): ExposureValue | undefined {
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?) (\w+)/.exec(text);
  return m ? { score: Number(m[1]), level: m[2] ?? '' } : undefined;
}

/** A unit file's directives, `[Section] Key=Value` (repeated keys kept in order). */
export function parseUnitFile(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1] ?? '';
      continue;
    }
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const key = `${section}.${line.slice(0, i).trim()}`;
    out.set(key, [...(out.get(key) ?? []), line.slice(i + 1).trim()]);
  }
  return out;
}
