/** The service user and the modes/owners of everything that holds state or secrets. */
import { fileStat, serviceUser, textFile, type StatValue } from '../facts/system.ts';
import { builtRecordPath, imageRef, parseBuiltRecord, wantsSandboxImage } from '../openclaw/sandbox-image.ts';
import { ref, known } from '../facts/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { MODE_RULES, type ModeRule } from '../openclaw/modes.ts';
import { chmodFix, describeStat, effectiveVersion, installRef, isMissing, list, octal } from './helpers.ts';
import { type CheckDef, type Verdict, fail, pass, skipped } from './types.ts';
import { extraGroups, sandboxLacksDocker, serviceGroups } from '../desired/policy.ts';
import { secretRefFiles } from '../desired/secrets.ts';

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
    return modeVerdict(known(f, ref(fileStat, path)), rule, path, rule.owner(ctx.inst), optional);
  },
}));

export const fileChecks: CheckDef[] = [
  {
    id: 'user.service-account',
    title: 'The service user exists with a locked password and is not root',
    area: 'user', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 2.1 (useradd --system, passwd -l)',
    remediation: 'clawops apply (service user step)',
    needs: (ctx) => [ref(serviceUser, ctx.inst.user)],
    evaluate(f, ctx) {
      const u = known(f, ref(serviceUser, ctx.inst.user));
      if (!u.exists) return fail(`user ${ctx.inst.user} does not exist`);
      if (u.uid === 0) return fail(`user ${ctx.inst.user} has uid 0`);
      if (u.passwordLocked === false) return fail(`user ${ctx.inst.user} has a usable password`, `passwd -l ${ctx.inst.user}`);
      if (u.home !== ctx.inst.home) return fail(`home of ${ctx.inst.user} is ${u.home}, spec says ${ctx.inst.home}`);
      const extra = extraGroups(ctx.inst.user, serviceGroups(ctx.spec), u.groups);
      if (extra.length > 0) return fail(`${ctx.inst.user} is in group(s) the spec does not give it: ${list(extra)}`, `clawops apply (service user step), or: ${extra.map((g) => `gpasswd -d ${ctx.inst.user} ${g}`).join(' && ')}`);
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
      const u = known(f, ref(serviceUser, ctx.inst.user));
      if (!u.exists) return skipped(`user ${ctx.inst.user} does not exist`);
      if (!u.groups.includes('docker')) return pass(`${ctx.inst.user} groups: ${list(u.groups)}`);
      if (serviceGroups(ctx.spec).includes('docker')) {
        return fail(
          `${ctx.inst.user} groups: ${list(u.groups)} — docker membership is root-equivalent (the spec opts in: docker.serviceUserGroup: true)`,
          'manual: keep it knowingly (waive user.docker-group with a reason and an expiry), or set docker.serviceUserGroup: false and run clawops apply (the sandbox then cannot reach Docker)',
        );
      }
      return fail(`${ctx.inst.user} groups: ${list(u.groups)} — docker membership is root-equivalent`, `clawops apply (service user step), or: gpasswd -d ${ctx.inst.user} docker`);
    },
  },
  {
    id: 'sandbox.docker-access',
    title: 'The sandbox the spec asks for can reach Docker (or the spec says how it may)',
    area: 'user', severity: 'warn', profiles: ['go-live'], scope: 'host',
    runbook: 'hardened guide 2.1 (usermod -aG docker) and 5.3 (sandbox.mode all)',
    remediation: 'manual: set docker.serviceUserGroup: true in the spec (root-equivalent, reported by user.docker-group) and run clawops apply; or sandbox.mode: off',
    needs: () => [],
    evaluate(_f, ctx) {
      if (!ctx.spec.docker.enabled || ctx.spec.sandbox.mode === 'off') return skipped(ctx.spec.docker.enabled ? 'sandbox.mode is off' : 'docker.enabled is false');
      if (sandboxLacksDocker(ctx.spec)) {
        return fail(`sandbox.mode ${ctx.spec.sandbox.mode} runs tools in Docker, but the service user has no way to the Docker socket (docker.serviceUserGroup is false): those tools fail closed`);
      }
      return pass('docker.serviceUserGroup: true (the service user is in the docker group)');
    },
  },
  {
    id: 'sandbox.image',
    title: 'The sandbox image is the one clawops built (recipe label, and the image id it recorded)',
    area: 'user', severity: 'warn', profiles: ['go-live', 'integrity'], scope: 'host',
    runbook: 'hardened guide 5.1 (build the sandbox image); the runbook has no `openclaw sandbox build`',
    remediation: 'clawops apply (rebuilds it from the recipe: `clawops render sandbox-dockerfile`, and records its id)',
    needs: (ctx) => (wantsSandboxImage(ctx.spec) ? [imageRef(ctx.spec.sandbox.image, {}), ref(textFile, builtRecordPath(ctx.spec))] : []),
    evaluate(f, ctx) {
      if (!wantsSandboxImage(ctx.spec)) return skipped(ctx.spec.docker.enabled ? 'sandbox.mode is off' : 'docker.enabled is false');
      const s = known(f, imageRef(ctx.spec.sandbox.image, {}));
      const rec = parseBuiltRecord(known(f, ref(textFile, builtRecordPath(ctx.spec))).content);
      if (!s.docker) return fail('docker is not installed: no sandbox image, so sandboxed tools cannot run');
      if (!s.imagePresent) return fail(`${s.image} does not exist: the first sandboxed tool call fails`);
      if (s.recipe === null) return fail(`${s.image} was not built by clawops (no recipe label): its contents are unknown`);
      if (rec === null || rec.image !== s.image) return fail(`${s.image} (recipe ${s.recipe.slice(0, 19)}) has no record of its build in ${builtRecordPath(ctx.spec)}`);
      if (rec.id !== s.id) return fail(`${s.image} is ${s.id?.slice(0, 19) ?? 'unknown'}, not the image clawops built (${rec.id.slice(0, 19)}, ${rec.builtAt}): replaced under the tag`);
      return pass(`${s.image}: ${s.id?.slice(0, 19)}, built by clawops ${rec.builtAt} from recipe ${rec.recipe.slice(0, 19)}`);
    },
  },
  ...modeChecks,
  {
    id: 'files.secret-refs',
    title: 'Secret files the spec references are 600 (or 400) and root- or user-owned',
    area: 'files', severity: 'critical', profiles: ['go-live', 'credentials'], scope: 'host',
    runbook: 'production runbook 5 (secrets and env policy)',
    remediation: 'manual: chmod 600 the secret file (root-owned); a missing one: put the value in it (mode 600)',
    needs: (ctx) => secretRefFiles(ctx.spec).map((p) => ref(fileStat, p)),
    evaluate(f, ctx) {
      const files = secretRefFiles(ctx.spec);
      const owners = new Set(['root', ...ctx.spec.resolved.map((i) => i.user)]);
      const bad: string[] = [];
      const fixes: string[] = [];
      const seen: string[] = [];
      for (const p of files) {
        const s = known(f, ref(fileStat, p));
        if (isMissing(s)) {
          bad.push(`${p} missing`);
          fixes.push(`put the value in ${p} (install -m 600 /dev/null ${p}, then write it)`);
          continue;
        }
        seen.push(describeStat(s));
        if (s.type !== 'file') {
          bad.push(describeStat(s));
          fixes.push(`replace ${p} by a regular file holding the value (mode 600)`);
        } else if ((s.mode & 0o077) !== 0 || !owners.has(s.owner)) {
          bad.push(describeStat(s));
          fixes.push(`${owners.has(s.owner) ? '' : `chown root:root ${p} && `}chmod 600 ${p}`);
        }
      }
      // the values are the operator's: clawops reads them and never rewrites a secret file it did not generate
      if (bad.length) return fail(bad.join('; '), `manual: ${fixes.join(' && ')}`);
      return pass(seen.length ? seen.join('; ') : 'no secret files referenced');
    },
  },
];
