/**
 * `clawops check`: the go-live gate and the scheduled profiles. Read-only on the target, except for
 * two writes that take the host lock: a prom textfile written on the target (the timers' job) holds
 * it from before the probes to the write (a report never describes a host mid-change; --wait
 * applies), and the known-good record of a passing gate tries it without waiting (an operator's
 * check never blocks: when another command holds the lock, the version is not recorded this time).
 */
import { Command, Option } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import { redact } from '../../core/redact.ts';
import { executorFor } from '../../exec/target.ts';
import type { Executor } from '../../exec/types.ts';
import { PROFILES, type Profile } from '../../facts/paths.ts';
import { evaluateRun, planRun, runChecks, summarize, type FailOn } from '../../checks/run.ts';
import { factReader } from '../../facts/collect.ts';
import { openclawInstall } from '../../facts/openclaw.ts';
import { isUnknown, ref, type FactReader, type Raw } from '../../facts/types.ts';
import { NO_WAIVERS, type WaiverSet } from '../../checks/waivers.ts';
import { loadSpec } from '../../desired/load.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import type { ResolvedSpec } from '../../desired/resolve.ts';
import { CHECK_SCHEMA_VERSION, type CheckReport, type GatewayNumbers, type KnownGoodNote } from '../../views/check-report.ts';
import { systemdUnit } from '../../facts/systemd.ts';
import { httpHealth } from '../../facts/network.ts';
import { healthUrl } from '../../checks/network.ts';
import { renderHuman } from '../../views/check-human.ts';
import { renderJunit } from '../../views/check-junit.ts';
import { renderProm } from '../../views/check-prom.ts';
import { style } from '../../views/style.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine, useColor } from '../runtime.ts';
import { readFile } from 'node:fs/promises';
import { acquireLock, describeHolder, LockBusyError, type HeldLock } from '../../core/lock.ts';
import { takeHostLock, waitOption } from '../lock.ts';

interface CheckOpts {
  profile: Profile;
  format?: 'human' | 'json' | 'junit' | 'prom';
  promFile?: string;
  failOn: FailOn;
  allowUnknown: boolean;
  facts?: string;
  waivers?: string;
  only?: string;
  verbose: boolean;
  recordKnownGood: boolean;
  wait?: string;
  alert: boolean;
}

export const profileOption = () => new Option('-p, --profile <profile>', 'which checks to run').choices([...PROFILES]).default('go-live');

export async function loadWaivers(ex: Executor | undefined, file: string | undefined, spec: ResolvedSpec, now: Date): Promise<WaiverSet> {
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new ClawopsError(`cannot read waivers file ${file}`, { cause, hint: 'check the --waivers path' });
    }
    return (await import('../../checks/waivers-file.ts')).parseWaivers(text, file, now);
  }
  if (!ex) return NO_WAIVERS;
  const b = await ex.readFile(spec.monitoring.waiversFile).catch(() => null);
  if (b === null) return NO_WAIVERS;
  return (await import('../../checks/waivers-file.ts')).parseWaivers(b.toString('utf8'), `${ex.target}:${spec.monitoring.waiversFile}`, now);
}

export function registerCheckCommand(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description('run the go-live gate (or another profile) against the target. Read-only, except that a whole go-live gate that passes on live facts records each instance\'s OpenClaw version as known-good (what `clawops rollback` returns to). Exit 2 when the gate fails')
    .addOption(profileOption())
    .addOption(new Option('--format <format>', 'output format').choices(['human', 'json', 'junit', 'prom']))
    .option('--prom-file <path>', 'with --format prom: the textfile to write atomically ("-" = stdout; default <monitoring.textfileDir>/clawops-<profile>.prom)')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the gate').choices(['warn', 'critical']).default('warn'))
    .option('--allow-unknown', 'unknown results (could not be verified) do not fail the gate; they are still never a pass', false)
    .option('--facts <file>', 'evaluate recorded facts (from `clawops facts --out`) instead of probing the target')
    .option('--waivers <file>', 'waivers file (default: monitoring.waiversFile on the target)')
    .option('--only <ids>', 'comma-separated check ids')
    .option('-v, --verbose', 'show evidence for passing checks too', false)
    .option('--alert', 'send what changed to monitoring.alerts (new failures, reminders, resolutions; retried from a spool) and, for the health profile, ping the dead-man URLs; takes the host lock (the check timers run this)', false)
    .option('--no-record-known-good', 'do not record the running OpenClaw version as known-good when the whole go-live gate passes')
    .addOption(waitOption().default(undefined, 'with --format prom to the target: 30; otherwise the check never waits'))
    .addHelpText('after', '\nUnknown never counts as pass: by default an unknown check of severity >= --fail-on fails the gate.\nExit codes: 0 gate passed, 1 clawops failed, 2 gate failed.')
    .action(async (opts: CheckOpts, cmd: Command) => {
      const g = ctx.globals(cmd);
      const started = new Date();
      const t0 = performance.now();
      const format = opts.format ?? (g.json ? 'json' : 'human');
      const only = opts.only?.split(',').map((s) => s.trim()).filter(Boolean);
      let report: CheckReport;
      let spec: ResolvedSpec;
      let ex: Executor | undefined;
      let lock: HeldLock | undefined;
      let alertingFailed = false;
      try {
        if (opts.facts) {
          if (opts.alert) throw new ClawopsError('--alert needs a live target, not --facts', { hint: 'drop --facts (alerts describe the host as it is now)' });
          const { loadFactsFile } = await import('../../facts/file.ts');
          const rec = await loadFactsFile(opts.facts);
          spec = g.spec ? await loadSpec(g.spec, ctx.rt) : rec.spec;
          const waivers = await loadWaivers(undefined, opts.waivers, spec, rec.collectedAt);
          const planned = planRun({ spec, profile: opts.profile, now: rec.collectedAt, waivers, ...(only ? { only } : {}) });
          const results = evaluateRun(planned, rec.raw, waivers);
          report = makeReport(rec.file.target, opts, results, started, t0, opts.facts, waivers.source);
        } else {
          spec = await loadSpec(g.spec, ctx.rt);
          ex = executorFor(g.target);
          await registerKnownSecrets(ex, spec, ctx.rt.env);
          const waivers = await loadWaivers(ex, opts.waivers, spec, started);
          if (opts.alert && opts.profile === 'health') {
            const { pingStart } = await import('../../alerts/dispatch.ts');
            for (const e of await pingStart(ex, spec, ctx.rt.env)) ctx.rt.err(`dead-man ping /start failed: ${e}\n`);
          }
          const { results, raw } = await runChecks(ex, { spec, profile: opts.profile, now: started, waivers, ...(only ? { only } : {}) });
          report = makeReport(ex.target, opts, results, started, t0, 'live', waivers.source);
          if (opts.profile === 'health') report.gateway = gatewayNumbers(factReader(raw), spec);
          // a timer's check writes its textfile (and records) under the host lock, taken after the probes: a
          // deep audit is minutes of reading, and five timers firing together must not queue behind it
          if ((format === 'prom' && opts.promFile !== '-') || opts.alert) lock = await takeHostLock(ctx, ex, spec.stateDir, `clawops check --profile ${opts.profile}`, opts.wait, { whileContained: true });
          if (opts.alert) {
            // the report and the textfile are written whatever happens to the alerting; a failure of it is exit 1
            try {
              const { dispatchAlerts } = await import('../../alerts/dispatch.ts');
              report.alerts = await dispatchAlerts(ex, spec, results, { now: started, env: ctx.rt.env, profile: opts.profile, gate: report.summary.gate });
              const { costStopLine, enforceCostStop } = await import('../../openclaw/cost-stop.ts');
              for (const s of await enforceCostStop(ex, spec, results, started)) ctx.rt.err(`${costStopLine(s)}\n`);
            } catch (err) {
              alertingFailed = true;
              ctx.rt.err(`clawops: alerting failed: ${redact((err as Error).message)} (the checks' results below are complete)\n`);
            }
          }
          await recordInLedger(ctx, ex, spec, report, started, lock);
          if (opts.recordKnownGood && opts.profile === 'go-live' && !only && report.summary.gate === 'pass') {
            report.knownGood = await recordUnlessBusy(ctx, ex, spec, raw, started, lock);
          }
        }
        if (report.alerts && format !== 'json') ctx.rt.err(`${alertsLine(report.alerts)}\n`);
        if (format === 'json') printJson(ctx.rt, report);
        else if (format === 'junit') ctx.rt.out(renderJunit(report));
        else if (format === 'prom') await writeProm(ctx, ex ?? executorFor('local'), report, opts.promFile ?? `${spec.monitoring.textfileDir}/clawops-${opts.profile}.prom`);
        else {
          for (const line of renderHuman(report, style(useColor(ctx.rt, g)), opts.verbose)) printLine(ctx.rt, line);
          for (const k of report.knownGood ?? []) printLine(ctx.rt, `recorded OpenClaw ${k.version} as known-good for ${k.instance}`);
        }
      } finally {
        await lock?.release();
        await ex?.close();
      }
      ctx.setExit(alertingFailed ? EXIT.error : report.summary.gate === 'pass' ? EXIT.ok : EXIT.gate);
    });
}

/** Each gateway's numbers from the facts the health checks read (null where a fact was not read). */
function gatewayNumbers(f: FactReader, spec: ResolvedSpec): GatewayNumbers[] {
  return spec.resolved.map((inst) => {
    const u = f.get(ref(systemdUnit, inst.unit));
    const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
    const health = ref(httpHealth, healthUrl(inst.port));
    const answer = f.get(health);
    return {
      instance: inst.name,
      restarts: isUnknown(u) ? null : num(u.NRestarts),
      memoryBytes: isUnknown(u) ? null : num(u.MemoryCurrent),
      // the request's own time when it was measured (curl's time_total), else the whole probe's
      healthProbeMs: isUnknown(answer) ? null : Math.round(answer.timeMs ?? f.durationMs(health)),
    };
  });
}

/** A live run on the host goes into its ledger (ledger/host.ts: never on a remote target, never failing the check). */
async function recordInLedger(ctx: CliContext, ex: Executor, spec: ResolvedSpec, report: CheckReport, now: Date, lock: HeldLock | undefined): Promise<void> {
  const { recordCheckRun } = await import('../../ledger/check-run.ts');
  const { recordHostEvent } = await import('../../ledger/events.ts');
  // the run waited for the host lock: it probed while another command was changing the host
  const waitedFor = lock?.waitedFor;
  const duringChange = waitedFor === undefined ? undefined : (waitedFor?.command ?? 'another clawops command');
  // a timer's run (it holds the lock) starts the ledger; an operator's read-only check only adds to one
  const r = await recordCheckRun(ex, spec, { now, profile: report.profile, gate: report.summary.gate, results: report.results, durationMs: report.durationMs, onlyIfThere: !lock, ...(duringChange ? { duringChange } : {}), ...(report.gateway ? { gateway: report.gateway } : {}) });
  if (duringChange) ctx.rt.err(`probed while ${duringChange} held the host lock: failures of this run open no incident\n`);
  const notes = [...r.notes];
  if (r.recorded) {
    const { runId: _id, ...kept } = r.recorded;
    report.ledger = kept;
  }
  const a = report.alerts;
  if (a && (a.events.length > 0 || a.retried > 0 || a.sinks.some((s) => !s.ok))) {
    notes.push(...recordHostEvent(ex, spec, {
      at: now, kind: 'alert', ok: a.sinks.every((s) => s.ok),
      summary: `${a.events.map((e) => `${e.kind} ${e.key}`).join(', ') || 'spool retried'}: delivered ${a.delivered}, spooled ${a.spooled}, dropped ${a.dropped}`,
      detail: { sinks: a.sinks },
    }));
  }
  for (const n of notes) ctx.rt.err(`${n}\n`);
  for (const o of report.ledger?.opened ?? []) ctx.rt.err(`incident #${o.id} opened: ${o.title} (\`clawops incident show ${o.id}\`)\n`);
}

/** The known-good record under the host lock: already held (a timer's check), or taken without waiting. */
async function recordUnlessBusy(ctx: CliContext, ex: Executor, spec: ResolvedSpec, raw: Map<string, Raw>, now: Date, held: HeldLock | undefined): Promise<KnownGoodNote[]> {
  if (!spec.openclaw.manage) return [];
  let lock: HeldLock;
  try {
    lock = held ?? (await acquireLock(ex, spec.stateDir, 'clawops check (known-good record)', { waitSec: 0 }));
  } catch (err) {
    if (!(err instanceof LockBusyError)) throw err;
    ctx.rt.err(`not recorded as known-good this time: ${describeHolder(err.holder)} holds the host lock\n`);
    return [];
  }
  try {
    return await recordPassingVersions(ex, spec, raw, now);
  } finally {
    if (!held) await lock.release();
  }
}

/**
 * The go-live gate passed on live facts, unknowns not allowed: each instance's installed OpenClaw
 * version (the install fact the version checks passed on) becomes its known-good version.
 */
async function recordPassingVersions(ex: Executor, spec: ResolvedSpec, raw: Map<string, Raw>, now: Date): Promise<KnownGoodNote[]> {
  if (!spec.openclaw.manage) return [];
  const facts = factReader(raw);
  const { recordKnownGood } = await import('../../upgrade/known-good.ts');
  const out: KnownGoodNote[] = [];
  for (const inst of spec.resolved) {
    const install = facts.get(ref(openclawInstall, inst.bin));
    if (isUnknown(install)) continue;
    const rec = await recordKnownGood(ex, spec, inst, install.version.raw, { by: 'check', now });
    out.push({ instance: rec.instance, version: rec.version });
  }
  return out;
}

function alertsLine(a: NonNullable<CheckReport['alerts']>): string {
  const kinds = ['firing', 'reminder', 'resolved'].map((k) => `${a.events.filter((e) => e.kind === k).length} ${k}`).join(', ');
  const failed = a.sinks.filter((s) => !s.ok).map((s) => `${s.sink}: ${s.error ?? 'failed'}`);
  return [`alerts: ${kinds}; delivered ${a.delivered} (${a.retried} from the spool), spooled ${a.spooled}, dropped ${a.dropped}`, ...failed.map((f) => `  sink ${f}`), ...a.notes].join('\n');
}

/** One run's report, as every check view renders it (the report command builds its gate with it too). */
export function makeReport(target: string, opts: Pick<CheckOpts, 'profile' | 'failOn' | 'allowUnknown'>, results: CheckReport['results'], started: Date, t0: number, facts: string, waivers: string): CheckReport {
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    target,
    profile: opts.profile,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    failOn: opts.failOn,
    allowUnknown: opts.allowUnknown,
    facts,
    waivers,
    summary: summarize(results, opts.failOn, opts.allowUnknown),
    results,
  };
}

async function writeProm(ctx: CliContext, ex: Executor, report: CheckReport, path: string): Promise<void> {
  const text = renderProm(report);
  if (path === '-') {
    ctx.rt.out(text);
    return;
  }
  try {
    await ex.writeFile(path, redact(text), { mode: 0o644 });
  } catch (cause) {
    throw new ClawopsError(`cannot write the textfile ${path} on ${ex.target}`, { cause, hint: 'create the directory (monitoring.textfileDir) or pass --prom-file PATH (- for stdout)' });
  }
  printLine(ctx.rt, `wrote ${path} on ${ex.target}: gate ${report.summary.gate}, ${report.summary.byStatus.fail} fail, ${report.summary.byStatus.unknown} unknown`);
}
