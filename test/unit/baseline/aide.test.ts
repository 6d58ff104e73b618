/** AIDE in the host baseline: its report read as AIDE 0.18.3 writes it, what it watches, and when apply may refresh its database. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { aideResources, aideWatchedFiles, parseAideReport, refreshAfterApply, renderAideConf } from '../../../src/baseline/aide.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import type { Executor, RunResult } from '../../../src/exec/types.ts';

const spec = (yaml = '') => {
  const r = parseSpec(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
};
/** recorded on the testbed: a symlink and a binary added, /etc/sudoers edited; an enablement symlink in a .wants dir left out */
const REPORT = `conf-sha256 ${'c'.repeat(64)}\n${readFileSync(new URL('../../fixtures/baseline/aide-0.18.3-check-differences.txt', import.meta.url), 'utf8')}`;

/** An executor whose `aide --check` prints `report`, recording every argv. */
function stubbed(report: string): { ex: Executor; calls: string[][] } {
  const calls: string[][] = [];
  const ex = {
    target: 'stub',
    async run(argv: readonly string[]): Promise<RunResult> {
      calls.push([...argv]);
      const stdout = argv.some((a) => a.includes('--check')) ? report : '';
      return { exitCode: 0, stdout, stderr: '', timedOut: false, durationMs: 1 } as RunResult;
    },
  } as unknown as Executor;
  return { ex, calls };
}

describe('AIDE', () => {
  it('reads what AIDE 0.18.3 reports: added, removed and changed paths; an error exit is unknown, never clean', () => {
    const r = parseAideReport(REPORT);
    assert.ok(!('unknown' in r));
    assert.deepEqual([r.added, r.removed, r.changed], [['/etc/systemd/system/foo.service', '/usr/local/bin/helper'], [], ['/etc/sudoers']]);
    assert.equal(r.entries, 16);
    assert.equal(r.confHash, 'c'.repeat(64));
    const clean = parseAideReport('conf-sha256 x\nAIDE found NO differences between database and filesystem. Looks okay!!\n\nNumber of entries:\t14\nrc=0\n');
    assert.ok(!('unknown' in clean) && clean.added.length + clean.changed.length + clean.removed.length === 0 && clean.entries === 14);
    const broken = parseAideReport('conf-sha256 x\nERROR: /etc/clawops/aide.conf:3: unknown attribute\nrc=17\n');
    assert.match('unknown' in broken ? broken.unknown : '', /exit 17.*unknown attribute/);
  });

  it('apply plans from whether the database exists and which config made it, never from a report with its times (a saved plan stays valid)', () => {
    const db = aideResources(spec(), []).find((r) => r.id === 'aide:database')!;
    assert.deepEqual(db.needs().map((n) => n.kind.kind), ['aide.database']);
  });

  it('watches /usr/local, units, sudoers and sshd, and the files apply writes outside the homes and the state dir', () => {
    const s = spec();
    const managed = ['/etc/fail2ban/jail.local', '/home/openclaw-svc/.openclaw/openclaw.json', '/var/lib/clawops/x', '/usr/local/bin/oc', '/etc/systemd/system/clawops-health.timer'];
    assert.deepEqual(aideWatchedFiles(s, managed), ['/etc/fail2ban/jail.local', '/etc/ssh/sshd_config', '/etc/sudoers']);
    const conf = renderAideConf(s, managed);
    assert.match(conf, /^database_in=file:\/var\/lib\/clawops\/aide\/aide\.db$/m);
    assert.match(conf, /^\/etc\/fail2ban\/jail\\\.local\$ ClawopsRule$/m, 'a file is an anchored, escaped pattern');
    assert.match(conf, /^!\/etc\/systemd\/system\/\[\^\/\]\+\\\.\(wants\|requires\)\/$/m, 'enablement symlinks are left to the service checks');
    assert.doesNotMatch(conf, /openclaw\.json|\/home\//, 'nothing the gateway changes as it runs');
  });

  it('after an apply: refreshed when every difference is a path the apply wrote; left alone, and said, when something else changed', async () => {
    const s = spec();
    const own = stubbed(REPORT);
    const line = await refreshAfterApply(own.ex, s, undefined, { savedPaths: ['/etc/sudoers', '/etc/systemd/system/foo.service', '/usr/local/bin/helper'], changedIds: ['file:/etc/sudoers'] });
    assert.match(line ?? '', /refreshed after this apply's 3 change/);
    assert.ok(own.calls.some((c) => c.join(' ').includes('--init')), 'a new database was made');

    const other = stubbed(REPORT);
    const refused = await refreshAfterApply(other.ex, s, undefined, { savedPaths: ['/etc/sudoers'], changedIds: ['file:/etc/sudoers'] });
    assert.match(refused ?? '', /not refreshed: 2 change\(s\) this apply did not make: \/etc\/systemd\/system\/foo\.service, \/usr\/local\/bin\/helper/);
    assert.ok(!other.calls.some((c) => c.join(' ').includes('--init')), 'the database is kept: the finding stays');

    // a drop-in directory someone made, whose drop-in the apply removed: the directory is explained by what apply wrote into it
    const dir = stubbed(`conf-sha256 x\nAdded entries:\n\nd+++++++++++++++++: /etc/systemd/system/openclaw.service.d\nrc=1\n`);
    assert.match(await refreshAfterApply(dir.ex, s, undefined, { savedPaths: ['/etc/systemd/system/openclaw.service.d/override.conf'], changedIds: [] }) ?? '', /refreshed/);
    const none = stubbed('NO-DB\n');
    assert.equal(await refreshAfterApply(none.ex, s, undefined, { savedPaths: [], changedIds: [] }), undefined);
  });
});
