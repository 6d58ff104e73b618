/** The host baseline: login.defs edits keep every other line, the kernel settings' plan and check agree, a container's read-only /proc/sys is unknown, never pass. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baselineChecks } from '../../../src/baseline/checks.ts';
import { mergeLoginDefs, parseLoginDefs, loginDefsKeys, renderModprobe, BLOCKED_MODULES } from '../../../src/baseline/render.ts';
import { baselineResources } from '../../../src/baseline/resources.ts';
import { SYSCTLS, SYSCTL_FILE, renderSysctl, wantedSysctls } from '../../../src/baseline/sysctl.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import { factReader } from '../../../src/facts/collect.ts';
import type { Raw } from '../../../src/facts/types.ts';
import type { CheckContext } from '../../../src/checks/types.ts';
import type { PlanOutcome } from '../../../src/engine/types.ts';

const cmd = (stdout: string): Raw => ({ t: 'cmd', exitCode: 0, stdout, stderr: '', timedOut: false, durationMs: 1 });
const spec = (yaml = '') => {
  const r = parseSpec(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
};
const DEBIAN_DEFS = '# comment\nMAIL_DIR        /var/mail\nUMASK\t\t022\n#PASS_MAX_DAYS 1\nPASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nPASS_WARN_AGE\t7\nPASS_MAX_DAYS 5\n';
const fileRaw = (text: string): Raw => {
  const b = Buffer.from(text);
  return cmd(`regular file|644|0|0|root|root|${b.length}|1\n${'0'.repeat(64)}\n${b.toString('base64')}`);
};

describe('host baseline', () => {
  it('login.defs: keys set in place, a later duplicate commented, missing keys appended, every other line kept; a second merge changes nothing', () => {
    const keys = loginDefsKeys(spec());
    const once = mergeLoginDefs(DEBIAN_DEFS, keys);
    assert.equal(mergeLoginDefs(once, keys), once);
    const parsed = parseLoginDefs(once);
    for (const [k, v] of Object.entries(keys)) assert.equal(parsed.get(k), v, k);
    assert.match(once, /^MAIL_DIR {8}\/var\/mail$/m);
    assert.match(once, /^#PASS_MAX_DAYS 1$/m);
    assert.match(once, /^# PASS_MAX_DAYS 5 \(clawops: a later duplicate/m);
    assert.ok(once.indexOf('UMASK\t\t027') < once.indexOf('PASS_MAX_DAYS'), 'set where it was');
    assert.match(once, /# clawops \(baseline\)\nSHA_CRYPT_MIN_ROUNDS\t\t65536\nSHA_CRYPT_MAX_ROUNDS\t\t65536\n$/);
    // the keys already right: byte for byte the same text
    assert.equal(mergeLoginDefs('UMASK 027\n', { UMASK: '027' }), 'UMASK 027\n');
  });

  it('each part can be turned off; the files and live settings follow the spec', () => {
    const all = baselineResources(spec()).map((r) => r.id);
    assert.deepEqual(all, [`file:${SYSCTL_FILE}`, 'sysctl:live', 'file:/etc/modprobe.d/clawops-blacklist.conf', 'file:/etc/security/limits.d/clawops-coredump.conf',
      'file:/etc/systemd/system.conf.d/clawops-coredump.conf', 'file:/etc/systemd/coredump.conf.d/clawops.conf', 'systemd:DefaultLimitCORE',
      'audit:rules', 'file:/etc/needrestart/conf.d/clawops.conf', 'file:/etc/profile.d/clawops-umask.sh', 'file:/etc/login.defs', 'file:/etc/issue', 'file:/etc/issue.net']);
    const none = spec('baseline: {sysctl: false, coreDumps: false, umask: false, modules: false, auditd: false, upkeep: false, loginDefs: false, banner: false}');
    assert.deepEqual(baselineResources(none), []);
    // core dumps without the rest of the sysctls: only fs.suid_dumpable
    assert.deepEqual(wantedSysctls(spec('baseline: {sysctl: false}')).map((x) => x.key), ['fs.suid_dumpable']);
    for (const x of SYSCTLS) assert.match(x.key, /^(net|kernel|fs|dev)\.[a-z0-9_.]+$/, x.key);
    assert.equal(new Set(SYSCTLS.map((x) => x.key)).size, SYSCTLS.length, 'no key twice');
    assert.ok(!SYSCTLS.some((x) => /forwarding|ip_forward|log_martians|modules_disabled/.test(x.key)), 'nothing that breaks Docker or fights ufw');
    assert.equal(renderModprobe().match(/^install \S+ \/bin\/true$/gm)?.length, BLOCKED_MODULES.length);
  });

  it('kernel settings: a settable difference is planned and fails the check; in a container the read-only ones are unknown with the reason, never planned', () => {
    const s = spec();
    const wanted = wantedSysctls(s);
    const sysctlKey = `sysctl:${wanted.map((w) => w.key).join('\n')}`;
    const live = (container: string, edit: (k: string) => string | undefined) =>
      cmd(`container ${container}\n${wanted.map((w) => edit(w.key) ?? `${w.key}|rw|${w.value}`).join('\n')}\n`);
    const resource = baselineResources(s).find((r) => r.id === 'sysctl:live')!;
    const check = baselineChecks.find((c) => c.id === 'host.baseline.sysctl')!;
    const ctx = { spec: s, inst: s.resolved[0]!, now: new Date(), waivedAuditIds: [], waiverProblems: [] } as CheckContext;
    const judge = (raw: Raw) => {
      const f = factReader(new Map([[sysctlKey, raw], [`file.state:${SYSCTL_FILE}`, fileRaw(renderSysctl(wanted))]]));
      return { plan: resource.plan(f) as PlanOutcome, verdict: check.evaluate(f, ctx) };
    };
    const good = judge(live('none', () => undefined));
    assert.ok('noop' in good.plan);
    assert.equal(good.verdict.status, 'pass');

    const handEdit = judge(live('none', (k) => (k === 'net.ipv4.tcp_syncookies' ? `${k}|rw|0` : undefined)));
    assert.ok('changes' in handEdit.plan && handEdit.plan.changes[0]!.summary.includes('net.ipv4.tcp_syncookies=1'));
    assert.equal(handEdit.verdict.status, 'fail');
    assert.match(handEdit.verdict.evidence, /net\.ipv4\.tcp_syncookies is 0, want 1/);

    // nspawn: kernel.* and fs.* are the host machine's, read-only; net.* of a private network namespace are settable
    const container = judge(live('systemd-nspawn', (k) => (k.startsWith('kernel.kptr') ? `${k}|ro|0` : k === 'kernel.yama.ptrace_scope' ? `${k}|absent|` : undefined)));
    assert.ok('noop' in container.plan, 'nothing apply could change is planned');
    assert.equal(container.verdict.status, 'unknown');
    assert.match(container.verdict.evidence, /kernel\.kptr_restrict is 0 \(want 2\): read-only here \(a systemd-nspawn container: the kernel is the host machine's\)/);
    assert.match(container.verdict.evidence, /not on this kernel: kernel\.yama\.ptrace_scope/);

    // the values are live but the file is gone: a reboot would lose them, apply writes it
    const noFile = check.evaluate(factReader(new Map([[sysctlKey, live('none', () => undefined)], [`file.state:${SYSCTL_FILE}`, cmd('MISSING\n')]])), ctx);
    assert.equal(noFile.status, 'fail');
    assert.match(noFile.evidence, /a reboot loses them/);
  });
});

describe('audit rules', () => {
  it('rendered rules validate; a typo in a rule is caught with its line; the kernel\'s listing is read in both forms', async () => {
    const { auditRules, renderAuditRules, validateAuditRules, loadedRule, missingRules } = await import('../../../src/baseline/audit.ts');
    const s = spec();
    const text = renderAuditRules(s);
    const v = validateAuditRules(text);
    assert.ok(v.ok && v.rules.length === auditRules(s).length);
    assert.match(text, /^-w \/home\/openclaw-svc\/\.openclaw\/openclaw\.json -p wa -k openclaw-config$/m);
    assert.match(text, /^-w \/home\/openclaw-svc\/\.openclaw -p a -k openclaw-state$/m, 'the state dir: modes and owners, not the gateway\'s writes');
    for (const [typo, why] of [['-w /etc/x -p wz -k k', /line 1/], ['-W /etc/x -p wa -k k', /not -w PATH/], ['-w /etc/x -p wa', /not -w PATH/], ['-w etc/x -p wa -k k', /not -w PATH/], ['-w /etc/x -p ww -k k', /permission repeated/], [`-w /etc/x -p wa -k ${'k'.repeat(40)}`, /not -w PATH/]] as const) {
      const r = validateAuditRules(`${typo}\n`);
      assert.ok(!r.ok && why.test(r.problem), `${typo}: ${JSON.stringify(r)}`);
    }
    assert.deepEqual(loadedRule('-a always,exit -F dir=/etc/clawops/ -F perm=wa -F key=clawops-config'), { path: '/etc/clawops', perms: 'wa', key: 'clawops-config' });
    assert.deepEqual(loadedRule('-w /etc/x -p aw -k k'), { path: '/etc/x', perms: 'aw', key: 'k' });
    assert.equal(loadedRule('No rules'), undefined);
    assert.deepEqual(missingRules([{ path: '/etc/x', perms: 'wa', key: 'k' }], [{ path: '/etc/x', perms: 'aw', key: 'k' }]), [], 'permission order does not matter');
  });

  it('in a container: nothing planned, the check unknown with the reason', async () => {
    const { auditResource } = await import('../../../src/baseline/audit.ts');
    const s = spec();
    const f = factReader(new Map([['audit:/etc/audit/rules.d/60-clawops.rules', cmd('container systemd-nspawn\n')]]));
    const p = auditResource(s).plan(f) as PlanOutcome;
    assert.ok('noop' in p && /systemd-nspawn container: audit belongs to the host machine's kernel/.test(p.noop));
    const ctx = { spec: s, inst: s.resolved[0]!, now: new Date(), waivedAuditIds: [], waiverProblems: [] } as CheckContext;
    const v = baselineChecks.find((c) => c.id === 'host.baseline.auditd')!.evaluate(f, ctx);
    assert.equal(v.status, 'unknown');
  });
});
