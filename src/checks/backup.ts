/** Backups against the RPO, restore drills, the check timers, and the waivers file itself. */
import { lastBackupPath, lastDrillPath, PROFILES, timerUnit, type Profile } from '../facts/paths.ts';
import { textFile } from '../facts/system.ts';
import { parseSystemdTime, systemdUnit } from '../facts/systemd.ts';
import { ref } from '../facts/types.ts';
import { list, need } from './helpers.ts';
import { type CheckDef, fail, pass, skipped } from './types.ts';

interface StatusRecord {
  finishedAt?: string;
  ok?: boolean;
}

function readRecord(text: string | null): StatusRecord | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as StatusRecord;
  } catch {
    return {};
  }
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;
const scheduled = PROFILES.filter((p): p is Exclude<Profile, 'go-live'> => p !== 'go-live');

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
      const r = readRecord(need(f, ref(textFile, path)).content);
      if (!r) return fail(`no backup recorded (${path} missing)`, 'clawops backup run');
      const t = Date.parse(r.finishedAt ?? '');
      if (Number.isNaN(t)) return fail(`${path} has no valid finishedAt`, 'clawops backup run');
      const age = ctx.now.getTime() - t;
      if (r.ok !== true) return fail(`the last backup (${r.finishedAt}) failed`, 'clawops backup run (read its error)');
      if (age > ctx.spec.dr.rpoHours * 3_600_000) return fail(`last backup ${hours(age)} h ago > RPO ${ctx.spec.dr.rpoHours} h`, 'clawops backup run; systemctl status clawops-backup.timer');
      return pass(`last backup ${hours(age)} h ago (RPO ${ctx.spec.dr.rpoHours} h)`);
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
      const r = readRecord(need(f, ref(textFile, path)).content);
      if (!r) return fail(`no restore drill recorded (${path} missing)`, 'clawops drill');
      const t = Date.parse(r.finishedAt ?? '');
      if (Number.isNaN(t) || r.ok !== true) return fail(`the last drill (${r.finishedAt ?? '?'}) did not succeed`, 'clawops drill');
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
    needs: () => scheduled.map((p) => ref(systemdUnit, timerUnit(p))),
    evaluate(f, ctx) {
      const bad: string[] = [];
      const fixes: string[] = [];
      const now = ctx.now.getTime();
      for (const p of scheduled) {
        const name = timerUnit(p);
        const u = need(f, ref(systemdUnit, name));
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
        const last = parseSystemdTime(u.LastTriggerUSec);
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
