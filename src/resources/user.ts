/**
 * A service user: a system user with its own group, a locked password, the given home and shell
 * (nologin by default; the runbook used /bin/bash, which an unattended service does not need), and
 * supplementary groups that exist on the host (docker, when Docker is used).
 */
import type { JsonValue, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import { groupPresent, serviceUser, type UserValue } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { extraGroups } from '../desired/policy.ts';

export interface UserOptions {
  name: string;
  home: string;
  shell?: string;
  /** supplementary groups, joined when they exist on the host */
  groups?: string[];
}

export type UserState =
  | { exists: false; groupsPresent: string[] }
  | { exists: true; uid: number; home: string; shell: string; locked: boolean; groups: string[]; groupsPresent: string[] };

type Step = { description: string; argv: string[]; undoArgv: string[] | null };
export type UserChangeData = { user: string; steps: Step[] };

export const DEFAULT_SHELL = '/usr/sbin/nologin';
export const userId = (name: string) => `user:${name}`;

export function userResource(o: UserOptions): Resource {
  const shell = o.shell ?? DEFAULT_SHELL;
  const groups = o.groups ?? [];
  const id = userId(o.name);
  return {
    id,
    kind: 'user',
    needs: () => [ref(serviceUser, o.name), ...groups.map((g) => ref(groupPresent, g))],
    plan(f) {
      const present = groups.filter((g) => known(f, ref(groupPresent, g)).present);
      return planUser(id, { name: o.name, home: o.home, shell, groups }, userState(known(f, ref(serviceUser, o.name)), present));
    },
    async apply(ex, change, journal) {
      for (const s of (change.data as UserChangeData).steps) {
        await journal.saveStep(s.description, s.undoArgv);
        await ex.run(s.argv);
      }
    },
  };
}

/** The user as the plan sees it: the same `user` fact the gate reads, and which wanted groups exist. */
export function userState(u: UserValue, groupsPresent: string[]): UserState {
  if (!u.exists) return { exists: false, groupsPresent };
  return { exists: true, uid: u.uid ?? -1, home: u.home ?? '', shell: u.shell ?? '', locked: u.passwordLocked === true, groups: u.groups, groupsPresent };
}

export function planUser(id: string, want: Required<UserOptions>, cur: UserState): PlanOutcome {
  const u = want.name;
  const joinable = want.groups.filter((g) => cur.groupsPresent.includes(g));
  const skipped = want.groups.filter((g) => !cur.groupsPresent.includes(g));
  const note = skipped.length ? ` (group ${skipped.join(', ')} not on the host yet)` : '';
  if (!cur.exists) {
    const steps: Step[] = [
      {
        description: `create system user ${u}`,
        argv: ['useradd', '--system', '--user-group', '--home-dir', want.home, '--no-create-home', '--shell', want.shell,
          ...(joinable.length ? ['--groups', joinable.join(',')] : []), u],
        undoArgv: ['userdel', u],
      },
      { description: `lock the password of ${u}`, argv: ['passwd', '-l', u], undoArgv: null },
    ];
    return {
      changes: [change(id, 'add', `create system user ${u} (home ${want.home}, shell ${want.shell}, password locked${joinable.length ? `, groups ${joinable.join(',')}` : ''})${note}`, u, steps)],
    };
  }
  const steps: Step[] = [];
  const what: string[] = [];
  if (cur.shell !== want.shell) {
    steps.push({ description: `set the shell of ${u} to ${want.shell}`, argv: ['usermod', '--shell', want.shell, u], undoArgv: ['usermod', '--shell', cur.shell, u] });
    what.push(`shell ${cur.shell} -> ${want.shell}`);
  }
  if (cur.home !== want.home) {
    steps.push({ description: `set the home of ${u} to ${want.home}`, argv: ['usermod', '--home', want.home, u], undoArgv: ['usermod', '--home', cur.home, u] });
    what.push(`home ${cur.home} -> ${want.home}`);
  }
  if (!cur.locked) {
    steps.push({ description: `lock the password of ${u}`, argv: ['passwd', '-l', u], undoArgv: ['passwd', '-u', u] });
    what.push('lock password');
  }
  for (const g of joinable.filter((g) => !cur.groups.includes(g))) {
    steps.push({ description: `add ${u} to group ${g}`, argv: ['usermod', '-aG', g, u], undoArgv: ['gpasswd', '-d', u, g] });
    what.push(`join ${g}`);
  }
  // a group nobody asked for (sudo, adm, disk...) is a path out of the service account: leave it
  for (const g of extraGroups(u, want.groups, cur.groups)) {
    steps.push({ description: `remove ${u} from group ${g}`, argv: ['gpasswd', '-d', u, g], undoArgv: ['usermod', '-aG', g, u] });
    what.push(`leave ${g}`);
  }
  if (steps.length === 0) return { noop: `${u} is a locked user with home ${want.home} and shell ${want.shell}${note}` };
  return { changes: [change(id, 'change', `update user ${u}: ${what.join(', ')}${note}`, u, steps)] };
}

function change(id: string, action: PlannedChange['action'], summary: string, user: string, steps: Step[]): PlannedChange {
  return { resourceId: id, kind: 'user', action, summary, data: { user, steps } as unknown as JsonValue };
}
