import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planUser, userState, type UserState } from '../../../src/resources/user.ts';

const want = { name: 'openclaw-svc', home: '/home/openclaw-svc', shell: '/usr/sbin/nologin', groups: ['docker'] };
const existing = (o: Partial<Extract<UserState, { exists: true }>> = {}): UserState => ({
  exists: true, uid: 999, home: '/home/openclaw-svc', shell: '/usr/sbin/nologin', locked: true, groups: ['openclaw-svc', 'docker'], groupsPresent: ['docker'], ...o,
});
type Step = { description: string; argv: string[]; undoArgv: string[] | null };
const steps = (cur: UserState): Step[] | null => {
  const out = planUser('user:openclaw-svc', want, cur);
  return 'noop' in out ? null : (out.changes[0]?.data as { steps: Step[] }).steps;
};

test('user: the plan reads the gate\'s user fact', () => {
  const s = userState({ exists: true, uid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin', passwordLocked: true, groups: ['nogroup'] }, []);
  assert.deepEqual(s, { exists: true, uid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin', locked: true, groups: ['nogroup'], groupsPresent: [] });
  assert.deepEqual(userState({ exists: false, groups: [] }, ['docker']), { exists: false, groupsPresent: ['docker'] });
});

const cases: { name: string; cur: UserState; argv: string[][] | null; undo?: (string[] | null)[] }[] = [
  {
    name: 'absent, docker group present -> useradd --system (no home copy of skel), lock',
    cur: { exists: false, groupsPresent: ['docker'] },
    argv: [
      ['useradd', '--system', '--user-group', '--home-dir', '/home/openclaw-svc', '--no-create-home', '--shell', '/usr/sbin/nologin', '--groups', 'docker', 'openclaw-svc'],
      ['passwd', '-l', 'openclaw-svc'],
    ],
    undo: [['userdel', 'openclaw-svc'], null],
  },
  {
    name: 'absent, no docker group -> no --groups',
    cur: { exists: false, groupsPresent: [] },
    argv: [
      ['useradd', '--system', '--user-group', '--home-dir', '/home/openclaw-svc', '--no-create-home', '--shell', '/usr/sbin/nologin', 'openclaw-svc'],
      ['passwd', '-l', 'openclaw-svc'],
    ],
  },
  { name: 'as wanted -> no-op', cur: existing(), argv: null },
  { name: 'runbook user with /bin/bash -> usermod --shell, undo restores bash', cur: existing({ shell: '/bin/bash' }), argv: [['usermod', '--shell', '/usr/sbin/nologin', 'openclaw-svc']], undo: [['usermod', '--shell', '/bin/bash', 'openclaw-svc']] },
  { name: 'password usable -> passwd -l, undo passwd -u', cur: existing({ locked: false }), argv: [['passwd', '-l', 'openclaw-svc']], undo: [['passwd', '-u', 'openclaw-svc']] },
  { name: 'not in docker -> usermod -aG, undo gpasswd -d', cur: existing({ groups: ['openclaw-svc'] }), argv: [['usermod', '-aG', 'docker', 'openclaw-svc']], undo: [['gpasswd', '-d', 'openclaw-svc', 'docker']] },
  { name: 'docker group absent -> membership skipped (no-op)', cur: existing({ groups: ['openclaw-svc'], groupsPresent: [] }), argv: null },
  { name: 'added to sudo by hand -> gpasswd -d, undo re-adds', cur: existing({ groups: ['openclaw-svc', 'docker', 'sudo'] }), argv: [['gpasswd', '-d', 'openclaw-svc', 'sudo']], undo: [['usermod', '-aG', 'sudo', 'openclaw-svc']] },
  { name: 'home moved -> usermod --home', cur: existing({ home: '/var/lib/openclaw' }), argv: [['usermod', '--home', '/home/openclaw-svc', 'openclaw-svc']] },
];

for (const c of cases) {
  test(`user: ${c.name}`, () => {
    const s = steps(c.cur);
    if (c.argv === null) return assert.equal(s, null);
    assert.deepEqual(s?.map((x) => x.argv), c.argv);
    if (c.undo) assert.deepEqual(s?.map((x) => x.undoArgv), c.undo);
  });
}
