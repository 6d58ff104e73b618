/** The service user and the modes/owners of everything that holds state or secrets. */
import { configPath } from '../facts/paths.ts';
import { logDir } from '../openclaw/paths.ts';
import { fileStat, serviceUser, type StatValue } from '../facts/system.ts';
import { ref } from '../facts/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import type { Capabilities } from '../openclaw/versions.ts';
import { chmodFix, describeStat, effectiveVersion, installRef, isMissing, list, need, octal } from './helpers.ts';
import { type CheckDef, type Verdict, fail, pass, skipped } from './types.ts';

interface ModeRule {
  id: string;
  title: string;
  path(spec: ResolvedSpec, inst: ResolvedInstance): string;
  type: 'file' | 'directory';
  /** the most permissive mode allowed */
  mode: number;
  owner(inst: ResolvedInstance): string;
  /** a missing path is skipped, not failed (a function: whether, with the reason, for the running version) */
  optional: boolean | ((caps: Capabilities) => string | false);
  severity: 'critical' | 'warn';
  runbook: string;
}

const MODE_RULES: ModeRule[] = [
  { id: 'files.home', title: 'Service user home is 700 and owned by the user', path: (_s, i) => i.home, type: 'directory', mode: 0o700, owner: (i) => i.user, optional: false, severity: 'warn', runbook: 'hardened guide 2.1 (chmod 700 home)' },
  { id: 'files.state-dir', title: 'OpenClaw state directory is 700 and owned by the service user', path: (_s, i) => i.stateDir, type: 'directory', mode: 0o700, owner: (i) => i.user, optional: false, severity: 'critical', runbook: 'hardened guide 2.1, 5.6 (chmod 700 ~/.openclaw)' },
  { id: 'files.config', title: 'openclaw.json is 600 and owned by the service user', path: (_s, i) => configPath(i), type: 'file', mode: 0o600, owner: (i) => i.user, optional: false, severity: 'critical', runbook: 'hardened guide 5.6 (chmod 600 openclaw.json)' },
  { id: 'files.env', title: 'The gateway EnvironmentFile (token) is 600 and owned by the service user', path: (_s, i) => i.envFile, type: 'file', mode: 0o600, owner: (i) => i.user, optional: (caps) => (caps.tokenEnvReference ? false : 'this version keeps the token in openclaw.json, with no ${OPENCLAW_GATEWAY_TOKEN} reference'), severity: 'critical', runbook: 'production runbook 5 (secrets policy); hardened guide 5.6' },
  { id: 'files.dotenv', title: '~/.openclaw/.env (if present) is 600', path: (_s, i) => `${i.stateDir}/.env`, type: 'file', mode: 0o600, owner: (i) => i.user, optional: true, severity: 'critical', runbook: 'hardened guide 5.6 (find ... -name "*.env" -exec chmod 600)' },
  { id: 'files.log-dir', title: 'The gateway log directory is 750 and owned by the service user (not readable by others)', path: (_s, i) => logDir(i), type: 'directory', mode: 0o750, owner: (i) => i.user, optional: false, severity: 'warn', runbook: 'production runbook 7 (logs in /var/log/openclaw, kept across restarts)' },
  { id: 'files.credentials', title: '~/.openclaw/credentials (if present) is 700', path: (_s, i) => `${i.stateDir}/credentials`, type: 'directory', mode: 0o700, owner: (i) => i.user, optional: true, severity: 'critical', runbook: 'hardened guide 5.6 (credentials kept private)' },
];

function modeVerdict(s: StatValue, rule: ModeRule, path: string, owner: string, optional: string | false): Verdict {
  const fix = `clawops apply (file modes step), or: ${chmodFix(path, rule.mode, owner)}`;
  if (isMissing(s)) return optional !== false ? skipped(`${path} does not exist${optional ? ` (${optional})` : ''}`) : fail(`${path} does not exist`, 'clawops apply (creates it with the right owner and mode)');
  if (s.type !== rule.type) return fail(`${path} is a ${s.type}, expected a ${rule.type}`);
  const extra = s.mode & ~rule.mode;
  if (extra !== 0 || s.owner !== owner) {
    return fail(`${describeStat(s)}; expected at most ${octal(rule.mode)} owned by ${owner}`, fix);
  }
  return pass(describeStat(s));
}

const modeChecks: CheckDef[] = MODE_RULES.map((rule) => ({
  id: rule.id,
  title: rule.title,
  area: 'files',
  severity: rule.severity,
  profiles: ['go-live', 'credentials'],
  scope: 'instance',
  runbook: rule.runbook,
  remediation: `clawops apply (file modes step), or chown/chmod ${octal(rule.mode)}`,
  needs: (ctx) => [ref(fileStat, rule.path(ctx.spec, ctx.inst)), ...(typeof rule.optional === 'function' ? [installRef(ctx)] : [])],
  evaluate(f, ctx) {
    const path = rule.path(ctx.spec, ctx.inst);
    const optional = typeof rule.optional === 'function' ? rule.optional(effectiveVersion(f, ctx).caps) : rule.optional && '';
    return modeVerdict(need(f, ref(fileStat, path)), rule, path, rule.owner(ctx.inst), optional);
  },
}));

/** Secret files referenced by the spec ({file: ...}). */
export function secretFiles(spec: ResolvedSpec): string[] {
  const out: string[] = [];
  if ('file' in spec.backup.password) out.push(spec.backup.password.file);
  if (spec.gateway.auth.token && 'file' in spec.gateway.auth.token) out.push(spec.gateway.auth.token.file);
  for (const a of spec.monitoring.alerts) if (a.type === 'webhook' && 'file' in a.url) out.push(a.url.file);
  return out;
}

export const fileChecks: CheckDef[] = [
  {
    id: 'user.service-account',
    title: 'The service user exists with a locked password and is not root',
    area: 'user', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 2.1 (useradd --system, passwd -l)',
    remediation: 'clawops apply (service user step)',
    needs: (ctx) => [ref(serviceUser, ctx.inst.user)],
    evaluate(f, ctx) {
      const u = need(f, ref(serviceUser, ctx.inst.user));
      if (!u.exists) return fail(`user ${ctx.inst.user} does not exist`);
      if (u.uid === 0) return fail(`user ${ctx.inst.user} has uid 0`);
      if (u.passwordLocked === false) return fail(`user ${ctx.inst.user} has a usable password`, `passwd -l ${ctx.inst.user}`);
      if (u.home !== ctx.inst.home) return fail(`home of ${ctx.inst.user} is ${u.home}, spec says ${ctx.inst.home}`);
      return pass(`${ctx.inst.user} uid ${u.uid}, home ${u.home}, shell ${u.shell}, password locked`);
    },
  },
  {
    id: 'user.docker-group',
    title: 'The service user is not in the docker group (root-equivalent)',
    area: 'user', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 2.1 (usermod -aG docker) — flagged: docker group membership is root-equivalent',
    remediation: 'gpasswd -d <user> docker, and give the sandbox a narrower path to Docker (or waive with a reason)',
    needs: (ctx) => [ref(serviceUser, ctx.inst.user)],
    evaluate(f, ctx) {
      const u = need(f, ref(serviceUser, ctx.inst.user));
      if (!u.exists) return skipped(`user ${ctx.inst.user} does not exist`);
      if (u.groups.includes('docker')) return fail(`${ctx.inst.user} groups: ${list(u.groups)} — docker membership is root-equivalent`, `gpasswd -d ${ctx.inst.user} docker (or waive user.docker-group with a reason and an expiry)`);
      return pass(`${ctx.inst.user} groups: ${list(u.groups)}`);
    },
  },
  ...modeChecks,
  {
    id: 'files.secret-refs',
    title: 'Secret files the spec references are 600 (or 400) and root- or user-owned',
    area: 'files', severity: 'critical', profiles: ['go-live', 'credentials'], scope: 'host',
    runbook: 'production runbook 5 (secrets and env policy)',
    remediation: 'chmod 600 the secret file (clawops apply creates them so)',
    needs: (ctx) => secretFiles(ctx.spec).map((p) => ref(fileStat, p)),
    evaluate(f, ctx) {
      const files = secretFiles(ctx.spec);
      const owners = new Set(['root', ...ctx.spec.resolved.map((i) => i.user)]);
      const bad: string[] = [];
      const fixes: string[] = [];
      const seen: string[] = [];
      for (const p of files) {
        const s = need(f, ref(fileStat, p));
        if (isMissing(s)) {
          bad.push(`${p} missing`);
          fixes.push(`create ${p} (mode 600)`);
          continue;
        }
        seen.push(describeStat(s));
        if ((s.mode & 0o077) !== 0 || !owners.has(s.owner) || s.type !== 'file') {
          bad.push(describeStat(s));
          fixes.push(`chmod 600 ${p}`);
        }
      }
      if (bad.length) return fail(bad.join('; '), fixes.join(' && '));
      return pass(seen.length ? seen.join('; ') : 'no secret files referenced');
    },
  },
];
