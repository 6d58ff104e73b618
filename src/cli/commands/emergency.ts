/**
 * `clawops emergency contain|lift|evidence|recover|cost-stop`: the hardened guide's phase 10 as commands
 * (src/emergency/). Each takes the host lock like every mutating command, and may run while the
 * host is contained; every other mutating command is refused until `lift` or `recover`.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ClawopsError } from '../../core/errors.ts';
import type { HeldLock } from '../../core/lock.ts';
import { loadSpec } from '../../desired/load.ts';
import type { ResolvedSpec } from '../../desired/resolve.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import { evidenceArchive } from '../../emergency/archive.ts';
import { contain, type Step } from '../../emergency/contain.ts';
import { emergencyCostStop } from '../../emergency/cost-stop.ts';
import { collectEvidence } from '../../emergency/evidence.ts';
import { lift } from '../../emergency/lift.ts';
import { recover } from '../../emergency/recover.ts';
import { readContainRecord } from '../../emergency/record.ts';
import { executorFor } from '../../exec/target.ts';
import type { Executor } from '../../exec/types.ts';
import { incidentOpener, incidentResolver, incidentsJson } from '../../ledger/host-incidents.ts';
import { waitOption, withHostLock } from '../lock.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';

const stepLine = (s: Step) => `${s.status.padEnd(7)} ${s.step}: ${s.detail}`;

/** The emergency commands run while the host is contained. */
const underLock = (ctx: CliContext, cmd: Command, command: string, wait: string | undefined, fn: (ex: Executor, spec: ResolvedSpec, lock: HeldLock) => Promise<number>) =>
  withHostLock(ctx, cmd, command, wait, { whileContained: true }, fn);

const parseSince = (v: string, now: Date): Date => {
  const rel = /^(\d+)([mhd])$/.exec(v);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd']);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new ClawopsError(`--since ${JSON.stringify(v)} is not a time`, { hint: 'an ISO time (2026-12-01T08:00:00Z) or a span back from now: 90m, 12h, 7d' });
  return new Date(t);
};

export function registerEmergencyCommands(program: Command, ctx: CliContext): void {
  const em = program.command('emergency').description('hardened guide phase 10: a suspected compromise (contain, evidence, recover or lift), an unexpected API bill (cost-stop)');

  em.command('contain')
    .description('cut the service users off the network (but the management interfaces), stop, disable and hold each gateway (no start while contained, reboots included), expire the account and take it out of the docker group, kill every process of its user, stop (keep) the sandbox containers, pause the timers that run its programs or prune backups, open an incident. Idempotent; runs no program the service user can write')
    .requiredOption('--reason <text>', 'why (kept with the incident and the record)')
    .addOption(waitOption())
    .action(async (opts: { reason: string; wait?: string }, cmd: Command) => {
      if (!opts.reason.trim()) throw new ClawopsError('--reason is empty', { hint: 'say in one line what was seen; it is the incident\'s title' });
      const g = ctx.globals(cmd);
      await underLock(ctx, cmd, 'clawops emergency contain', opts.wait, async (ex, spec, lock) => {
        const now = new Date();
        const r = await contain(ex, spec, { reason: opts.reason, now, openIncident: incidentOpener(ex, spec, now, lock), ...(g.json ? {} : { log: (l) => printLine(ctx.rt, l) }) });
        const failed = r.steps.filter((s) => s.status === 'failed');
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, contained: true, unchanged: r.unchanged, record: r.record, steps: r.steps });
        else {
          printLine(ctx.rt, r.unchanged ? `The host was already contained (since ${r.record.at}); nothing changed.` : `Contained ${ex.target} (record ${spec.stateDir}/contained.json).`);
          printLine(ctx.rt, 'Next: clawops emergency evidence --out FILE (read-only), then clawops emergency recover; a false alarm: clawops emergency lift (restores exactly the state above).');
        }
        if (failed.length > 0) ctx.rt.err(`contain: ${failed.length} step(s) failed: ${failed.map(stepLine).join(' | ')}\n`);
        return failed.length > 0 ? EXIT.error : EXIT.ok;
      });
    });

  em.command('cost-stop')
    .description('an unexpected API bill (hardened guide phase 10): stop and disable every gateway, take the provider API keys out of each ~/.openclaw/.env (a gateway started by hand cannot spend), record the stop (`clawops status` shows it), open an incident. Idempotent; runs no program the service user can write')
    .requiredOption('--reason <text>', 'why (kept with the incident and the record)')
    .addOption(waitOption())
    .action(async (opts: { reason: string; wait?: string }, cmd: Command) => {
      if (!opts.reason.trim()) throw new ClawopsError('--reason is empty', { hint: 'say in one line what was seen (e.g. "provider bill $400 overnight")' });
      const g = ctx.globals(cmd);
      await underLock(ctx, cmd, 'clawops emergency cost-stop', opts.wait, async (ex, spec, lock) => {
        const now = new Date();
        const r = await emergencyCostStop(ex, spec, { reason: opts.reason, now, openIncident: incidentOpener(ex, spec, now, lock), ...(g.json ? {} : { log: (l) => printLine(ctx.rt, l) }) });
        const failed = r.steps.filter((s) => s.status === 'failed');
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, unchanged: r.unchanged, incident: r.incident, steps: r.steps });
        else {
          printLine(ctx.rt, r.unchanged ? 'Already cost-stopped; nothing changed.' : `Cost-stopped ${ex.target}.`);
          const keys = Object.keys(spec.providers).filter((id) => spec.providers[id]?.apiKey).map((id) => `provider:${id}`);
          printLine(ctx.rt, `Next: read the provider's billing; revoke the key there and put a new one in place${keys.length ? ` (clawops rotate key ${keys[0]} --from-file NEW)` : ''}; then clawops apply (keys back, gateways enabled and started)${r.incident !== null ? ` and clawops incident resolve ${r.incident} --note ...` : ''}.`);
        }
        if (failed.length > 0) ctx.rt.err(`cost-stop: ${failed.length} step(s) failed: ${failed.map(stepLine).join(' | ')}\n`);
        return failed.length > 0 ? EXIT.error : EXIT.ok;
      });
    });

  em.command('lift')
    .description('undo a containment exactly as recorded: network cut removed, account and groups back, gateways released, enabled and started as they were, paused timers resumed; the incident stays open')
    .option('--no-start', 'leave the gateways stopped (e.g. to restore a backup in place first)')
    .addOption(waitOption())
    .action(async (opts: { start: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      await underLock(ctx, cmd, 'clawops emergency lift', opts.wait, async (ex, spec) => {
        const r = await lift(ex, spec, { start: opts.start, ...(g.json ? {} : { log: (l) => printLine(ctx.rt, l) }) });
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, lifted: r.record !== null, steps: r.steps });
        else printLine(ctx.rt, r.record ? `Containment of ${r.record.at} lifted.` : 'The host is not contained; nothing to lift.');
        return EXIT.ok;
      });
    });

  em.command('recover')
    .description('back to service: identity files and extensions verified (a change stops here, still contained), a new gateway token written while stopped, containment lifted, the spec applied, the new token proven and the old one refused, the gate run; the incident resolved only when it passes, else the host is contained again')
    .option('--checks <ids>', 'comma-separated go-live check ids that decide (default: the whole go-live gate)')
    .option('--smoke', 'also run `clawops smoke` (an agent turn and a sandboxed tool call)', false)
    .option('--smoke-timeout <s>', 'seconds per smoke turn', '')
    .option('-y, --yes', 'recover without asking', false)
    .addOption(waitOption())
    .action(async (opts: { checks?: string; smoke: boolean; smokeTimeout: string; yes: boolean; wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      if (!opts.yes) {
        if (!ctx.rt.confirm) throw new ClawopsError('recover restarts the gateways and rotates their tokens, and there is no terminal to ask on', { hint: 're-run with --yes' });
        if (!(await ctx.rt.confirm('Recover: lift the containment, apply the spec, rotate the gateway token, run the gate? [y/N] '))) {
          printLine(ctx.rt, 'Recover cancelled; nothing was changed.');
          ctx.setExit(EXIT.error);
          return;
        }
      }
      await underLock(ctx, cmd, 'clawops emergency recover', opts.wait, async (ex, spec, lock) => {
        if (opts.smokeTimeout && !/^\d+$/.test(opts.smokeTimeout)) throw new ClawopsError(`--smoke-timeout must be whole seconds, got ${JSON.stringify(opts.smokeTimeout)}`, { hint: 'e.g. --smoke-timeout 300 (default: smoke.timeoutSec in the spec)' });
        const smokeTimeoutSec = opts.smoke ? Number(opts.smokeTimeout || spec.smoke.timeoutSec) : undefined;
        const checks = opts.checks?.split(',').map((s) => s.trim()).filter(Boolean);
        const r = await recover(ex, spec, {
          gate: { ...(checks ? { checks } : {}), ...(smokeTimeoutSec !== undefined ? { smokeTimeoutSec } : {}) },
          specSource: g.spec ?? '(embedded defaults)',
          env: ctx.rt.env,
          resolveIncident: incidentResolver(ex, spec, lock),
          openIncident: incidentOpener(ex, spec, new Date(), lock),
          ...(g.json ? {} : { log: (l: string) => ctx.rt.err(`${l}\n`) }),
        });
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, recovered: r.ok, incident: r.incident, steps: r.steps });
        else {
          for (const s of r.steps) printLine(ctx.rt, stepLine(s));
          printLine(ctx.rt, r.ok ? `Recovered ${ex.target}.` : `Not recovered: ${r.steps.filter((s) => s.status === 'failed').map((s) => s.step).join(', ')} (see above).`);
        }
        return r.ok ? EXIT.ok : EXIT.gate;
      });
    });

  em.command('evidence')
    .description('one archive (mode 0600) for the responders: journals, OpenClaw logs, config and identity files against their baseline, files changed under the service users\' homes, sockets, processes, sandbox containers, firewall, incidents, audit; secrets redacted; a manifest and SHA256SUMS. Read-only: before contain or after')
    .requiredOption('--out <file>', 'the archive to write (.tar.gz); an existing file is never overwritten')
    .option('--since <time>', 'journals from this time: ISO, or back from now (90m, 12h, 7d)', '7d')
    .action(async (opts: { out: string; since: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const now = new Date();
      const since = parseSince(opts.since, now);
      const spec = await loadSpec(g.spec, ctx.rt);
      const ex = executorFor(g.target);
      try {
        await registerKnownSecrets(ex, spec, ctx.rt.env);
        // a record that does not parse still means contained: the service user's programs are not run
        const contained = await readContainRecord(ex, spec).catch((err: Error) => ({ unreadable: err.message }));
        const items = await collectEvidence(ex, spec, { since, contained: contained !== null, incidents: () => incidentsJson(ex, spec, now), log: (l) => ctx.rt.err(`${l}\n`) });
        const name = `clawops-evidence-${now.toISOString().replace(/[:.]/g, '').replace(/Z$/, 'Z')}`;
        const { gz, manifest } = evidenceArchive(name, { target: ex.target, collectedAt: now.toISOString(), since: since.toISOString(), contained: contained !== null }, items);
        try {
          writeFileSync(opts.out, gz, { mode: 0o600, flag: 'wx' });
        } catch (cause) {
          throw new ClawopsError(`cannot write ${opts.out}`, { cause, hint: (cause as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists: evidence never overwrites a file; choose a new name' : 'choose a writable path' });
        }
        const incomplete = manifest.items.filter((i) => i.error);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, out: opts.out, bytes: gz.length, manifest });
        else {
          printLine(ctx.rt, `${opts.out}: ${manifest.items.length} items, ${(gz.length / 1024).toFixed(0)} KiB, mode 0600; ${incomplete.length} incomplete${incomplete.length ? ` (${incomplete.map((i) => i.path).join(', ')}: see manifest.json)` : ''}`);
          printLine(ctx.rt, `verify: tar xzf ${opts.out} && (cd ${name} && sha256sum -c SHA256SUMS)`);
        }
        ctx.setExit(EXIT.ok);
      } finally {
        await ex.close();
      }
    });
}
