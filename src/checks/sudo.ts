/**
 * Sudo hygiene (the hardened guide's TODO "NOPASSWD sudoers cleanup"): a passwordless sudo rule that
 * reaches the service user (by name, by one of its groups, or ALL) is a way from a compromised
 * gateway to root; a passwordless rule for every command is the broadest grant there is, worth a
 * person's decision (narrow it, require the password, or waive it with a reason).
 */
import { serviceUser } from '../facts/system.ts';
import { sudoers, type SudoRule } from '../facts/sudoers.ts';
import { known, ref } from '../facts/types.ts';
import { list } from './helpers.ts';
import { type CheckDef, fail, pass } from './types.ts';

const show = (r: SudoRule) => `${r.at} (${r.who.join(',')}: ${r.commands})`;
const everything = (r: SudoRule) => r.commands.split(',').map((c) => c.trim()).includes('ALL');

/** Pure: the passwordless rules that apply to this user with these groups. */
export const reaching = (rules: readonly SudoRule[], user: string, groups: readonly string[]): SudoRule[] =>
  rules.filter((r) => r.nopasswd && r.who.some((w) => w === 'ALL' || w === user || (w.startsWith('%') && groups.includes(w.slice(1)))));

export const sudoChecks: CheckDef[] = [
  {
    id: 'user.sudo',
    title: 'No passwordless sudo rule reaches the service user',
    area: 'user', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 2.1 (a locked service user), TODO "NOPASSWD sudoers cleanup"',
    remediation: 'manual: remove the rule (visudo -f FILE), or narrow it to users that are not the service user',
    needs: (ctx) => [ref(sudoers), ref(serviceUser, ctx.inst.user)],
    evaluate(f, ctx) {
      const u = known(f, ref(serviceUser, ctx.inst.user));
      const groups = [...u.groups, ...(u.group ? [u.group] : [])];
      const hits = reaching(known(f, ref(sudoers)), ctx.inst.user, groups);
      if (hits.length > 0) return fail(`${ctx.inst.user} can run commands as root without a password: ${list(hits.map(show))}`, `manual: remove or narrow ${list(hits.map((r) => r.at))} with visudo -f (the service user must have no sudo at all)`);
      return pass(`no passwordless sudo rule names ${ctx.inst.user}, its groups (${list(groups)}) or ALL`);
    },
  },
  {
    id: 'host.sudo-nopasswd',
    title: 'No passwordless sudo rule grants every command',
    area: 'host', severity: 'warn', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide TODO "NOPASSWD sudoers cleanup"',
    remediation: 'manual: narrow each rule to the commands that need it, or drop NOPASSWD (visudo -f FILE); a deliberate one: waive host.sudo-nopasswd with a reason and an expiry',
    needs: () => [ref(sudoers)],
    evaluate(f) {
      const rules = known(f, ref(sudoers));
      const broad = rules.filter((r) => r.nopasswd && everything(r));
      if (broad.length > 0) return fail(`passwordless sudo for every command: ${list(broad.map(show))}`);
      const narrow = rules.filter((r) => r.nopasswd);
      return pass(`${rules.length} sudo rule(s)${narrow.length ? `; passwordless, narrowed: ${list(narrow.map(show))}` : ', none passwordless'}`);
    },
  },
];
