/**
 * `clawops fallback tick|status`: the Tailscale-down SSH fallback (src/fallback/). Its timer runs
 * `tick` on the host; each transition goes to the ledger and, as the access.ssh-fallback check's
 * result, through the alert book to monitoring.alerts.
 */
import type { Command } from 'commander';
import { dispatchAlerts } from '../../alerts/dispatch.ts';
import { fallbackChecks, FALLBACK_CHECK_ID } from '../../checks/fallback.ts';
import type { CheckResult } from '../../checks/types.ts';
import { loadSpec } from '../../desired/load.ts';
import type { ResolvedSpec } from '../../desired/resolve.ts';
import { executorFor } from '../../exec/target.ts';
import { fallbackRecordPath, type FallbackRecord } from '../../fallback/state.ts';
import { fallbackTick, readFallback } from '../../fallback/tick.ts';
import { factReader } from '../../facts/collect.ts';
import { textFile } from '../../facts/system.ts';
import { ref } from '../../facts/types.ts';
import { waitOption, withHostLock } from '../lock.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';

/** The access.ssh-fallback check's result for this record (what the alert book and the gate see). */
export function fallbackResult(spec: ResolvedSpec, r: FallbackRecord, now: Date): CheckResult {
  const def = fallbackChecks.find((c) => c.id === FALLBACK_CHECK_ID)!;
  const key = ref(textFile, fallbackRecordPath(spec.stateDir)).key;
  const f = factReader(new Map([[key, { t: 'file', content: JSON.stringify(r), durationMs: 0 }]]));
  const v = def.evaluate(f, { spec, inst: spec.resolved[0]!, now, waivedAuditIds: [], waiverProblems: [] });
  return { id: def.id, title: def.title, area: def.area, severity: def.severity, status: v.status, evidence: v.evidence, remediation: v.remediation ?? def.remediation, durationMs: 0 };
}

export function registerFallbackCommands(program: Command, ctx: CliContext): void {
  const fb = program.command('fallback').description('the Tailscale-down SSH fallback (access.sshFallback, opt-in): the port opens for key-only sshd while Tailscale is down and closes when it is back');
  fb.command('tick')
    .description('one look (the timer runs it): read tailscale status, open or close the SSH port when the spec\'s window has passed; each change goes to the ledger and the alert sinks')
    .addOption(waitOption())
    .action(async (opts: { wait?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      // the operator's way in: it works while the host is contained too
      await withHostLock(ctx, cmd, 'clawops fallback tick', opts.wait, { whileContained: true }, async (ex, spec) => {
        const now = new Date();
        const t = await fallbackTick(ex, spec, now);
        const notes: string[] = [];
        if (t.transition !== null) {
          const result = fallbackResult(spec, t.record, now);
          const sent = await dispatchAlerts(ex, spec, [result], { now, env: ctx.rt.env, profile: 'fallback', gate: result.status === 'fail' ? 'fail' : 'pass' });
          notes.push(`alerts: ${sent.events.map((e) => e.kind).join(', ') || 'none new'}; delivered ${sent.delivered}, spooled ${sent.spooled}`);
          const { recordCheckRun } = await import('../../ledger/check-run.ts');
          const { recordHostEvent } = await import('../../ledger/events.ts');
          notes.push(...(await recordCheckRun(ex, spec, { now, profile: 'fallback', gate: result.status === 'fail' ? 'fail' : 'pass', results: [result], durationMs: 0 })).notes);
          notes.push(...recordHostEvent(ex, spec, { at: now, kind: 'fallback', ok: t.transition === 'closed', summary: t.summary, detail: { transition: t.transition } }));
        }
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, transition: t.transition, summary: t.summary, record: t.record, notes });
        else {
          printLine(ctx.rt, t.summary);
          for (const n of notes) ctx.rt.err(`${n}\n`);
        }
        return t.transition === 'refused' ? EXIT.gate : EXIT.ok;
      });
    });
  fb.command('status')
    .description('the fallback\'s record: open or closed, since when, the last Tailscale reading, a refusal and why')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const ex = executorFor(g.target);
      try {
        const r = await readFallback(ex, spec);
        const result = fallbackResult(spec, r, new Date());
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, enabled: spec.access.sshFallback.enabled, record: r, check: result });
        else printLine(ctx.rt, `${spec.access.sshFallback.enabled ? 'enabled' : 'disabled'}: ${result.evidence}`);
        ctx.setExit(result.status === 'fail' ? EXIT.gate : EXIT.ok);
      } finally {
        await ex.close();
      }
    });
}
