/** The gateway's systemd unit: state, enablement, restart policy and history, unit file, exposure. */
import { journalCause, unitJournal } from '../facts/journal.ts';
import { unitFilePath } from '../facts/paths.ts';
import { textFile } from '../facts/system.ts';
import { memoryArg, memorySamples } from '../facts/ledger.ts';
import { parseUnitFile, systemdUnit, unitExposure } from '../facts/systemd.ts';
import { isUnknown, known, ref } from '../facts/types.ts';
import { ledgerPath } from '../ledger/paths.ts';
import { dropInPaths, isRemovableDropIn } from '../openclaw/unit-dropins.ts';
import { renderGatewayUnit } from '../openclaw/unit.ts';
import { effectiveVersion, installRef } from './helpers.ts';
import { type CheckDef, fail, pass, skipped } from './types.ts';

/** NRestarts above this (since the unit last started by hand) is reported by the restart watch. */
export const MAX_RESTARTS = 3;
/** The runbook's checklist: `systemd-analyze security` <= 5.8. */
export const MAX_EXPOSURE = 5.8;

/** The memory trend: the same window and horizon as the rendered Prometheus rule (predict_linear over 6 h, a day ahead). */
const GROWTH_WINDOW_HOURS = 6;
const MIN_SAMPLES = 12;
const MIN_SPAN_HOURS = 2;

/** Least-squares slope of the memory samples (bytes per hour) and where the line is now; undefined with too little history. */
export function memoryTrend(points: readonly { t: number; bytes: number }[]): { perHour: number; now: number; hours: number; samples: number } | undefined {
  if (points.length < MIN_SAMPLES) return undefined;
  const t0 = points[0]!.t;
  const last = points[points.length - 1]!.t;
  const hours = (last - t0) / 3_600_000;
  if (hours < MIN_SPAN_HOURS) return undefined;
  const xs = points.map((p) => (p.t - t0) / 3_600_000);
  const mx = xs.reduce((a, x) => a + x, 0) / xs.length;
  const my = points.reduce((a, p) => a + p.bytes, 0) / points.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (points[i]!.bytes - my);
    den += (x - mx) ** 2;
  });
  const perHour = den === 0 ? 0 : num / den;
  return { perHour, now: my + perHour * (hours - mx), hours, samples: points.length };
}

const unitRef = (unit: string) => ref(systemdUnit, unit);
const journalRef = (unit: string) => ref(unitJournal, unit);
/** journal lines quoted in a failing service.active verdict (the fact keeps 50) */
const EXCERPT_LINES = 8;

/**
 * The start limit latched the unit: systemd says so (start-limit-hit), or (systemd 252 keeps the
 * last crash's result after an automatic restart is refused) it failed after as many restarts as
 * the limit allows. One rule for the restart check and the unit's own failure alert.
 */
export function startLimitLatched(result: string, active: string, restarts: number, burst: number): boolean {
  return result === 'start-limit-hit' || (active === 'failed' && restarts >= burst);
}

export const serviceChecks: CheckDef[] = [
  {
    id: 'service.active',
    title: 'The gateway unit is active (running)',
    area: 'service', severity: 'critical', profiles: ['go-live', 'health', 'restart'], scope: 'instance',
    runbook: 'hardened guide 6.2-6.3 (systemctl start; status active); checklist "Service running"',
    remediation: 'systemctl start <unit> (journalctl -u <unit> says why it stopped)',
    needs: (ctx) => [unitRef(ctx.inst.unit), journalRef(ctx.inst.unit)],
    evaluate(f, ctx) {
      const u = known(f, unitRef(ctx.inst.unit));
      if (u.LoadState === 'not-found') return fail(`${ctx.inst.unit} is not installed`, 'clawops apply (gateway unit step)');
      if (u.ActiveState !== 'active') {
        const j = f.get(journalRef(ctx.inst.unit));
        const lines = isUnknown(j) ? [] : j.lines;
        const cause = journalCause(lines, { status: u.ExecMainStatus, code: u.ExecMainCode, result: u.Result });
        const excerpt = isUnknown(j) ? `journal unreadable: ${j.unknown}` : `last journal lines:\n${lines.slice(-EXCERPT_LINES).map((l) => `  ${l}`).join('\n')}`;
        return fail(
          `${ctx.inst.unit} is ${u.ActiveState} (${u.SubState}), result ${u.Result}${cause ? `; ${cause}` : ''}\n${excerpt}`,
          u.ExecMainStatus === '78'
            ? `fix the config key named above (\`oc config validate\`), or \`clawops apply\` to restore the managed keys; then systemctl reset-failed ${ctx.inst.unit} && systemctl start ${ctx.inst.unit}`
            : `systemctl start ${ctx.inst.unit}; journalctl -u ${ctx.inst.unit} -n 50`,
        );
      }
      return pass(`${ctx.inst.unit} active (${u.SubState}), MainPID ${u.MainPID}`);
    },
  },
  {
    id: 'service.enabled',
    title: 'The gateway unit starts at boot',
    area: 'service', severity: 'critical', profiles: ['go-live'], scope: 'instance',
    runbook: 'hardened guide 6.2 (systemctl enable)',
    remediation: 'systemctl enable <unit>',
    needs: (ctx) => [unitRef(ctx.inst.unit)],
    evaluate(f, ctx) {
      const u = known(f, unitRef(ctx.inst.unit));
      if (u.LoadState === 'not-found') return fail(`${ctx.inst.unit} is not installed`, 'clawops apply (gateway unit step)');
      if (u.UnitFileState !== 'enabled') return fail(`${ctx.inst.unit} is ${u.UnitFileState || 'not enabled'}`, `systemctl enable ${ctx.inst.unit}`);
      return pass(`${ctx.inst.unit} enabled`);
    },
  },
  {
    id: 'service.start-limit',
    title: 'The gateway unit is not latched by its start limit',
    area: 'service', severity: 'critical', profiles: ['go-live', 'health', 'restart'], scope: 'instance',
    runbook: 'hardened guide 6.4 (restart resilience); StartLimitBurst in [Unit]',
    remediation: 'systemctl reset-failed <unit> && systemctl start <unit>, after fixing the crash (journalctl -u <unit>)',
    needs: (ctx) => [unitRef(ctx.inst.unit)],
    evaluate(f, ctx) {
      const u = known(f, unitRef(ctx.inst.unit));
      if (u.LoadState === 'not-found') return skipped(`${ctx.inst.unit} is not installed`);
      if (startLimitLatched(u.Result ?? '', u.ActiveState ?? '', Number(u.NRestarts), Number(u.StartLimitBurst || 5))) {
        return fail(`${ctx.inst.unit} ${u.ActiveState}, result ${u.Result}, NRestarts ${u.NRestarts} (StartLimitBurst ${u.StartLimitBurst})`, `journalctl -u ${ctx.inst.unit} -n 100 (find the crash), then systemctl reset-failed ${ctx.inst.unit} && systemctl start ${ctx.inst.unit}`);
      }
      return pass(`result ${u.Result || 'n/a'}, NRestarts ${u.NRestarts}`);
    },
  },
  {
    id: 'service.restarts',
    title: `The gateway has restarted at most ${MAX_RESTARTS} times since it was started`,
    area: 'service', severity: 'warn', profiles: ['go-live', 'restart'], scope: 'instance',
    runbook: 'production runbook 6.4 (openclaw-restart-watch.timer)',
    remediation: 'read journalctl -u <unit> for the crash cause (memory growth, config errors, token mismatch)',
    needs: (ctx) => [unitRef(ctx.inst.unit)],
    evaluate(f, ctx) {
      const u = known(f, unitRef(ctx.inst.unit));
      if (u.LoadState === 'not-found') return skipped(`${ctx.inst.unit} is not installed`);
      const n = Number(u.NRestarts ?? 0);
      if (n > MAX_RESTARTS) return fail(`NRestarts ${n} since ${u.ExecMainStartTimestamp || 'start'}`, `journalctl -u ${ctx.inst.unit} -n 200 (why it crashes), then systemctl restart ${ctx.inst.unit} to reset the counter`);
      return pass(`NRestarts ${n}`);
    },
  },
  {
    id: 'service.memory',
    title: 'The gateway\'s memory is under monitoring.gateway.memoryMaxMB',
    area: 'service', severity: 'warn', profiles: ['go-live', 'health', 'restart'], scope: 'instance',
    runbook: 'production runbook 6 (alerts: memory leak), hardened guide 9 (maintenance)',
    remediation: 'journalctl -u <unit> for what grows; a leak is cleared for now by systemctl restart <unit>, report it upstream with the OpenClaw version',
    needs: (ctx) => [unitRef(ctx.inst.unit)],
    evaluate(f, ctx) {
      const u = known(f, unitRef(ctx.inst.unit));
      if (u.LoadState === 'not-found' || u.ActiveState !== 'active') return skipped(`${ctx.inst.unit} is not running`);
      const bytes = Number(u.MemoryCurrent);
      if (!/^\d+$/.test(u.MemoryCurrent ?? '')) return skipped(`MemoryCurrent=${u.MemoryCurrent || '(empty)'}: memory accounting is off for ${ctx.inst.unit}`);
      const mb = bytes / 1024 / 1024;
      const max = ctx.spec.monitoring.gateway.memoryMaxMB;
      if (mb > max) return fail(`${ctx.inst.unit} uses ${mb.toFixed(0)} MB > ${max} MB`);
      return pass(`${mb.toFixed(0)} MB of ${max} MB`);
    },
  },
  {
    id: 'service.memory-growth',
    title: 'The gateway\'s memory is not on course to pass monitoring.gateway.memoryMaxMB within a day',
    area: 'service', severity: 'warn', profiles: ['go-live', 'restart'], scope: 'instance',
    runbook: 'production runbook 6 (alerts: memory leak); hardened guide 9 (maintenance)',
    remediation: 'a leak: plan a restart of <unit> before it reaches the limit, keep `journalctl -u <unit>` and report it upstream with the OpenClaw version',
    needs: (ctx) => [ref(memorySamples, memoryArg(ledgerPath(ctx.spec.stateDir), ctx.inst.name, GROWTH_WINDOW_HOURS))],
    evaluate(f, ctx) {
      const s = known(f, ref(memorySamples, memoryArg(ledgerPath(ctx.spec.stateDir), ctx.inst.name, GROWTH_WINDOW_HOURS)));
      if (!s.ledger) return skipped('no ledger on the host yet: the health timer records the gateway\'s memory every minute once applied');
      const t = memoryTrend(s.points);
      if (!t) return skipped(`${s.points.length} memory sample(s) in the last ${GROWTH_WINDOW_HOURS} h: a trend needs ${MIN_SAMPLES} over ${MIN_SPAN_HOURS} h (memory accounting off, or the health timer not running that long)`);
      const max = ctx.spec.monitoring.gateway.memoryMaxMB * 1024 * 1024;
      const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
      const rate = `${t.perHour >= 0 ? '+' : ''}${(t.perHour / 1024 / 1024).toFixed(1)} MB/h over ${t.hours.toFixed(1)} h (${t.samples} samples), now ${mb(t.now)}`;
      if (t.perHour <= 0) return pass(`flat or falling: ${rate}`);
      const hoursLeft = (max - t.now) / t.perHour;
      if (hoursLeft <= 24) return fail(`growing ${rate}: at this rate it passes ${mb(max)} in ${Math.max(0, hoursLeft).toFixed(1)} h`);
      return pass(`${rate}: ${mb(max)} not within a day`);
    },
  },
  {
    id: 'service.restart-policy',
    title: 'The gateway unit restarts on failure',
    area: 'service', severity: 'warn', profiles: ['go-live'], scope: 'instance',
    runbook: 'hardened guide 6.1 (Restart=on-failure, RestartSec=10)',
    remediation: 'clawops apply (gateway unit step) renders Restart=',
    needs: (ctx) => [unitRef(ctx.inst.unit)],
    evaluate(f, ctx) {
      const u = known(f, unitRef(ctx.inst.unit));
      if (u.LoadState === 'not-found') return fail(`${ctx.inst.unit} is not installed`, 'clawops apply (gateway unit step)');
      if (!['always', 'on-failure', 'on-abnormal'].includes(u.Restart ?? '')) return fail(`Restart=${u.Restart}`);
      return pass(`Restart=${u.Restart}`);
    },
  },
  {
    id: 'service.unit-file',
    title: 'The unit file runs the spec binary as the service user with the env file, and holds no token',
    area: 'service', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 6.1 (unit file); known pain: tokens written into units (token mismatch)',
    remediation: 'clawops apply (gateway unit step) renders the unit from the spec (`clawops render unit` shows it)',
    needs: (ctx) => [ref(textFile, unitFilePath(ctx.inst)), installRef(ctx), ref(systemdUnit, ctx.inst.unit)],
    evaluate(f, ctx) {
      const path = unitFilePath(ctx.inst);
      const text = known(f, ref(textFile, path)).content;
      if (text === null) return fail(`${path} does not exist`);
      const dropIns = dropInPaths(known(f, ref(systemdUnit, ctx.inst.unit)));
      if (dropIns.length > 0) {
        const manual = dropIns.filter((p) => !isRemovableDropIn(p));
        return fail(`drop-ins change the effective ${ctx.inst.unit}: ${dropIns.join(', ')}`, manual.length ? `remove by hand: ${manual.join(', ')}; then clawops apply` : 'clawops apply (removes the drop-ins; clawops makes none)');
      }
      const { caps, note } = effectiveVersion(f, ctx);
      const d = parseUnitFile(text);
      const problems: string[] = [];
      const user = d.get('Service.User')?.at(-1);
      if (user !== ctx.inst.user) problems.push(`User=${user ?? '(unset, root)'} (want ${ctx.inst.user})`);
      const exec = d.get('Service.ExecStart')?.at(-1) ?? '';
      if (!exec.includes('gateway run')) problems.push(`ExecStart=${exec || '(unset)'} does not run \`openclaw gateway run\``);
      const envFiles = (d.get('Service.EnvironmentFile') ?? []).map((e) => e.replace(/^-/, ''));
      // 9.x reads the token from it; 2.x keeps the token in openclaw.json and the unit needs none
      if (caps.tokenEnvReference && !envFiles.includes(ctx.inst.envFile)) problems.push(`EnvironmentFile=${ctx.inst.envFile} missing (${note} reads the token from it)`);
      const env = (d.get('Service.Environment') ?? []).join(' ');
      if (/(TOKEN|PASSWORD|SECRET)[A-Z_]*=\S/.test(env)) problems.push('a secret is set with Environment= (world-readable unit file)');
      if (problems.length) return fail(`${path}: ${problems.join('; ')}`);
      // anything else apply would rewrite (a weakened sandbox, a changed restart policy) fails here too
      if (text !== renderGatewayUnit(ctx.spec, ctx.inst, ctx.spec.openclaw.version)) {
        return fail(`${path} differs from the unit clawops renders for the spec`, 'clawops apply (gateway unit step) rewrites it from the spec (`clawops render unit` shows it)');
      }
      return pass(`${path}: User=${user}, ExecStart=${exec}, ${caps.tokenEnvReference ? `EnvironmentFile=${ctx.inst.envFile}` : `no token EnvironmentFile (${note}: the token is in openclaw.json)`}`);
    },
  },
  {
    id: 'service.exposure',
    title: `systemd exposure score of the unit is at most ${MAX_EXPOSURE}`,
    area: 'service', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 6.3 (systemd-analyze security); checklist "Security score <= 5.8"',
    remediation: 'clawops apply (gateway unit step) renders the hardened unit',
    needs: (ctx) => [ref(unitExposure, unitFilePath(ctx.inst))],
    evaluate(f, ctx) {
      const e = known(f, ref(unitExposure, unitFilePath(ctx.inst)));
      if (e.score > MAX_EXPOSURE) return fail(`exposure ${e.score} ${e.level} > ${MAX_EXPOSURE}`);
      return pass(`exposure ${e.score} ${e.level}`);
    },
  },
];
