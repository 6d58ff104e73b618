/**
 * The generated gateway unit under the real systemd-analyze (no PID 1 needed): exposure score at
 * most 3.0 on both versions (printed beside the runbook unit's), and `verify --root` with stubs
 * reports nothing (it warns on stderr with exit 0, so stderr is what is asserted).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { localExecutor } from '../../src/exec/local.ts';
import { analyzeUnitSecurity } from '../../src/openclaw/analyze.ts';
import { renderGatewayUnit } from '../../src/openclaw/unit.ts';
import { Spec } from '../../src/desired/schema.ts';
import { resolveSpec } from '../../src/desired/resolve.ts';

const MAX_SCORE = 3.0;
const haveAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const runbookUnit = readFileSync(new URL('../fixtures/openclaw/runbook-openclaw.service', import.meta.url), 'utf8');

describe('gateway unit under systemd-analyze', { skip: haveAnalyze ? undefined : 'systemd-analyze not installed' }, () => {
  const ex = localExecutor();
  let runbookScore = NaN;
  let root = '';
  before(async () => {
    runbookScore = (await analyzeUnitSecurity(ex, 'openclaw.service', runbookUnit)).score;
    root = mkdtempSync(join(tmpdir(), 'clawops-verify-'));
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the runbook unit scores 5.9 here (the baseline)', () => {
    assert.equal(runbookScore, 5.9);
  });

  for (const version of ['2026.9.6', '2026.2.9']) {
    it(`${version}: exposure <= ${MAX_SCORE}`, async (t) => {
      const spec = resolveSpec(Spec.parse({ openclaw: { version } }));
      const inst = spec.resolved[0]!;
      const report = await analyzeUnitSecurity(ex, inst.unit, renderGatewayUnit(spec, inst, version));
      t.diagnostic(`${version}: generated unit ${report.score} ${report.level} vs runbook unit ${runbookScore}`);
      t.diagnostic(`still open: ${report.open.map((f) => `${f.name} ${f.exposure}`).join(', ')}`);
      assert.ok(report.score <= MAX_SCORE, `score ${report.score} > ${MAX_SCORE}`);
      assert.ok(report.score < runbookScore);
    });

    it(`${version}: systemd-analyze verify --root reports nothing`, () => {
      const spec = resolveSpec(Spec.parse({ openclaw: { version } }));
      const inst = spec.resolved[0]!;
      const vroot = join(root, version);
      const put = (path: string, content: string, mode = 0o644) => {
        mkdirSync(dirname(join(vroot, path)), { recursive: true });
        writeFileSync(join(vroot, path), content);
        chmodSync(join(vroot, path), mode);
      };
      // the distribution's units (targets the unit is ordered after) and stubs for what it references
      cpSync('/usr/lib/systemd/system', join(vroot, 'usr/lib/systemd/system'), { recursive: true });
      put(`etc/systemd/system/${inst.unit}`, renderGatewayUnit(spec, inst, version));
      put('etc/systemd/system/docker.service', '[Unit]\nDescription=stub\n[Service]\nExecStart=/bin/true\n');
      put(inst.bin.slice(1), '#!/bin/sh\n', 0o755);
      put('bin/kill', '#!/bin/sh\n', 0o755);
      put('bin/mkdir', '#!/bin/sh\n', 0o755);
      const r = spawnSync('systemd-analyze', ['verify', `--root=${vroot}`, inst.unit], {
        encoding: 'utf8',
        env: { ...process.env, SYSTEMD_COLORS: '0' },
        timeout: 30_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim(), '', `systemd-analyze verify warned:\n${r.stderr}`);
    });
  }

  it('verify does report a broken directive (the check can fail)', () => {
    const vroot = join(root, 'broken');
    mkdirSync(join(vroot, 'etc/systemd/system'), { recursive: true });
    cpSync('/usr/lib/systemd/system', join(vroot, 'usr/lib/systemd/system'), { recursive: true });
    writeFileSync(join(vroot, 'etc/systemd/system/b.service'), '[Service]\nExecStart=/bin/true\nProtectHome=bogus\n');
    mkdirSync(join(vroot, 'bin'), { recursive: true });
    writeFileSync(join(vroot, 'bin/true'), '#!/bin/sh\n', { mode: 0o755 });
    const r = spawnSync('systemd-analyze', ['verify', `--root=${vroot}`, 'b.service'], { encoding: 'utf8', timeout: 30_000 });
    assert.match(r.stderr, /Failed to parse protect home value/);
  });
});
