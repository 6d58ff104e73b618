/**
 * The gateway's memory over the last hours, as the health runs recorded it in the host's ledger
 * (ledger/record.ts, table samples): read with the sqlite3 shell on the target, read-only, so a
 * remote target answers too. Argument: `<ledger file>|<instance>|<hours>`.
 */
import { cmdProblem, firstLine, sh } from './probe.ts';
import { type FactKind, unknown } from './types.ts';

export interface MemorySamples {
  /** false: no ledger on the host yet (the check timers start it) */
  ledger: boolean;
  /** oldest first */
  points: { t: number; bytes: number }[];
}

const SCRIPT = `db=$1; inst=$2; hours=$3
[ -f "$db" ] || { echo NO-LEDGER; exit 0; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3: not installed" >&2; exit 127; }
case $inst in ''|*[!a-z0-9-]*) echo "not an instance name: $inst" >&2; exit 2;; esac
case $hours in ''|*[!0-9]*) echo "not a number of hours: $hours" >&2; exit 2;; esac
since=$(( $(date +%s) * 1000 - hours * 3600000 ))
exec sqlite3 -readonly -cmd '.timeout 5000' "$db" "SELECT at, memory_bytes FROM samples WHERE instance = '$inst' AND memory_bytes IS NOT NULL AND at >= $since ORDER BY at"`;

export const memoryArg = (ledgerFile: string, instance: string, hours: number): string => `${ledgerFile}|${instance}|${hours}`;

export const memorySamples: FactKind<MemorySamples> = {
  kind: 'ledger.memory',
  describe: 'the gateway memory the health runs recorded in the ledger over the last hours (sqlite3, read-only)',
  probe: (ex, arg) => sh(ex, SCRIPT, arg.split('|'), 20_000),
  parse(raw, arg) {
    const p = cmdProblem(raw, `ledger samples ${arg}`);
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('ledger samples: no answer');
    if (raw.stdout.trim() === 'NO-LEDGER') return { ledger: false, points: [] };
    // a ledger from before the samples were kept (schema 1) has no such table yet: no history
    if (raw.exitCode !== 0 && /no such table: samples/.test(raw.stderr)) return { ledger: true, points: [] };
    if (raw.exitCode !== 0) return unknown(`ledger samples: ${firstLine(raw.stderr) || `sqlite3 exit ${raw.exitCode}`}`);
    const points = raw.stdout.split('\n').flatMap((l) => {
      const m = /^(\d+)\|(\d+)$/.exec(l.trim());
      return m ? [{ t: Number(m[1]), bytes: Number(m[2]) }] : [];
    });
    return { ledger: true, points };
  },
};
