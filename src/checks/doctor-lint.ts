/**
 * `openclaw doctor --lint --json` (9.x): every finding is either fixed by apply or suppressed here
 * with a stated reason, and only when the spec really made the choice the finding is about.
 */
import { auditArg } from '../facts/openclaw.ts';
import { openclawDoctorLint, type LintFinding } from '../facts/openclaw-live.ts';
import { known, ref } from '../facts/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { effectiveVersion, installRef } from './helpers.ts';
import { type CheckContext, type CheckDef, fail, pass, skipped } from './types.ts';

export const lintRef = (ctx: CheckContext) => ref(openclawDoctorLint, auditArg(ctx.inst.user, ctx.inst.home, ctx.inst.envFile, ctx.inst.bin));

export interface LintSuppression {
  checkId: string;
  /** the finding's `path` or `requirement`, when the check emits several kinds */
  path?: string;
  /** applies only when the spec made this choice */
  when(spec: ResolvedSpec): boolean;
  reason: string;
}

export const LINT_SUPPRESSIONS: readonly LintSuppression[] = [
  {
    checkId: 'core/doctor/node-hosting-preconditions',
    path: 'gateway.bind',
    when: (spec) => spec.gateway.bind === 'loopback',
    reason: 'the gateway is bound to loopback on purpose (reached through Tailscale or SSH): no node onboarding URL is offered',
  },
  {
    checkId: 'core/doctor/skill-workshop-tool-policy',
    path: 'agents.defaults.sandbox.mode',
    when: (spec) => spec.sandbox.mode === 'all',
    reason: 'every agent run is sandboxed (sandbox.mode all): autonomous Skill Workshop review is given up for that',
  },
];

export function suppressionFor(f: LintFinding, spec: ResolvedSpec): LintSuppression | undefined {
  return LINT_SUPPRESSIONS.find((s) => s.checkId === f.checkId && (s.path === undefined || s.path === f.path) && s.when(spec));
}

const describe = (f: LintFinding) => `[${f.severity}] ${f.checkId}${f.path ? ` ${f.path}` : ''}: ${f.message}`;

export const doctorLintChecks: CheckDef[] = [
  {
    id: 'openclaw.doctor-lint',
    title: 'openclaw doctor --lint: no finding apply could fix (expected ones suppressed with their reason)',
    area: 'openclaw-config', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: "OpenClaw's deployment preflight (doctor --lint); hardened guide 5.7",
    remediation: 'clawops apply (config, token reference), or the fix hint OpenClaw prints for the finding',
    needs: (ctx) => [lintRef(ctx), installRef(ctx)],
    evaluate(f, ctx) {
      const { caps, note } = effectiveVersion(f, ctx);
      if (!caps.doctorLint) return skipped(`${note} has no \`doctor --lint\``);
      const lint = known(f, lintRef(ctx));
      const open = lint.findings.filter((x) => !suppressionFor(x, ctx.spec));
      const quiet = lint.findings.filter((x) => suppressionFor(x, ctx.spec)).map((x) => `${x.checkId} (${suppressionFor(x, ctx.spec)?.reason})`);
      const tail = quiet.length ? `; suppressed: ${quiet.join('; ')}` : '';
      if (open.length) {
        return fail(`${open.length} finding(s): ${open.map(describe).join('; ')}${tail}`, open.map((x) => `${x.checkId}: ${x.fixHint ?? 'see `oc doctor --lint`'}`).join(' | '));
      }
      return pass(`${lint.checksRun} lint checks, no open finding (${note})${tail}`);
    },
  },
];
