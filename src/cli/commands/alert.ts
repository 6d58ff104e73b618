/**
 * `clawops alert test`: one test alert to every sink of monitoring.alerts (and a ping to each
 * dead-man URL), each sink's answer reported; nothing is recorded or spooled.
 * `clawops alert status`: the open alerts, what is spooled for which sink, each sink's health.
 */
import type { Command } from 'commander';
import { type AlertEvent } from '../../alerts/book.ts';
import { deliver, ping, sinkName } from '../../alerts/deliver.ts';
import { dispatchAlerts, hostName } from '../../alerts/dispatch.ts';
import { parseUnitEvent, unitEventResult } from '../../alerts/unit-event.ts';
import { unitNow } from '../../openclaw/probe.ts';
import { ClawopsError } from '../../core/errors.ts';
import type { HeldLock } from '../../core/lock.ts';
import { takeHostLock } from '../lock.ts';
import { loadStore } from '../../alerts/store.ts';
import { loadSpec } from '../../desired/load.ts';
import { registerKnownSecrets } from '../../desired/secrets.ts';
import { executorFor } from '../../exec/target.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine } from '../runtime.ts';

export function registerAlertCommands(program: Command, ctx: CliContext): void {
  const alert = program.command('alert').description('alert sinks: send a test alert, show open alerts and the delivery spool');
  alert
    .command('test')
    .description('send one test alert to every sink in monitoring.alerts and ping each dead-man URL; exit 2 when a sink did not take it')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const ex = executorFor(g.target);
      try {
        await registerKnownSecrets(ex, spec, ctx.rt.env);
        const at = new Date().toISOString();
        const host = await hostName(ex);
        const event: AlertEvent = {
          key: `${host}/-/alerts.test`, kind: 'firing', host, instance: null, check: 'alerts.test', severity: 'warn',
          title: 'clawops test alert (no action needed)', status: 'fail', evidence: `sent by clawops alert test on ${host}`,
          remediation: 'none: this only shows the sink works', firstSeen: at, at,
        };
        const dctx = { ex, env: ctx.rt.env, remindHours: spec.monitoring.alerting.remindHours };
        const results: { sink: string; ok: boolean; error?: string }[] = [];
        for (const [i, sink] of spec.monitoring.alerts.entries()) {
          try {
            if (sink.type === 'ping') await ping(sink, 'success', dctx);
            else await deliver(sink, [event], dctx);
            results.push({ sink: sinkName(sink, i), ok: true });
          } catch (err) {
            results.push({ sink: sinkName(sink, i), ok: false, error: (err as Error).message });
          }
        }
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, sinks: results });
        else if (results.length === 0) printLine(ctx.rt, 'no alert sinks in monitoring.alerts');
        else for (const r of results) printLine(ctx.rt, `${r.ok ? 'ok  ' : 'FAIL'} ${r.sink}${r.error ? `: ${r.error}` : ''}`);
        ctx.setExit(results.every((r) => r.ok) ? EXIT.ok : EXIT.gate);
      } finally {
        await ex.close();
      }
    });
  alert
    .command('unit-event')
    .argument('<instance:event>', 'the gateway instance and what happened: crash or failed (clawops-alert@<instance>:<event>.service passes it)')
    .description('alert a gateway crash or failure now (the gateway unit starts this through clawops-alert@.service): read the unit from systemd, then the alert book and monitoring.alerts, under the host lock')
    .action(async (arg: string, _opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const ev = parseUnitEvent(arg);
      if (!ev) throw new ClawopsError(`not an instance event: ${JSON.stringify(arg)}`, { hint: 'give <instance>:crash or <instance>:failed' });
      const spec = await loadSpec(g.spec, ctx.rt);
      const inst = spec.resolved.find((i) => i.name === ev.instance);
      if (!inst) throw new ClawopsError(`no instance named ${ev.instance} in the spec`, { hint: `instances: ${spec.resolved.map((i) => i.name).join(', ')}` });
      const ex = executorFor(g.target);
      let lock: HeldLock | undefined;
      try {
        await registerKnownSecrets(ex, spec, ctx.rt.env);
        const result = unitEventResult(inst.name, inst.unit, ev.kind, await unitNow(ex, inst.unit));
        lock = await takeHostLock(ctx, ex, spec.stateDir, `clawops alert unit-event ${arg}`, '600', { whileContained: true });
        const now = new Date();
        const r = await dispatchAlerts(ex, spec, [result], { now, env: ctx.rt.env, profile: 'unit-event', gate: 'fail' });
        // the ledger: the crash as a run of its check (a critical failure opens an incident) and as a restart seen
        const { recordCheckRun } = await import('../../ledger/check-run.ts');
        const { recordHostEvent } = await import('../../ledger/events.ts');
        const led = await recordCheckRun(ex, spec, { now, profile: 'unit-event', gate: 'fail', results: [result], durationMs: 0 });
        const notes = [...led.notes, ...recordHostEvent(ex, spec, { at: now, kind: 'restart', ok: false, summary: result.evidence, detail: { instance: inst.name, event: ev.kind } })];
        for (const n of notes) ctx.rt.err(`${n}\n`);
        if (g.json) printJson(ctx.rt, { schemaVersion: 1, target: ex.target, result, alerts: r });
        else printLine(ctx.rt, `${result.id}[${inst.name}]: ${result.evidence}; ${r.events.length ? r.events.map((e) => e.kind).join(', ') : 'already alerted'}; delivered ${r.delivered}, spooled ${r.spooled}`);
        ctx.setExit(EXIT.ok);
      } finally {
        await lock?.release();
        await ex.close();
      }
    });
  alert
    .command('status')
    .description('open alerts (since when, last sent), deliveries spooled per sink with their last error, each sink\'s health, deliveries given up')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const spec = await loadSpec(g.spec, ctx.rt);
      const ex = executorFor(g.target);
      try {
        const { store, note } = await loadStore(ex, spec.stateDir);
        const open = Object.values(store.book.open);
        if (g.json) {
          printJson(ctx.rt, { schemaVersion: 1, target: ex.target, open, spool: store.spool, sinks: store.sinks, dropped: store.dropped, ...(note ? { note } : {}) });
        } else {
          if (note) printLine(ctx.rt, note);
          printLine(ctx.rt, `${open.length} open alert(s)`);
          for (const a of open) printLine(ctx.rt, `  ${a.severity.padEnd(8)} ${a.check}${a.instance ? `[${a.instance}]` : ''} since ${a.firstSeen} (last sent ${a.lastSent}): ${a.evidence}`);
          for (const [i, sink] of spec.monitoring.alerts.entries()) {
            const h = store.sinks[String(i)];
            const spooled = store.spool.filter((s) => s.sink === i).length;
            printLine(ctx.rt, `sink ${sinkName(sink, i)}: ${h?.failures ? `${h.failures} failure(s) in a row, last ${h.lastErrorAt}: ${h.lastError}` : 'ok'}; ${spooled} spooled`);
          }
          if (store.dropped > 0) printLine(ctx.rt, `${store.dropped} deliveries given up after monitoring.alerting.retryHours`);
        }
        ctx.setExit(EXIT.ok);
      } finally {
        await ex.close();
      }
    });
}
