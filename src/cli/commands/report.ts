/**
 * `clawops report --out DIR`: the go-live gate run now (or a saved `check --json`), the host's
 * ledger and its sign-off as one self-contained HTML page plus report.json (report/). On a remote
 * target the clawops installed there gathers the data (its ledger lives there) and the page is
 * written here.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { targetHost } from '../../backup/context.ts';
import { runChecks } from '../../checks/run.ts';
import { ClawopsError } from '../../core/errors.ts';
import { redact } from '../../core/redact.ts';
import { loadSpec } from '../../desired/load.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import { executorFor } from '../../exec/target.ts';
import { frozenPath, parseFrozen } from '../../ledger/frozen.ts';
import { burninPolicy, onHostLedger, remoteLedgerCommand } from '../../ledger/host.ts';
import { buildReport, REPORT_SCHEMA_VERSION, type ReportData } from '../../report/model.ts';
import { renderHtml } from '../../report/html.ts';
import { readFleet, renderFleet } from '../../report/fleet.ts';
import { readKnownGood } from '../../upgrade/known-good.ts';
import { CHECK_SCHEMA_VERSION, type CheckReport } from '../../views/check-report.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';
import { VERSION } from '../version.ts';
import { loadWaivers, makeReport } from './check.ts';

interface ReportOpts {
  out?: string;
  fleet?: string[];
  days: string;
  redactHosts: boolean;
  fromCheck?: string;
}

export function registerReportCommand(program: Command, ctx: CliContext): void {
  const report = program.command('report');
  report.command('publish')
    .description('put a report written by `report --out DIR` where others read it, as report.publish in the spec says: an S3-compatible bucket (the run under <prefix>runs/<time>/, then <prefix>index.html in one PUT: a failed upload leaves the previous page) or your own command with DIR appended')
    .argument('<dir>', 'the directory `clawops report --out` wrote')
    .action(async (dir: string, _opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const p = spec.report.publish;
      if (!p) throw new ClawopsError('the spec says nowhere to publish to', { hint: 'add report.publish: {s3: {endpoint, bucket, accessKeyId: {env: ...}, secretAccessKey: {env: ...}}} or {command: [...]} (clawops spec init shows the form)' });
      const { publishReport } = await import('../../report/publish.ts');
      const r = await publishReport(dir, p, ctx.rt.env, new Date(), g.json ? undefined : (l) => ctx.rt.err(`${l}\n`));
      if (g.json) printJson(ctx.rt, { schemaVersion: 1, published: r });
      else printLine(ctx.rt, `published ${dir} to ${r.to} in ${(r.ms / 1000).toFixed(1)} s (${r.wrote.length} ${'command' in p ? 'command' : 'objects'})`);
      ctx.setExit(EXIT.ok);
    });
  report
    .description('a page a person opens offline, prints or attaches to a sign-off: the go-live gate by area, the burn-in calendar, incidents, plots from the ledger (health time, memory, restarts, failures, backups, drills against RPO/RTO), versions, exposure, sign-off. Writes DIR/index.html (no script, nothing fetched) and DIR/report.json; --json prints the data')
    .option('--out <dir>', 'write index.html and report.json here (created if missing; each file is replaced only once the new one is complete)')
    .option('--days <n>', 'days of ledger history in the calendar and the plots', '30')
    .option('--redact-hosts', "hide the host's name and its addresses in the report", false)
    .option('--from-check <file>', 'render a saved `clawops check --json` (go-live) instead of running the gate now')
    .option('--fleet <dirs...>', 'instead: an index page (--out DIR/index.html and fleet.json) over reports written by `report --out`, one row per host linked to its page')
    .addHelpText('after', '\nExit codes: 0 the report was written (whatever the gate says: the page says it), 1 error.\nThe gate takes as long as `clawops check` (the OpenClaw audit is most of it).')
    .action(async (opts: ReportOpts, cmd: Command) => {
      const g = ctx.globals(cmd);
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new ClawopsError(`--days must be a whole number from 1 to 366, not ${JSON.stringify(opts.days)}`, { hint: 'e.g. --days 7 for the burn-in week' });
      if (opts.fleet) {
        if (!opts.out) throw new ClawopsError('--fleet writes an index page: say where with --out DIR', { hint: 'e.g. clawops report --fleet reports/* --out reports' });
        const rows = readFleet(opts.fleet, opts.out);
        const files = writeFiles(opts.out, [['index.html', renderFleet(rows, new Date())], ['fleet.json', `${JSON.stringify({ schemaVersion: 1, hosts: rows }, null, 2)}\n`]]);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, hosts: rows });
        else printLine(ctx.rt, `wrote ${files.join(' and ')} (${rows.length} hosts, ${rows.filter((r) => r.gate === 'fail').length} with the gate failing)`);
        ctx.setExit(EXIT.ok);
        return;
      }
      if (!opts.out && !g.json) throw new ClawopsError('say where the report goes: --out DIR (index.html and report.json), or --json for the data', { hint: 'e.g. clawops report --out ./report' });
      const ex = executorFor(g.target);
      let data: ReportData;
      try {
        if (ex.target !== 'local') {
          if (opts.fromCheck) throw new ClawopsError('--from-check reads a file on this machine: it needs the local target', { hint: 'copy the report JSON with --json, or run the report on the host' });
          const r = await remoteLedgerCommand(ex, ['--json', 'report', '--days', String(days), ...(opts.redactHosts ? ['--redact-hosts'] : [])]);
          if (r.exitCode !== 0) throw new ClawopsError(`clawops report on ${ex.target} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').pop() ?? ''}`, { hint: 'run it there for the whole message' });
          data = parseReportData(r.stdout, ex.target);
        } else {
          const spec = await loadSpec(g.spec, ctx.rt);
          await registerKnownSecrets(ex, spec, ctx.rt.env);
          const now = new Date();
          let check: CheckReport;
          if (opts.fromCheck) check = readCheckReport(opts.fromCheck);
          else {
            ctx.rt.err('running the go-live gate...\n');
            const t0 = performance.now();
            const waivers = await loadWaivers(ex, undefined, spec, now);
            const { results } = await runChecks(ex, { spec, profile: 'go-live', now, waivers });
            check = makeReport(ex.target, { profile: 'go-live', failOn: 'warn', allowUnknown: false }, results, now, t0, 'live', waivers.source);
          }
          const knownGood = (await Promise.all(spec.resolved.map((inst) => readKnownGood(ex, spec, inst))))
            .flatMap((k) => (k ? [{ instance: k.instance, version: k.version, recordedAt: k.recordedAt }] : []));
          const frozen = parseFrozen((await ex.readFile(frozenPath(spec.stateDir)))?.toString('utf8') ?? null);
          const host = await targetHost(ex);
          const r = onHostLedger(spec, now, (ledger) => buildReport({
            now, host, check, ledger, burnin: burninPolicy(spec), targets: { rpoHours: spec.dr.rpoHours, rtoHours: spec.dr.rtoHours },
            clawopsVersion: VERSION, knownGood, frozen, days, redactHosts: opts.redactHosts,
          }));
          for (const n of r.notes) ctx.rt.err(`${n}\n`);
          data = r.value;
        }
        if (opts.out) {
          const files = writeReport(opts.out, data);
          if (!g.json) printLine(ctx.rt, `wrote ${files.join(' and ')} (go-live gate ${data.gate.result}, burn-in day ${data.burnin.streak} of ${data.burnin.target}, ${data.incidents.filter((i) => i.state !== 'resolved').length} open incident(s))`);
        }
        if (g.json) printJson(ctx.rt, data);
        ctx.setExit(EXIT.ok);
      } finally {
        await ex.close();
      }
    });
}

/** index.html and report.json, each through a temporary file renamed over the old one. */
export function writeReport(dir: string, data: ReportData): string[] {
  return writeFiles(dir, [['index.html', renderHtml(data)], ['report.json', `${JSON.stringify(data, null, 2)}\n`]]);
}

function writeFiles(dir: string, files: readonly [string, string][]): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new ClawopsError(`cannot create the report directory ${dir}: ${(err as Error).message}`, { hint: 'pick a directory you can write' });
  }
  return files.map(([name, text]) => {
    const path = join(dir, name);
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, redact(text), { mode: 0o644 });
    renameSync(tmp, path);
    return path;
  });
}

function readCheckReport(file: string): CheckReport {
  let v: Partial<CheckReport>;
  try {
    v = JSON.parse(readFileSync(file, 'utf8')) as Partial<CheckReport>;
  } catch (err) {
    throw new ClawopsError(`cannot read ${file} as a check report: ${(err as Error).message}`, { hint: 'save one with `clawops check --json > FILE`' });
  }
  if (v.schemaVersion !== CHECK_SCHEMA_VERSION || !Array.isArray(v.results) || !v.summary || typeof v.profile !== 'string') {
    throw new ClawopsError(`${file} is not a \`clawops check --json\` report (schemaVersion ${CHECK_SCHEMA_VERSION} with results and summary)`, { hint: 'save one with `clawops check --json > FILE`' });
  }
  return v as CheckReport;
}

function parseReportData(text: string, target: string): ReportData {
  try {
    const v = JSON.parse(text) as ReportData;
    if (v.schemaVersion === REPORT_SCHEMA_VERSION && v.gate && v.series) return v;
  } catch {
    // said below
  }
  throw new ClawopsError(`the clawops on ${target} did not answer with report data`, { hint: 'upgrade clawops there (`clawops apply` installs this version)' });
}
