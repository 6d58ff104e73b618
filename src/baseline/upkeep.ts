/**
 * Package upkeep of the host baseline: debsums (installed package files changed since they were
 * installed) and needrestart (services still running old libraries after an upgrade, a kernel
 * waiting for a reboot). needrestart only lists here: its apt hook never restarts a service itself
 * (the gateway restarts when the operator or clawops says so). Libraries and kernel only (`-l -k`):
 * its interpreter scan would have root read and run interpreters on what the service user controls.
 */
import { NOT_INSTALLED, scriptFact } from '../facts/probe.ts';
import { unknown } from '../facts/types.ts';

export const NEEDRESTART_CONF = '/etc/needrestart/conf.d/clawops.conf';
export const UPKEEP_PACKAGES = ['debsums', 'needrestart'] as const;

export function renderNeedrestartConf(): string {
  return [
    "# Managed by clawops (baseline.upkeep): list what needs a restart, never restart it from apt's hook",
    "$nrconf{restart} = 'l';",
    '# no interpreter scanning: root would run interpreters on scripts and paths the service user controls (CVE-2024-48990 and kin)',
    '$nrconf{interpscan} = 0;',
    '',
  ].join('\n');
}

export interface Debsums {
  /** changed files with their package, from `debsums -s` */
  changed: { path: string; pkg: string }[];
  /** files debsums could not check (missing, unreadable) */
  problems: string[];
}

// -s: silent but for errors; a changed file is `debsums: changed file PATH (from PKG package)`; exit 2 = changes
const DEBSUMS_SCRIPT = `command -v debsums >/dev/null 2>&1 || { echo "debsums: not installed" >&2; exit ${NOT_INSTALLED}; }
debsums -s 2>&1; echo "rc=$?"`;

export const debsums = scriptFact<Debsums>({
  kind: 'debsums',
  describe: 'installed package files whose content changed since installation (`debsums -s`)',
  script: DEBSUMS_SCRIPT,
  timeoutMs: 600_000,
  parse(out) {
    const rc = /^rc=(\d+)$/m.exec(out)?.[1];
    if (rc === undefined) return unknown('debsums: no exit status');
    const changed: Debsums['changed'] = [];
    const problems: string[] = [];
    for (const l of out.split('\n')) {
      const m = /^debsums: changed file (\S+) \(from (\S+) package\)$/.exec(l);
      if (m) changed.push({ path: m[1]!, pkg: m[2]! });
      else if (/^debsums: /.test(l)) problems.push(l.replace(/^debsums: /, ''));
    }
    if (rc !== '0' && rc !== '2' && changed.length === 0) return unknown(`debsums exit ${rc}: ${problems[0] ?? out.trim().slice(0, 200)}`);
    return { changed, problems };
  },
});

export interface Needrestart {
  /** services running old code */
  services: string[];
  /** NEEDRESTART-KSTA: 0 unknown, 1 current, 2 ABI-compatible upgrade pending, 3 version upgrade pending */
  kernel: { status: number; current: string; expected: string };
}

const NEEDRESTART_SCRIPT = `command -v needrestart >/dev/null 2>&1 || { echo "needrestart: not installed" >&2; exit ${NOT_INSTALLED}; }
needrestart -b -r l -l -k 2>/dev/null`;

export const needrestart = scriptFact<Needrestart>({
  kind: 'needrestart',
  describe: 'services running outdated libraries and a pending kernel (`needrestart -b`)',
  script: NEEDRESTART_SCRIPT,
  timeoutMs: 120_000,
  parse(out) {
    const field = (k: string) => new RegExp(`^NEEDRESTART-${k}: ?(.*)$`, 'm').exec(out)?.[1]?.trim();
    if (field('VER') === undefined) return unknown(`needrestart -b: unexpected output "${out.trim().slice(0, 120)}"`);
    const services = [...out.matchAll(/^NEEDRESTART-SVC: (\S+)$/gm)].map((m) => m[1]!);
    return { services, kernel: { status: Number(field('KSTA') ?? 0), current: field('KCUR') ?? '', expected: field('KEXP') ?? '' } };
  },
});
