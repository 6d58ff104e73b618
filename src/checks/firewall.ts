/** UFW and the DOCKER-USER chain. */
import { managesDockerUser } from '../desired/policy.ts';
import { dockerUserChain, ufwStatus, type ChainRule, type UfwRule } from '../facts/firewall.ts';
import { systemdUnit } from '../facts/systemd.ts';
import { PERSIST_UNIT } from '../firewall/docker-user.ts';
import { type FactReader, ref, known, FactUnknownError } from '../facts/types.ts';
import { list } from './helpers.ts';
import { type CheckContext, type CheckDef, fail, pass, skipped, type Verdict } from './types.ts';

const ufw = () => ref(ufwStatus);
const offIfDisabled = (ctx: CheckContext): Verdict | undefined => (ctx.spec.firewall.enabled ? undefined : skipped('firewall.enabled is false in the spec'));
/** UFW status, unknown for rule checks while UFW is inactive (firewall.ufw.active reports that). */
function activeUfw(f: FactReader) {
  const u = known(f, ufw());
  if (!u.active) throw new FactUnknownError(`UFW is ${u.installed ? 'inactive' : 'not installed'}, nothing is enforced (see firewall.ufw.active)`);
  return u;
}

/** The exact command that removes one ufw rule. */
export function deleteRuleCommand(r: UfwRule): string {
  const to = r.to.replace(/ \(v6\)/, '');
  const verb = r.action.split(' ')[0]?.toLowerCase() ?? 'allow';
  if (r.iface) return `ufw delete ${verb} in on ${r.iface}${/^Anywhere/.test(to) ? '' : ` to any port ${r.port ?? to}`}`;
  if (/^Anywhere/.test(r.from) && !to.includes(' ')) return `ufw delete ${verb} ${to}`;
  return `ufw status numbered, then ufw delete <number of "${r.text}">`;
}

function allowedIn(r: UfwRule, ctx: CheckContext): boolean {
  if (r.direction !== 'in' || !/^(ALLOW|LIMIT)/.test(r.action)) return true;
  if (r.iface && ctx.spec.firewall.managementInterfaces.includes(r.iface)) return true;
  return ctx.spec.firewall.sshSafetyNet && r.port === 22;
}

const dockerUserNeeded = (ctx: CheckContext) => managesDockerUser(ctx.spec);

export function chainProblems(rules: ChainRule[], mgmt: readonly string[]): string[] {
  const problems: string[] = [];
  const accepts = rules.filter((r) => r.target === 'ACCEPT' || r.target === 'RETURN');
  const acceptsIface = (i: string) => accepts.some((r) => r.inIface === i && !r.otherMatches && !r.ctstate);
  for (const i of ['lo', ...mgmt]) if (!acceptsIface(i)) problems.push(`no ACCEPT for -i ${i}`);
  if (!accepts.some((r) => r.ctstate?.includes('ESTABLISHED') && !r.inIface)) problems.push('no ACCEPT for ESTABLISHED,RELATED');
  const last = rules.at(-1);
  if (!last || last.target !== 'DROP' || last.otherMatches || last.inIface) problems.push('the last rule is not an unconditional DROP');
  const broad = accepts.filter((r) => !r.inIface && !r.ctstate);
  if (broad.length) problems.push(`unconditional ACCEPT before the DROP: ${broad.map((r) => r.text).join('; ')}`);
  return problems;
}

export const firewallChecks: CheckDef[] = [
  {
    id: 'firewall.ufw.active',
    title: 'UFW is active',
    area: 'firewall', severity: 'critical', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 1.5 (ufw --force enable); checklist "UFW active"',
    remediation: 'clawops apply (firewall step, with its lock-out guard)',
    needs: () => [ufw()],
    evaluate(f, ctx) {
      const off = offIfDisabled(ctx);
      if (off) return off;
      const u = known(f, ufw());
      if (!u.installed) return fail('ufw is not installed', 'clawops apply (packages and firewall steps)');
      return u.active ? pass('Status: active') : fail('Status: inactive', 'clawops apply (firewall step; reverts itself unless confirmed over the management path)');
    },
  },
  {
    id: 'firewall.ufw.incoming',
    title: 'UFW denies incoming by default',
    area: 'firewall', severity: 'critical', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 1.5 (ufw default deny incoming)',
    remediation: 'ufw default deny incoming',
    needs: () => [ufw()],
    evaluate(f, ctx) {
      const off = offIfDisabled(ctx);
      if (off) return off;
      const d = activeUfw(f).defaults;
      return d.incoming === 'deny' || d.incoming === 'reject' ? pass(`default ${d.incoming} (incoming)`) : fail(`default ${d.incoming ?? '?'} (incoming)`, 'ufw default deny incoming');
    },
  },
  {
    id: 'firewall.ufw.outbound',
    title: 'UFW outbound policy matches the spec (standard: allow; hardened: deny + allow list)',
    area: 'firewall', severity: 'warn', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 1.5 (Option A standard / Option B hardened outbound)',
    remediation: 'clawops apply (firewall step)',
    needs: () => [ufw()],
    evaluate(f, ctx) {
      const off = offIfDisabled(ctx);
      if (off) return off;
      const want = ctx.spec.firewall.outbound === 'hardened' ? 'deny' : 'allow';
      const got = activeUfw(f).defaults.outgoing;
      if (got !== want) return fail(`default ${got ?? '?'} (outgoing), spec outbound=${ctx.spec.firewall.outbound} wants ${want}`, `ufw default ${want} outgoing (or clawops apply)`);
      return pass(`default ${got} (outgoing)`);
    },
  },
  {
    id: 'firewall.ufw.allow-rules',
    title: 'UFW allows incoming only on the management interface (and SSH while the safety net is on)',
    area: 'firewall', severity: 'critical', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 1.5 (allow in on tailscale0), 7 (remove SSH safety net); checklist "UFW active"',
    remediation: 'ufw delete the listed rules (the gateway is reached through Tailscale or an SSH tunnel, never a public port)',
    needs: () => [ufw()],
    evaluate(f, ctx) {
      const off = offIfDisabled(ctx);
      if (off) return off;
      const u = activeUfw(f);
      const bad = u.rules.filter((r) => !allowedIn(r, ctx) && !r.v6);
      const bad6 = u.rules.filter((r) => !allowedIn(r, ctx) && r.v6);
      const all = bad.length ? bad : bad6;
      if (all.length) return fail(`extra incoming rules: ${all.map((r) => r.text).join('; ')}`, [...new Set(all.map(deleteRuleCommand))].join(' && '));
      const mgmt = ctx.spec.firewall.managementInterfaces.filter((i) => !u.rules.some((r) => r.iface === i && r.direction === 'in'));
      if (mgmt.length) return fail(`no allow rule for the management interface ${list(mgmt)}`, mgmt.map((i) => `ufw allow in on ${i}`).join(' && '));
      return pass(`incoming allowed only on ${list(ctx.spec.firewall.managementInterfaces)}${ctx.spec.firewall.sshSafetyNet ? ' and 22 (safety net)' : ''}`);
    },
  },
  {
    id: 'firewall.ufw.ssh-closed',
    title: 'No port-22 rule once the SSH safety net is retired',
    area: 'firewall', severity: 'warn', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 7 (Remove SSH safety-net rule: ufw delete allow ssh)',
    remediation: 'ufw delete allow ssh (after verifying Tailscale SSH works); set firewall.sshSafetyNet: false',
    needs: () => [ufw()],
    evaluate(f, ctx) {
      const off = offIfDisabled(ctx);
      if (off) return off;
      if (ctx.spec.firewall.sshSafetyNet) return skipped('the spec keeps the SSH safety net (firewall.sshSafetyNet: true)');
      const ssh = activeUfw(f).rules.filter((r) => r.port === 22 && r.direction === 'in' && !r.iface);
      if (ssh.length) return fail(`port 22 still open: ${ssh.map((r) => r.text).join('; ')}`, [...new Set(ssh.map(deleteRuleCommand))].join(' && '));
      return pass('no port-22 rule');
    },
  },
  {
    id: 'firewall.docker-user',
    title: 'DOCKER-USER accepts lo, the management interface and established traffic, then drops',
    area: 'firewall', severity: 'critical', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 1.6 (DOCKER-USER chain); checklist "DOCKER-USER chain"',
    remediation: 'clawops apply (DOCKER-USER step; inserts the rules once, never duplicates)',
    needs: () => [ref(dockerUserChain)],
    evaluate(f, ctx) {
      if (!dockerUserNeeded(ctx)) return skipped('clawops does not manage DOCKER-USER (firewall.enabled or firewall.dockerUser is false)');
      const c = known(f, ref(dockerUserChain));
      if (!c.exists) return fail('the DOCKER-USER chain does not exist', 'clawops apply (DOCKER-USER step)');
      const problems = chainProblems(c.rules, ctx.spec.firewall.managementInterfaces);
      if (c.forwardJumps === 0) problems.push('FORWARD does not jump to DOCKER-USER');
      if (problems.length) {
        const fix = problems.some((p) => p.includes('DROP')) ? 'iptables -A DOCKER-USER -j DROP (clawops apply, DOCKER-USER step, rebuilds the whole chain)' : 'clawops apply (DOCKER-USER step)';
        return fail(`${problems.join('; ')} (rules: ${c.rules.map((r) => r.text).join(' | ') || 'none'})`, fix);
      }
      return pass(c.rules.map((r) => r.text).join(' | '));
    },
  },
  {
    id: 'firewall.docker-user.persisted',
    title: 'The DOCKER-USER chain is rebuilt at boot (clawops-docker-user.service enabled)',
    area: 'firewall', severity: 'warn', profiles: ['go-live'], scope: 'host',
    runbook: 'hardened guide 1.6 (persist the rules; clawops uses a boot unit: Debian ufw Breaks iptables-persistent)',
    remediation: `clawops apply (DOCKER-USER step installs ${PERSIST_UNIT})`,
    needs: () => [ref(systemdUnit, PERSIST_UNIT)],
    evaluate(f, ctx) {
      if (!dockerUserNeeded(ctx)) return skipped('clawops does not manage DOCKER-USER (firewall.enabled or firewall.dockerUser is false)');
      const u = known(f, ref(systemdUnit, PERSIST_UNIT));
      if (u.LoadState === 'not-found') return fail(`${PERSIST_UNIT} is not installed: the chain is lost at reboot`);
      if (u.UnitFileState !== 'enabled') return fail(`${PERSIST_UNIT} is ${u.UnitFileState}`, `systemctl enable ${PERSIST_UNIT}`);
      return pass(`${PERSIST_UNIT} enabled (${u.ActiveState})`);
    },
  },
];
