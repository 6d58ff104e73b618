/**
 * `openclaw security audit --deep --json`: 0 critical and 0 warn, less waived audit ids; and the
 * device pairing its deep probe needs on 9.x (the service user's CLI device, operator.read only).
 */
import { auditArg, openclawAudit } from '../facts/openclaw.ts';
import { pairingFactRef } from '../facts/openclaw-live.ts';
import { known, ref } from '../facts/types.ts';
import { AUDIT_PROBE_SCOPE, judgePairing } from '../openclaw/pairing.ts';
import { effectiveVersion, installRef, list } from './helpers.ts';
import { type CheckContext, type CheckDef, fail, pass, skipped } from './types.ts';

export const pairingRef = (ctx: CheckContext) => pairingFactRef(ctx.inst);

export const auditRef = (ctx: CheckContext) => ref(openclawAudit, auditArg(ctx.inst.user, ctx.inst.home, ctx.inst.envFile, ctx.inst.bin));

export const auditChecks: CheckDef[] = [
  {
    id: 'audit.openclaw',
    title: 'openclaw security audit --deep: 0 critical and 0 warn (less waived audit ids)',
    area: 'audit', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 5.1, 8.3 (security audit sign-off: 0 CRITICAL, 0 WARN); checklist "Security audit"',
    remediation: 'fix each finding (its remediation is printed), or waive its id as `audit:<checkId>` with a reason and an expiry',
    needs: (ctx) => [auditRef(ctx), installRef(ctx)],
    evaluate(f, ctx) {
      const a = known(f, auditRef(ctx));
      const { caps, note } = effectiveVersion(f, ctx);
      const waived = new Set(ctx.waivedAuditIds);
      const stale = [...waived].filter((id) => caps.removedAuditIds.includes(id));
      const open = a.findings.filter((x) => (x.severity === 'critical' || x.severity === 'warn') && !waived.has(x.checkId));
      const wv = a.findings.filter((x) => waived.has(x.checkId)).map((x) => x.checkId);
      const tail = `${wv.length ? `; waived: ${list(wv)}` : ''}${stale.length ? `; waivers for ids ${note} no longer emits: ${list(stale)}` : ''}`;
      if (open.length) {
        return fail(
          `${a.summary.critical} critical, ${a.summary.warn} warn: ${open.map((x) => `[${x.severity}] ${x.checkId}: ${x.title}${x.detail ? ` (${x.detail.split('\n')[0]?.slice(0, 160)})` : ''}`).join('; ')}${tail}`,
          open.map((x) => `${x.checkId}: ${x.remediation ?? 'see `openclaw security audit`'}`).join(' | '),
        );
      }
      return pass(`${a.summary.critical} critical, ${a.summary.warn} warn, ${a.summary.info} info (${note})${tail}`);
    },
  },
  {
    id: 'audit.probe-device',
    title: `The audit's deep probe has its device: the service user's CLI device is paired as ${AUDIT_PROBE_SCOPE} only`,
    area: 'audit', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 8.3 (security audit --deep sign-off); OpenClaw docs gateway/pairing (silent local pairing)',
    remediation: `clawops apply (pairs the service user's CLI device with the gateway as ${AUDIT_PROBE_SCOPE}, non-interactively)`,
    needs: (ctx) => [pairingRef(ctx), installRef(ctx)],
    evaluate(f, ctx) {
      const { caps, note } = effectiveVersion(f, ctx);
      if (!caps.deepAuditNeedsDevicePairing) return skipped(`${note}: the deep audit probe needs no device pairing`);
      const v = judgePairing(known(f, pairingRef(ctx)));
      return v.ok ? pass(`${v.detail} (${note})`) : fail(v.detail);
    },
  },
];
