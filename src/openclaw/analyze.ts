/**
 * `systemd-analyze security --offline=yes` of a unit file: the overall exposure score and the
 * directives still counted against it. Parsers are pure and tested on recorded output.
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';

export interface SecurityFinding {
  /** e.g. `PrivateNetwork=` or `CapabilityBoundingSet=~CAP_SYS_ADMIN` */
  name: string;
  description: string;
  exposure: number;
}

export interface SecurityReport {
  /** 0.0 (best) .. 10.0 */
  score: number;
  /** OK | MEDIUM | EXPOSED | UNSAFE ... as printed */
  level: string;
  /** directives that still add exposure (✗ lines), worst first */
  open: SecurityFinding[];
}

const OVERALL_RE = /Overall exposure level for \S+: (\d+(?:\.\d+)?) (\w+)/;

/** Parses the text output (the last line holds the score; ✗ lines carry their exposure in the last column). */
export function parseSecurityText(text: string): SecurityReport {
  const m = OVERALL_RE.exec(text);
  if (!m) {
    throw new ClawopsError('systemd-analyze security printed no overall exposure level', {
      hint: 'run `systemd-analyze security --offline=yes UNIT` by hand to see why',
    });
  }
  const open: SecurityFinding[] = [];
  for (const line of text.split('\n')) {
    const f = /^✗ (\S+)\s+(.*?)\s+(\d+\.\d)\s*$/.exec(line);
    if (f) open.push({ name: f[1] ?? '', description: f[2] ?? '', exposure: Number(f[3]) });
  }
  open.sort((a, b) => b.exposure - a.exposure || a.name.localeCompare(b.name));
  return { score: Number(m[1]), level: m[2] ?? '', open };
}

interface JsonCheck {
  set: boolean;
  name: string;
  description: string;
  exposure: string | null;
}

/** The `--json=short` form has every check but no overall line: the open findings only. */
export function parseSecurityJson(text: string): SecurityFinding[] {
  const checks = JSON.parse(text) as JsonCheck[];
  return checks
    .filter((c) => !c.set && c.exposure !== null)
    .map((c) => ({ name: c.name, description: c.description, exposure: Number(c.exposure) }))
    .sort((a, b) => b.exposure - a.exposure || a.name.localeCompare(b.name));
}

/**
 * Scores unit text on a target that has systemd-analyze (no running systemd needed): the unit is
 * written to a private temporary directory there and removed afterwards.
 */
export async function analyzeUnitSecurity(ex: Executor, unitName: string, unitText: string): Promise<SecurityReport> {
  const dir = (await ex.run(['mktemp', '-d', '/tmp/clawops-analyze-XXXXXX'])).stdout.trim();
  try {
    const path = `${dir}/${unitName}`;
    await ex.writeFile(path, unitText, { mode: 0o600 });
    const r = await ex.run(['systemd-analyze', 'security', '--offline=yes', '--no-pager', path], {
      env: { SYSTEMD_COLORS: '0' },
      timeoutMs: 30_000,
    });
    return parseSecurityText(r.stdout);
  } finally {
    await ex.run(['rm', '-rf', '--', dir], { allowFailure: true });
  }
}
