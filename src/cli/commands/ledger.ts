/**
 * The ledger's commands (see src/ledger/): `clawops incident list|show|ack|resolve`,
 * `clawops burnin status`, `clawops signoff`, `clawops ledger info`. They use the ledger of the host they run on;
 * against a remote --target they run the clawops installed there (ledger/host.ts).
 */
import type { Command } from 'commander';
import { costStopLine, costStopsInForce } from '../../openclaw/cost-stop.ts';
import { readContainRecord } from '../../emergency/record.ts';
import { ClawopsError } from '../../core/errors.ts';
import { loadSpec } from '../../desired/load.ts';
import type { ResolvedSpec } from '../../desired/resolve.ts';
import { executorFor } from '../../exec/target.ts';
import type { GlobalOptions } from '../runtime.ts';
import type { Executor } from '../../exec/types.ts';
import { burninPolicy, ledgerOf, onHostLedger, remoteLedgerCommand } from '../../ledger/host.ts';
import { withLedger, type Ledger } from '../../ledger/db.ts';
import { lastEvents, lastRuns, ledgerStats, listIncidents, readBurnin, showIncident, updateIncident, type IncidentRow } from '../../ledger/query.ts';
import { loadStore } from '../../alerts/store.ts';
import { sinkName } from '../../alerts/deliver.ts';
import { frozenPath, parseFrozen } from '../../ledger/frozen.ts';
import { openManualIncident, recordSignoff } from '../../ledger/record.ts';
import { freeze, preconditions } from '../../ledger/signoff.ts';
import { runChecks } from '../../checks/run.ts';
import { factReader } from '../../facts/collect.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import type { BurninStatus } from '../../ledger/burnin.ts';
import { EXIT, type CliContext } from '../program.ts';
import { takeHostLock, waitOption } from '../lock.ts';
import type { HeldLock } from '../../core/lock.ts';
import { loadWaivers } from './check.ts';
import { printJson, printLine } from '../runtime.ts';
import type { FleetCliOptions } from './status-fleet.ts';

/**
 * Runs `local` on this host's ledger, or `argv` by the clawops on the remote target. Notes (a
 * rebuilt ledger) go to stderr. A command that changes the ledger (`writes`: its name) holds the
 * host lock while it does.
 */
async function onLedger(ctx: CliContext, g: GlobalOptions, argv: readonly string[], local: (l: Ledger, spec: ResolvedSpec) => number, writes?: string, creates = false): Promise<void> {
  const ex = executorFor(g.target);
  let lock: HeldLock | undefined;
  try {
    if (await relayedToHost(ctx, g, ex, argv)) return;
    const spec = await loadSpec(g.spec, ctx.rt);
    if (writes) lock = await takeHostLock(ctx, ex, spec.stateDir, writes, undefined, { whileContained: true });
    // a command that adds a record starts the ledger if there is none yet (the others read an empty one)
    const r = creates ? withLedger(ledgerOf(spec), new Date(), (l) => local(l, spec)) : onHostLedger(spec, new Date(), (l) => local(l, spec));
    for (const n of r.notes) ctx.rt.err(`${n}\n`);
    ctx.setExit(r.value);
  } finally {
    await lock?.release();
    await ex.close();
  }
}

/** Against a remote target: the same command by the clawops installed there, its output and exit code ours (true when relayed). */
async function relayedToHost(ctx: CliContext, g: GlobalOptions, ex: Executor, argv: readonly string[]): Promise<boolean> {
  if (ex.target === 'local') return false;
  const r = await remoteLedgerCommand(ex, [...(g.json ? ['--json'] : []), ...argv]);
  ctx.rt.out(r.stdout);
  ctx.rt.err(r.stderr);
  ctx.setExit(r.exitCode);
  return true;
}

const incidentLine = (i: IncidentRow): string =>
  `#${String(i.id).padEnd(4)} ${i.state.padEnd(12)} ${i.severity.padEnd(8)} opened ${i.openedAt}${i.occurrences > 1 ? ` (${i.occurrences}x, last ${i.lastSeenAt})` : ''}${i.clearedAt ? ', condition cleared' : ''}  ${i.title}`;

const positiveId = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ClawopsError(`not an incident id: ${JSON.stringify(v)}`, { hint: 'give the number `clawops incident list` shows (#N)' });
  return n;
};

export function registerIncidentCommands(program: Command, ctx: CliContext): void {
  const inc = program.command('incident').description('incidents from the ledger: a critical check failing, a crash-loop latch, a failed backup or drill opens one');
  inc
    .command('list')
    .description('open incidents (newest first); --all includes resolved ones')
    .option('--all', 'resolved incidents too', false)
    .option('--limit <n>', 'at most this many', '50')
    .action(async (opts: { all: boolean; limit: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const limit = Math.max(1, Math.min(10_000, Number(opts.limit) || 50));
      await onLedger(ctx, g, ['incident', 'list', ...(opts.all ? ['--all'] : []), '--limit', String(limit)], (l) => {
        const rows = listIncidents(l, { all: opts.all, limit });
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, ledger: l.path, incidents: rows });
        else if (rows.length === 0) printLine(ctx.rt, opts.all ? 'no incidents recorded' : 'no open incidents');
        else for (const r of rows) printLine(ctx.rt, incidentLine(r));
        return EXIT.ok;
      });
    });
  inc
    .command('show')
    .argument('<id>', 'the incident number')
    .description('one incident with the evidence bundle recorded when it opened (check evidence, remediation, journal excerpt)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const n = positiveId(id);
      await onLedger(ctx, g, ['incident', 'show', String(n)], (l) => {
        const d = showIncident(l, n);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, incident: d });
        else {
          printLine(ctx.rt, incidentLine(d));
          if (d.ackedAt) printLine(ctx.rt, `acknowledged ${d.ackedAt}${d.ackNote ? `: ${d.ackNote}` : ''}`);
          if (d.resolvedAt) printLine(ctx.rt, `resolved ${d.resolvedAt}: ${d.resolveNote ?? ''}`);
          const ev = d.evidence as Record<string, unknown>;
          for (const [k, v] of Object.entries(typeof ev === 'object' && ev ? ev : { evidence: ev })) {
            printLine(ctx.rt, `${k}:`);
            for (const line of String(typeof v === 'string' ? v : JSON.stringify(v)).split('\n')) printLine(ctx.rt, `  ${line}`);
          }
        }
        return EXIT.ok;
      });
    });
  registerIncidentOpen(inc, ctx);
  for (const action of ['ack', 'resolve'] as const) {
    inc
      .command(action)
      .argument('<id>', 'the incident number')
      .requiredOption('--note <text>', action === 'ack' ? 'who is on it, what is being done' : 'what it was and what fixed it (kept in the ledger)')
      .description(action === 'ack' ? 'acknowledge an incident: someone is on it (it stays open)' : 'resolve an incident with a note (the burn-in still counts the day it opened)')
      .action(async (id: string, opts: { note: string }, cmd: Command) => {
        const g = ctx.globals(cmd);
        const n = positiveId(id);
        if (!opts.note.trim()) throw new ClawopsError('--note is empty', { hint: 'say what was done; the note is the incident record' });
        await onLedger(ctx, g, ['incident', action, String(n), '--note', opts.note], (l) => {
          const r = updateIncident(l, n, action, opts.note, new Date());
          if (g.json) printJson(ctx.rt, { schemaVersion: 1, incident: r });
          else printLine(ctx.rt, incidentLine(r));
          return EXIT.ok;
        }, `clawops incident ${action} ${n}`);
      });
  }
}

const KEY_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;

function registerIncidentOpen(inc: Command, ctx: CliContext): void {
  inc
    .command('open')
    .requiredOption('--title <text>', 'what is wrong, in one line')
    .option('--key <key>', 'a name for it: while an incident with this key is open, opening it again returns that one', '')
    .option('--severity <level>', 'critical (breaks the burn-in day) or warn', 'critical')
    .option('--evidence <text>', 'what was seen (kept with the incident)', '')
    .description('open an incident by hand (a person saw something the checks did not); `clawops emergency contain` opens one too')
    .action(async (opts: { title: string; key: string; severity: string; evidence: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      if (!opts.title.trim()) throw new ClawopsError('--title is empty', { hint: 'say in one line what is wrong' });
      if (opts.severity !== 'critical' && opts.severity !== 'warn') throw new ClawopsError(`--severity must be critical or warn, got ${JSON.stringify(opts.severity)}`, { hint: 'critical breaks the burn-in day; warn does not' });
      const key = opts.key || `at-${Date.now()}`;
      if (!KEY_RE.test(key)) throw new ClawopsError(`--key ${JSON.stringify(opts.key)} is not a key`, { hint: 'lower-case letters, digits, dot, dash, underscore; at most 63' });
      const severity = opts.severity;
      await onLedger(ctx, g, ['incident', 'open', '--title', opts.title, '--key', key, '--severity', severity, '--evidence', opts.evidence], (l) => {
        const r = openManualIncident(l, { at: new Date(), key, title: opts.title, severity, evidence: opts.evidence });
        const row = showIncident(l, r.id);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, opened: r.opened, incident: row });
        else printLine(ctx.rt, `${r.opened ? 'opened' : 'already open'}: ${incidentLine(row)}`);
        return EXIT.ok;
      }, 'clawops incident open', true);
    });
}

function burninLines(b: BurninStatus): string[] {
  const lines = [`burn-in: day ${b.streak} of ${b.target}${b.complete ? ' (complete: `clawops signoff` can freeze the config)' : ''}`];
  lines.push(`  today ${b.today.day} (in progress): ${b.today.clean ? 'clean so far' : `not clean: ${b.today.reasons.join('; ')}`}`);
  for (const d of b.days) lines.push(`  ${d.day}: ${d.clean ? 'clean' : `not clean: ${d.reasons.join('; ')}`}`);
  return lines;
}

export function registerBurninCommands(program: Command, ctx: CliContext): void {
  program
    .command('burnin')
    .description('the go-live burn-in: consecutive clean days (every health run happened and passed or only warned, no critical incident, the daily backup succeeded)')
    .command('status')
    .description('the current run of clean days and why the day before it was not clean; exit 2 until burnIn.days are reached')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      await onLedger(ctx, g, ['burnin', 'status'], (l, spec) => {
        const b = readBurnin(l, burninPolicy(spec), new Date());
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, ledger: l.path, burnin: b });
        else for (const line of burninLines(b)) printLine(ctx.rt, line);
        return b.complete ? EXIT.ok : EXIT.gate;
      });
    });
}

export function registerLedgerCommands(program: Command, ctx: CliContext): void {
  program
    .command('ledger')
    .description('the host\'s ledger (<stateDir>/ledger.db): what happened on it, kept bounded (monitoring.ledger)')
    .command('info')
    .description('where the ledger is, its size, how many check runs it holds since when, open incidents')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      await onLedger(ctx, g, ['ledger', 'info'], (l, spec) => {
        const s = ledgerStats(l);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, ledger: s, limits: spec.monitoring.ledger });
        else {
          printLine(ctx.rt, `${s.path}: ${(s.bytes / 1024 / 1024).toFixed(1)} MB of ${spec.monitoring.ledger.maxMB} MB`);
          printLine(ctx.rt, `${s.runs} check runs${s.oldestRun ? ` since ${s.oldestRun}` : ''} (older ones kept as daily summaries: ${s.days} days), ${s.openIncidents} open incident(s)`);
        }
        return EXIT.ok;
      });
    });
}

export function registerSignoffCommand(program: Command, ctx: CliContext): void {
  program
    .command('signoff')
    .description('the go-live sign-off: refuses (exit 2, each failing precondition named) until the burn-in is complete, the go-live gate passes, a restore drill succeeded within 7 days and a backup is within the RPO; then freezes the spec, units, OpenClaw settings, identity files and firewall rules (the config.frozen check reports drift from them)')
    .option('--by <name>', 'who signs off (kept in the ledger)')
    .option('--allow-unknown', 'unknown go-live results (could not be verified here) do not block the sign-off', false)
    .addOption(waitOption())
    .action(async (opts: { by?: string; allowUnknown: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const by = opts.by ?? ctx.rt.env.SUDO_USER ?? ctx.rt.env.USER ?? 'root';
      const ex = executorFor(g.target);
      try {
        if (await relayedToHost(ctx, g, ex, ['signoff', '--by', by, ...(opts.allowUnknown ? ['--allow-unknown'] : []), ...(opts.wait ? ['--wait', opts.wait] : [])])) return;
        const spec = await loadSpec(g.spec, ctx.rt);
        await registerKnownSecrets(ex, spec, ctx.rt.env);
        const lock = await takeHostLock(ctx, ex, spec.stateDir, 'clawops signoff', opts.wait);
        try {
          const now = new Date();
          const waivers = await loadWaivers(ex, undefined, spec, now);
          if (!g.json) ctx.rt.err('running the go-live gate...\n');
          const { results, raw } = await runChecks(ex, { spec, profile: 'go-live', now, waivers });
          const facts = factReader(raw);
          const b = onHostLedger(spec, now, (l) => readBurnin(l, burninPolicy(spec), now));
          for (const n of b.notes) ctx.rt.err(`${n}\n`);
          const pre = preconditions({ spec, now, burnin: b.value, results, facts, failOn: 'warn', allowUnknown: opts.allowUnknown });
          const refused = pre.filter((p) => !p.ok);
          const frozen = refused.length === 0 ? freeze(facts, spec, now, by) : undefined;
          if (frozen && 'unreadable' in frozen) throw new ClawopsError(`cannot freeze what cannot be read: ${frozen.unreadable.join(', ')}`, { hint: 'fix the reads above and sign off again; nothing was frozen' });
          if (frozen) {
            await ex.writeFile(frozenPath(spec.stateDir), `${JSON.stringify(frozen.record, null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
            withLedger(ledgerOf(spec), now, (l) => recordSignoff(l, now, by, frozen.record.digests));
          }
          if (g.json) printJson(ctx.rt, { schemaVersion: 1, signedOff: Boolean(frozen), preconditions: pre, ...(frozen ? { frozen: frozen.record } : {}) });
          else {
            for (const p of pre) printLine(ctx.rt, `${p.ok ? 'ok  ' : 'FAIL'} ${p.name.padEnd(14)} ${p.detail}`);
            if (frozen) printLine(ctx.rt, `signed off by ${by}: ${Object.keys(frozen.record.digests).length} items frozen in ${frozenPath(spec.stateDir)}; the config.frozen check reports any change from now on`);
            else printLine(ctx.rt, `sign-off refused: ${refused.map((p) => p.name).join(', ')}`);
          }
          ctx.setExit(frozen ? EXIT.ok : EXIT.gate);
        } finally {
          await lock.release();
        }
      } finally {
        await ex.close();
      }
    });
}

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('one screen for the operator, from the host\'s ledger and alert state: the last run of each check profile, open incidents, burn-in day N of M, sign-off, last backup, drill and apply, each alert sink\'s health, a gateway the cost guard stopped. Exit 2 when an incident is open, the last health run failed or the cost guard stopped a gateway')
    .option('--inventory <file>', 'instead: every host of this Ansible inventory (YAML or INI) over SSH: its gate now, burn-in, incidents, sign-off (exit 2 unless every host passes)')
    .option('--limit <hosts>', 'with --inventory: only these hosts or groups (comma-separated)')
    .option('--ssh-config <file>', 'with --inventory: an OpenSSH config for every host (ProxyJump, keys, known hosts)')
    .option('--parallel <n>', 'with --inventory: hosts read at once', '8')
    .option('--only <ids>', "with --inventory: the gate's check ids (comma-separated)")
    .option('--allow-unknown', 'with --inventory: unknown results do not fail a host\'s gate', false)
    .action(async (opts: FleetCliOptions, cmd: Command) => {
      const g = ctx.globals(cmd);
      // the fleet view (an inventory parser, ssh to each host) loads only when asked for
      if (opts.inventory) return (await import('./status-fleet.ts')).fleetStatusCommand(ctx, g, { ...opts, inventory: opts.inventory });
      const ex = executorFor(g.target);
      try {
        if (await relayedToHost(ctx, g, ex, ['status'])) return;
        const spec = await loadSpec(g.spec, ctx.rt);
        const now = new Date();
        const { store, note } = await loadStore(ex, spec.stateDir);
        const frozen = parseFrozen((await ex.readFile(frozenPath(spec.stateDir)))?.toString('utf8') ?? null);
        const r = onHostLedger(spec, now, (l) => ({
          runs: lastRuns(l),
          incidents: listIncidents(l, { all: false, limit: 20 }),
          burnin: readBurnin(l, burninPolicy(spec), now),
          events: lastEvents(l, ['backup', 'drill', 'apply', 'upgrade', 'rollback', 'signoff']),
        }));
        for (const n of [...r.notes, ...(note ? [note] : [])]) ctx.rt.err(`${n}\n`);
        const sinks = spec.monitoring.alerts.map((sink, i) => {
          const h = store.sinks[String(i)];
          return { sink: sinkName(sink, i), ok: !h?.failures, failures: h?.failures ?? 0, ...(h?.lastError ? { lastError: h.lastError, lastErrorAt: h.lastErrorAt } : {}), spooled: store.spool.filter((e) => e.sink === i).length };
        });
        const health = r.value.runs.find((x) => x.profile === 'health');
        const costStops = await costStopsInForce(ex, spec);
        const contained = await readContainRecord(ex, spec).catch((err: Error) => ({ at: '?', reason: err.message, incident: null }));
        const ok = r.value.incidents.length === 0 && health?.gate === 'pass' && costStops.length === 0 && contained === null;
        if (g.json) {
          printJson(ctx.rt, { schemaVersion: 1, ok, ...r.value, openAlerts: Object.keys(store.book.open).length, sinks, signedOff: frozen ? { at: frozen.signedOffAt, by: frozen.by } : null, costStops, contained });
        } else {
          if (contained) printLine(ctx.rt, `CONTAINED since ${contained.at}: ${contained.reason}${contained.incident !== null ? ` (incident #${contained.incident})` : ''}; recover: clawops emergency recover, false alarm: clawops emergency lift`);
          for (const s of costStops) printLine(ctx.rt, costStopLine(s));
          const ago = (isoAt: string) => `${Math.max(0, Math.round((now.getTime() - Date.parse(isoAt)) / 60_000))} min ago`;
          printLine(ctx.rt, `checks:    ${r.value.runs.length ? '' : 'no run recorded yet (the check timers record theirs every minute once applied)'}`);
          for (const x of r.value.runs) printLine(ctx.rt, `  ${x.profile.padEnd(10)} ${x.gate === 'pass' ? 'pass' : 'FAIL'} ${ago(x.at).padStart(12)}  ${x.pass} pass, ${x.warn} warn, ${x.fail} critical, ${x.unknown} unknown`);
          printLine(ctx.rt, `incidents: ${r.value.incidents.length} open`);
          for (const i of r.value.incidents) printLine(ctx.rt, `  ${incidentLine(i)}`);
          const b = r.value.burnin;
          printLine(ctx.rt, `burn-in:   day ${b.streak} of ${b.target}${b.today.clean ? '' : ` (today not clean: ${b.today.reasons.join('; ')})`}`);
          printLine(ctx.rt, `sign-off:  ${frozen ? `${frozen.signedOffAt} by ${frozen.by}` : 'not yet'}`);
          for (const e of r.value.events) printLine(ctx.rt, `last ${e.kind.padEnd(8)} ${e.ok ? 'ok    ' : 'FAILED'} ${ago(e.at)}: ${e.summary}`);
          printLine(ctx.rt, `alerts:    ${Object.keys(store.book.open).length} open`);
          for (const s of sinks) printLine(ctx.rt, `  ${s.ok ? 'ok  ' : 'FAIL'} ${s.sink}${s.failures ? `: ${s.failures} failure(s) in a row, last ${s.lastErrorAt}: ${s.lastError}` : ''}${s.spooled ? `; ${s.spooled} spooled` : ''}`);
        }
        ctx.setExit(ok ? EXIT.ok : EXIT.gate);
      } finally {
        await ex.close();
      }
    });
}
