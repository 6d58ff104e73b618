/** Check timers and the oc wrapper against the real tools: systemd-analyze calendar/verify, sh -n. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { localExecutor } from '../../src/exec/local.ts';
import { analyzeUnitSecurity } from '../../src/openclaw/analyze.ts';
import { DEFAULT_CLAWOPS_BIN, renderOcWrapper, renderTimers, validateCalendars } from '../../src/openclaw/timers.ts';
import { Spec, type SpecInput } from '../../src/desired/schema.ts';
import { MAX_TIMER_EXPOSURE } from '../../src/checks/backup.ts';
import { resolveSpec } from '../../src/desired/resolve.ts';

const haveAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const specOf = (input: SpecInput = {}) => resolveSpec(Spec.parse(input));

describe('check timers under systemd-analyze', { skip: haveAnalyze ? undefined : 'systemd-analyze not installed' }, () => {
  const ex = localExecutor();
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'clawops-timers-'));
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the runbook schedules are valid calendars', async () => {
    assert.deepEqual(await validateCalendars(ex, specOf()), []);
  });

  it('a bad calendar is reported with its spec path', async () => {
    const problems = await validateCalendars(ex, specOf({ monitoring: { schedules: { backup: 'every night at two' } } }));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, 'monitoring.schedules.backup');
    assert.match(problems[0]?.message ?? '', /not a systemd calendar expression/);
  });

  it('systemd-analyze verify --root: every rendered timer and service is clean', () => {
    const files = renderTimers(specOf());
    cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
    for (const f of files) {
      mkdirSync(dirname(join(root, f.path)), { recursive: true });
      writeFileSync(join(root, f.path), f.content);
    }
    for (const bin of [DEFAULT_CLAWOPS_BIN, '/bin/mkdir']) {
      mkdirSync(dirname(join(root, bin)), { recursive: true });
      writeFileSync(join(root, bin), '#!/bin/sh\n');
      chmodSync(join(root, bin), 0o755);
    }
    const names = files.map((f) => f.path.split('/').pop()!);
    const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, ...names], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, SYSTEMD_COLORS: '0' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', r.stderr);
  });

  it('CacheDirectory= costs no exposure: the timer services score as they did without it', async (t) => {
    const service = renderTimers(specOf()).find((f) => f.path.endsWith('/clawops-health.service'))!;
    assert.match(service.content, /^CacheDirectory=clawops$/m);
    const withCache = await analyzeUnitSecurity(ex, 'clawops-health.service', service.content);
    const without = await analyzeUnitSecurity(ex, 'clawops-health.service', service.content.replace(/^CacheDirectory=.*\n/m, ''));
    t.diagnostic(`clawops-health.service: ${withCache.score} ${withCache.level} (without CacheDirectory: ${without.score}); it runs as root on purpose (reads every check's facts)`);
    assert.ok(withCache.score <= without.score, `${withCache.score} > ${without.score}`);
  });

  it(`every check job's service scores at most ${MAX_TIMER_EXPOSURE} (both versions, backup on)`, async (t) => {
    for (const version of ['2026.9.6', '2026.2.9']) {
      for (const f of renderTimers(specOf({ openclaw: { version } })).filter((x) => x.path.endsWith('.service'))) {
        const name = f.path.split('/').pop()!;
        const r = await analyzeUnitSecurity(ex, name, f.content);
        t.diagnostic(`${version} ${name}: ${r.score} ${r.level}`);
        assert.ok(r.score <= MAX_TIMER_EXPOSURE, `${name} ${r.score}: ${r.open.slice(0, 5).map((o) => o.name).join(', ')}`);
      }
    }
  });

  it('the oc wrapper is valid sh (both versions)', () => {
    for (const version of ['2026.9.6', '2026.2.9']) {
      const spec = specOf({ openclaw: { version } });
      const w = renderOcWrapper(spec, spec.resolved[0]!);
      const r = spawnSync('sh', ['-n'], { input: w.content, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });
});
