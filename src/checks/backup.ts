/** Backups against the RPO, restore drills, the check timers, and the waivers file itself. */
import { FALLBACK_UNIT, lastBackupPath, lastDrillPath, PROFILES, timerUnit, type Profile } from '../facts/paths.ts';
import { textFile } from '../facts/system.ts';
import { parseBackupRecord, parseDrillRecord } from '../backup/records.ts';
import { parseSystemdTime, systemdUnit, unitExposure } from '../facts/systemd.ts';
import { isUnknown, ref, known } from '../facts/types.ts';
import { list } from './helpers.ts';
import { type CheckContext, type CheckDef, fail, pass, skipped, unknownV } from './types.ts';

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;
const timerService = (p: Exclude<Profile, 'go-live'>) => timerUnit(p).replace(/\.timer$/, '.service');
const scheduled = PROFILES.filter((p): p is Exclude<Profile, 'go-live'> => p !== 'go-live');
/** the most `systemd-analyze security` exposure a check job may have (its services run as root) */
export const MAX_TIMER_EXPOSURE = 4.0;
/** The services of clawops' own jobs: the check timers', and the SSH fallback's when it is on. */
const jobServices = (ctx: CheckContext): string[] => [
  ...scheduled.filter((p) => p !== 'backup' || ctx.spec.backup.enabled).map(timerService),
  ...(ctx.spec.access.sshFallback.enabled ? [`${FALLBACK_UNIT}.service`] : []),
];

export const backupChecks: CheckDef[] = [
  {
    id: 'backup.recent',
    title: 'The last backup succeeded within the RPO',
    area: 'backup', severity: 'critical', profiles: ['go-live', 'backup'], scope: 'host',
    runbook: 'production runbook 7.1, 7.4 (daily restic backup; RPO 24 h)',
    remediation: 'clawops backup run (and check clawops-backup.timer)',
    needs: (ctx) => [ref(textFile, lastBackupPath(ctx.spec))],
    evaluate(f, ctx) {
      if (!ctx.spec.backup.enabled) return skipped('backup.enabled is false in the spec');
      const path = lastBackupPath(ctx.spec);
      const text = known(f, ref(textFile, path)).content;
      const r = parseBackupRecord(text);
      if (!r) return fail(text === null ? `no backup recorded (${path} missing)` : `${path} is not a backup record`, 'clawops backup run');
      const last = r.lastSuccessAt ?? (r.ok ? r.finishedAt : undefined);
      if (!last) return fail(`no successful backup yet; the last run (${r.finishedAt}) failed: ${r.error ?? 'see clawops backup list'}`, 'clawops backup run (read its error)');
      const age = ctx.now.getTime() - Date.parse(last);
      if (age > ctx.spec.dr.rpoHours * 3_600_000) return fail(`last successful backup ${hours(age)} h ago > RPO ${ctx.spec.dr.rpoHours} h${r.ok ? '' : ` (latest run failed: ${r.error ?? '?'})`}`, 'clawops backup run; systemctl status clawops-backup.timer');
      if (!r.ok) return fail(`the latest backup run (${r.finishedAt}) failed: ${r.error ?? '?'}; last success ${hours(age)} h ago`, 'clawops backup run (read its error)');
      return pass(`last backup ${hours(age)} h ago, ok (RPO ${ctx.spec.dr.rpoHours} h)`);
    },
  },
  {
    id: 'backup.drill',
    title: 'A restore drill succeeded recently',
    area: 'backup', severity: 'warn', profiles: ['go-live', 'backup'], scope: 'host',
    runbook: 'production runbook 7.2 (restore drill); week 3 (backup + restore drills)',
    remediation: 'clawops drill',
    needs: (ctx) => [ref(textFile, lastDrillPath(ctx.spec))],
    evaluate(f, ctx) {
      if (!ctx.spec.backup.enabled) return skipped('backup.enabled is false in the spec');
      const path = lastDrillPath(ctx.spec);
      const text = known(f, ref(textFile, path)).content;
      const r = parseDrillRecord(text);
      if (!r) return fail(text === null ? `no restore drill recorded (${path} missing)` : `${path} is not a drill record`, 'clawops drill');
      const t = Date.parse(r.lastSuccessAt ?? (r.ok ? r.finishedAt : ''));
      if (Number.isNaN(t)) return fail(`no successful drill yet; the last (${r.finishedAt}) failed: ${r.error ?? '?'}`, 'clawops drill');
      const days = (ctx.now.getTime() - t) / 86_400_000;
      if (days > ctx.spec.dr.drillMaxAgeDays) return fail(`last drill ${days.toFixed(1)} days ago > ${ctx.spec.dr.drillMaxAgeDays}`, 'clawops drill');
      return pass(`last drill ${days.toFixed(1)} days ago`);
    },
  },
  {
    id: 'monitoring.timers',
    title: 'The check timers are enabled, active and have run recently',
    area: 'monitoring', severity: 'warn', profiles: ['go-live'], scope: 'host',
    runbook: 'production runbook 6 (health/security/credential/restart/backup timers)',
    remediation: 'clawops apply (timers step), or systemctl enable --now <timer>',
    needs: () => scheduled.flatMap((p) => [ref(systemdUnit, timerUnit(p)), ref(systemdUnit, timerService(p))]),
    evaluate(f, ctx) {
      const bad: string[] = [];
      const fixes: string[] = [];
      const now = ctx.now.getTime();
      for (const p of scheduled) {
        const name = timerUnit(p);
        const u = known(f, ref(systemdUnit, name));
        if (u.LoadState === 'not-found') {
          bad.push(`${name} not installed`);
          fixes.push('clawops apply (timers step)');
          continue;
        }
        if (u.UnitFileState !== 'enabled' || u.ActiveState !== 'active') {
          bad.push(`${name} ${u.UnitFileState}/${u.ActiveState}`);
          fixes.push(`systemctl enable --now ${name}`);
          continue;
        }
        // a run started by hand (`systemctl start <service>`, the remediation below) is a run too
        const svc = f.get(ref(systemdUnit, timerService(p)));
        const byHand = isUnknown(svc) ? undefined : parseSystemdTime(svc.ExecMainStartTimestamp);
        const triggered = parseSystemdTime(u.LastTriggerUSec);
        const last = triggered === undefined || (byHand !== undefined && byHand > triggered) ? byHand : triggered;
        const next = parseSystemdTime(u.NextElapseUSecRealtime);
        if (last === undefined) {
          bad.push(`${name} has never run`);
          fixes.push(`systemctl start ${u.Unit || name.replace('.timer', '.service')}`);
        } else if (next !== undefined && now - last > 2 * Math.max(next - last, 60_000) + 300_000) {
          bad.push(`${name} last ran ${hours(now - last)} h ago`);
          fixes.push(`systemctl status ${name}`);
        }
      }
      if (bad.length) return fail(bad.join('; '), [...new Set(fixes)].join(' && '));
      return pass(`${list(scheduled.map(timerUnit))} enabled, active, recently run`);
    },
  },
  {
    id: 'monitoring.timers-exposure',
    title: `Each clawops job's service (the check timers, the SSH fallback) is sandboxed: systemd exposure at most ${MAX_TIMER_EXPOSURE}`,
    area: 'monitoring', severity: 'warn', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'production runbook 6 (timers); they run as root next to the service user, so they are confined',
    remediation: 'clawops apply (timers step) renders the sandboxed services',
    needs: (ctx) => jobServices(ctx).map((n) => ref(unitExposure, `/etc/systemd/system/${n}`)),
    evaluate(f, ctx) {
      const seen: string[] = [];
      const bad: string[] = [];
      for (const name of jobServices(ctx)) {
        const e = f.get(ref(unitExposure, `/etc/systemd/system/${name}`));
        if (isUnknown(e)) {
          if (/no such unit file/.test(e.unknown)) bad.push(`${name} not installed`);
          else return unknownV(e.unknown);
          continue;
        }
        seen.push(`${name} ${e.score} ${e.level}`);
        if (e.score > MAX_TIMER_EXPOSURE) bad.push(`${name} exposure ${e.score} > ${MAX_TIMER_EXPOSURE}`);
      }
      if (bad.length) return fail([...bad, ...seen].join('; '));
      return pass(seen.join('; '));
    },
  },
  {
    id: 'waivers.valid',
    title: 'Every waiver is well-formed and unexpired',
    area: 'monitoring', severity: 'warn', profiles: [...PROFILES], scope: 'host',
    runbook: 'clawops waivers file (id, reason, expires)',
    remediation: 'renew (new expiry and reason) or delete the expired waivers, and fix what they hid',
    needs: () => [],
    evaluate(_f, ctx) {
      if (ctx.waiverProblems.length) return fail(ctx.waiverProblems.join('; '));
      return pass('no expired or malformed waivers');
    },
  },
];
