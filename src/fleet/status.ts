/**
 * `clawops status --inventory FILE`: each host of an Ansible inventory at a glance, read over SSH
 * with bounded parallelism by the clawops installed there (the role or `clawops apply` put it
 * there): its go-live gate, run now and read-only (`check --format json --no-record-known-good`),
 * and from its ledger the burn-in, open incidents and sign-off (`status --json`). A host that
 * cannot be reached, or has no clawops, is reported with the reason; the others still report.
 */
import { remoteLedgerCommand } from '../ledger/host.ts';
import type { Executor } from '../exec/types.ts';
import type { CheckReport } from '../views/check-report.ts';
import { blockingOf, type Blocking } from './gate-view.ts';
import { hostTarget, type InventoryHost } from './inventory.ts';

export interface HostStatus {
  host: string;
  target: string | null;
  reachable: boolean;
  /** why it could not be read (unreachable, no clawops there, a bad connection variable) */
  error?: string;
  gate?: { result: 'pass' | 'fail'; total: number; blocking: Blocking[] };
  burnin?: { streak: number; target: number; complete: boolean };
  incidents?: number;
  signedOff?: { at: string; by: string } | null;
  /** connection options of the inventory clawops did not use */
  ignored?: string[];
  ms: number;
}

export interface FleetOptions {
  inventoryFile: string;
  sshConfig?: string;
  parallel: number;
  /** passed to the gate on each host */
  checkArgs: readonly string[];
  connect(target: string): Executor;
}

interface StatusJson {
  incidents: unknown[];
  burnin: { streak: number; target: number; complete: boolean };
  signedOff: { at: string; by: string } | null;
}

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).slice(-3).join(' / ');

async function oneHost(h: InventoryHost, o: FleetOptions): Promise<HostStatus> {
  const t0 = Date.now();
  let target: string | null = null;
  let ex: Executor | undefined;
  const done = (r: Omit<HostStatus, 'host' | 'target' | 'ms'>): HostStatus => ({ host: h.name, target, ...r, ms: Date.now() - t0 });
  try {
    const t = hostTarget(h, o.inventoryFile, o.sshConfig);
    target = t.target;
    ex = o.connect(t.target);
    const ignored = t.ignored.length > 0 ? { ignored: t.ignored } : {};
    const check = await remoteLedgerCommand(ex, ['check', '--format', 'json', '--no-record-known-good', ...o.checkArgs]);
    let report: CheckReport;
    try {
      report = JSON.parse(check.stdout) as CheckReport;
    } catch {
      // ssh's own exit status: the command never ran there
      if (check.exitCode === 255) return done({ reachable: false, error: `ssh: ${lastLine(check.stderr) || 'exit 255'}`, ...ignored });
      return done({ reachable: true, error: `clawops check there failed (exit ${check.exitCode}): ${lastLine(check.stderr) || 'no output'}`, ...ignored });
    }
    const st = await remoteLedgerCommand(ex, ['--json', 'status']);
    let status: StatusJson | undefined;
    try {
      status = JSON.parse(st.stdout) as StatusJson;
    } catch {
      status = undefined;
    }
    return done({
      reachable: true,
      gate: { result: report.summary.gate, total: report.summary.total, blocking: blockingOf(report) },
      ...(status ? { burnin: { streak: status.burnin.streak, target: status.burnin.target, complete: status.burnin.complete }, incidents: status.incidents.length, signedOff: status.signedOff } : { error: `clawops status there failed (exit ${st.exitCode}): ${lastLine(st.stderr)}` }),
      ...ignored,
    });
  } catch (err) {
    const e = err as Error & { hint?: string };
    const unreachable = target !== null && !/is not installed there/.test(e.message);
    return done({ reachable: !unreachable && target !== null, error: `${e.message}${e.hint ? ` (${e.hint})` : ''}` });
  } finally {
    await ex?.close().catch(() => {});
  }
}

/** Every host, at most `parallel` at a time, in inventory order. */
export async function fleetStatus(hosts: readonly InventoryHost[], o: FleetOptions): Promise<HostStatus[]> {
  const out: HostStatus[] = new Array<HostStatus>(hosts.length);
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const i = next++;
      out[i] = await oneHost(hosts[i] as InventoryHost, o);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, hosts.length)) }, worker));
  return out;
}

/** One line a host, for the terminal. */
export function formatFleet(rows: readonly HostStatus[], ms: number): string[] {
  const w = Math.max(4, ...rows.map((r) => r.host.length));
  const lines = [`${'HOST'.padEnd(w)}  ${'GATE'.padEnd(30)}  ${'BURN-IN'.padEnd(9)}  INCIDENTS  SIGN-OFF`];
  for (const r of rows) {
    if (!r.gate) {
      lines.push(`${r.host.padEnd(w)}  ${r.reachable ? 'NOT READ' : 'UNREACHABLE'}: ${r.error ?? ''}`);
      continue;
    }
    const gate = r.gate.result === 'pass' ? `pass (${r.gate.total} checks)` : `FAIL: ${r.gate.blocking.map((b) => b.id).join(', ')}`;
    const burnin = r.burnin ? `${r.burnin.streak}/${r.burnin.target}${r.burnin.complete ? ' done' : ''}` : '?';
    lines.push(`${r.host.padEnd(w)}  ${gate.padEnd(30)}  ${burnin.padEnd(9)}  ${String(r.incidents ?? '?').padEnd(9)}  ${r.signedOff ? `${r.signedOff.at} by ${r.signedOff.by}` : r.signedOff === null ? 'not yet' : '?'}`);
    for (const b of r.gate.blocking) lines.push(`${''.padEnd(w)}    ${b.id}${b.instance ? ` [${b.instance}]` : ''} ${b.status}: ${b.evidence} (fix: ${b.remediation})`);
    if (r.error) lines.push(`${''.padEnd(w)}    ${r.error}`);
  }
  const pass = rows.filter((r) => r.gate?.result === 'pass').length;
  const fail = rows.filter((r) => r.gate?.result === 'fail').length;
  lines.push('', `${rows.length} host(s): ${pass} pass, ${fail} fail, ${rows.length - pass - fail} not read (${(ms / 1000).toFixed(1)} s)`);
  return lines;
}
