/** The report's data and page from a scratch ledger (report-fixture.ts); nothing on the machine is touched. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/program.ts';
import { memoryRuntime } from '../../../src/cli/runtime.ts';
import { writeReport } from '../../../src/cli/commands/report.ts';
import { forgetSecrets, registerSecret } from '../../../src/core/redact.ts';
import { readSeries } from '../../../src/ledger/series.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { buildReport, hideHosts, type ReportData, type ReportInput } from '../../../src/report/model.ts';
import { FIXTURE_HOST, FIXTURE_NOW, fixtureCheck, reportFixture, type ReportFixture } from '../../helpers/report-fixture.ts';


describe('report: data and page from the ledger', () => {
  let fx: ReportFixture;
  let input: ReportInput;
  let data: ReportData;
  before(() => {
    fx = reportFixture();
    input = {
      now: FIXTURE_NOW, host: FIXTURE_HOST, check: fixtureCheck(), ledger: fx.ledger,
      burnin: { days: 7, maxGapMinutes: 15, backupRequired: true }, targets: { rpoHours: 24, rtoHours: 2 },
      clawopsVersion: '0.1.0', knownGood: [{ instance: 'openclaw', version: '2026.9.6', recordedAt: '2026-11-20T10:00:00.000Z' }],
      frozen: { schemaVersion: 1, signedOffAt: '2026-11-29T18:00:00.000Z', by: 'alice', digests: { 'openclaw.json[openclaw]': 'sha256:aa11' } },
    };
    data = buildReport(input);
  });
  after(() => fx.done());

  it('series: each bucket is the mean (health) and the highest (memory, restarts) of the samples written in it', () => {
    const from = Date.parse('2026-11-01T00:00:00Z');
    const to = FIXTURE_NOW.getTime();
    const s = readSeries(fx.ledger, from, to, 120);
    const width = Math.ceil((to - from) / 120);
    const buckets = new Map<number, typeof fx.samples>();
    for (const x of fx.samples.filter((x) => x.at >= from && x.at <= to)) {
      const b = Math.floor((x.at - from) / width);
      buckets.set(b, [...(buckets.get(b) ?? []), x]);
    }
    const g = s.gateways.find((x) => x.instance === 'openclaw');
    assert.ok(g);
    assert.equal(g.healthMs.length, buckets.size);
    for (const [n, xs] of [...buckets.entries()].sort((a, b) => a[0] - b[0]).entries()) {
      const want = xs[1].reduce((a, x) => a + x.healthMs, 0) / xs[1].length;
      assert.equal(g.healthMs[n]!.t, xs[1][0]!.at);
      assert.ok(Math.abs(g.healthMs[n]!.v - want) < 0.06, `bucket ${n}: ${g.healthMs[n]!.v} vs ${want}`);
      assert.equal(g.memoryBytes[n]!.v, Math.max(...xs[1].map((x) => x.memoryBytes)));
      assert.equal(g.restarts[n]!.v, Math.max(...xs[1].map((x) => x.restarts)));
    }
    // the bad afternoon stands out
    assert.ok(Math.max(...g.healthMs.map((p) => p.v)) > 100);
    // backups: each one, with the hours since the previous good one; drills with their RTO
    const inWindow = fx.backups.filter((b) => b.at >= from);
    assert.deepEqual(s.backups.map((b) => [b.t, b.ok, b.ok ? b.bytesAdded : null]), inWindow.map((b) => [b.at, b.ok, b.ok ? b.bytesAdded : null]));
    const afterFailed = s.backups.findIndex((b, i) => i > 0 && !s.backups[i - 1]!.ok);
    assert.equal(s.backups[afterFailed]!.ageHours, 48, 'the backup after a failed one is two days after the last good one');
    assert.deepEqual(s.drills.map((d) => d.rtoSeconds), fx.drills.filter((d) => d.at >= from).map((d) => d.rtoSeconds));
    assert.equal(s.days.length, 30);
    assert.ok(s.days.some((d) => d.failedRuns === 18), 'three hours of runs every 10 minutes failed on the bad day');
  });

  it('data: the gate grouped by area with its counts, waivers, incidents with their times, sign-off, versions, exposure', () => {
    assert.equal(data.schemaVersion, 1);
    assert.equal(data.gate.result, 'fail');
    assert.deepEqual(data.gate.counts, { pass: 5, fail: 1, unknown: 1, skipped: 1, waived: 1 });
    assert.deepEqual(data.gate.areas.map((a) => a.area), ['host', 'files', 'service', 'network', 'firewall', 'access', 'backup']);
    assert.equal(data.gate.areas.find((a) => a.area === 'files')?.checks[0]?.remediation, 'clawops apply (file modes step), or: chmod 600 /home/openclaw-svc/.openclaw/openclaw.json');
    assert.deepEqual(data.waivers, [{ id: 'access.tailscale.up', reason: 'no tailnet on the lab host', expires: '2026-12-31', expired: false }]);
    const healthIncident = data.incidents.find((i) => i.check === 'network.gateway-health');
    assert.equal(healthIncident?.state, 'resolved');
    assert.ok(healthIncident?.ackedAt && healthIncident.resolvedAt);
    assert.ok(data.incidents.some((i) => i.check === 'backup.failed'), 'the failed backup is an incident');
    assert.equal(data.burnin.days.length, 30);
    assert.equal(data.burnin.target, 7);
    assert.deepEqual(data.signoff, { at: '2026-11-29T18:00:00.000Z', by: 'alice', frozen: [{ item: 'openclaw.json[openclaw]', digest: 'sha256:aa11' }] });
    assert.equal(data.versions.openclaw, '2026.9.6');
    assert.equal(data.versions.node, '24.11.1');
    assert.deepEqual(data.exposure.map((x) => x.id), ['service.exposure[openclaw]', 'network.gateway-loopback[openclaw]', 'firewall.ufw.active']);
  });

  it('page: self-contained (no script, nothing fetched), status in words, the failing check\'s fix shown, one mark per plotted point', () => {
    const html = renderHtml(data);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
    assert.doesNotMatch(html, /(src|href)="(?!#)/, 'every link is an anchor in the page');
    assert.match(html, /default-src 'none'/, 'a CSP that forbids any fetch');
    assert.match(html, /go-live gate <span class="st st-fail">FAIL<\/span>/);
    assert.match(html, /<b>Fix:<\/b> clawops apply \(file modes step\), or: chmod 600/);
    for (const w of ['PASS', 'UNKNOWN', 'WAIVED', 'SKIPPED', 'RESOLVED', 'CLEAN']) assert.match(html, new RegExp(`>${w}<`), w);
    const marks = [...html.matchAll(/id="(plot-[a-z-]+)"[\s\S]*?<\/figure>/g)].map((m) => [m[1], (m[0].match(/class="point/g) ?? []).length]);
    const g = data.series.gateways[0]!;
    assert.deepEqual(Object.fromEntries(marks), {
      'plot-health': g.healthMs.length, 'plot-memory': g.memoryBytes.length, 'plot-restarts': g.restarts.length, 'plot-failures': data.series.days.length,
      'plot-backup-size': data.series.backups.filter((b) => b.bytesAdded !== null).length, 'plot-backup-duration': data.series.backups.filter((b) => b.durationMs !== null).length,
      'plot-backup-age': data.series.backups.filter((b) => b.ageHours !== null).length, 'plot-drill-rto': data.series.drills.length,
    });
    assert.match(html, /RPO 24 h/);
  });

  it('an empty ledger: the page says there is no data instead of drawing nothing', () => {
    const empty = reportFixture(0);
    try {
      empty.ledger.db.exec('DELETE FROM samples; DELETE FROM events; DELETE FROM daily; DELETE FROM signoffs; DELETE FROM incidents');
      const html = renderHtml(buildReport({ ...input, ledger: empty.ledger, frozen: undefined }));
      assert.match(html, /No data in the ledger for this period/);
      assert.match(html, /NOT SIGNED OFF/);
    } finally {
      empty.done();
    }
  });

  it('no secret reaches the page or the JSON; --redact-hosts hides the host name and its addresses, not loopback', () => {
    const canary = 'canary-token-0f3c9e7d1a2b';
    registerSecret(canary);
    try {
      const check = fixtureCheck();
      check.results[2] = { ...check.results[2]!, evidence: `token ${canary} found in openclaw.json` };
      const d = buildReport({ ...input, check, redactHosts: true });
      const html = renderHtml(d);
      for (const text of [html, JSON.stringify(d)]) {
        assert.ok(!text.includes(canary), 'the canary never shows');
        assert.ok(!text.includes(FIXTURE_HOST) && !text.includes('gw-prod-1'), 'the host name is hidden');
        assert.ok(!text.includes('203.0.113.7'), 'the host address is hidden');
        assert.ok(text.includes('127.0.0.1:18789'), 'loopback stays');
      }
    } finally {
      forgetSecrets();
    }
    assert.equal(hideHosts('at 12:30:45 on fe80::1 and 2001:db8::7, sha256:abc', 'h'), 'at 12:30:45 on [address] and [address], sha256:abc');
  });

  it('writeReport replaces both files whole and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawops-report-out-'));
    try {
      writeFileSync(join(dir, 'index.html'), 'old');
      const files = writeReport(join(dir), data);
      assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), ['index.html', 'report.json']);
      assert.match(readFileSync(join(dir, 'index.html'), 'utf8'), /^<!DOCTYPE html>/);
      assert.deepEqual((JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportData).gate.counts, data.gate.counts);
      assert.deepEqual(readdirSync(dir).sort(), ['index.html', 'report.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fleet: an index over several hosts\' report.json, each row linked to its page; a directory without a report is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawops-fleet-'));
    try {
      writeReport(join(dir, 'hosts', 'a'), data);
      writeReport(join(dir, 'hosts', 'b'), { ...data, host: 'gw-prod-2', gate: { ...data.gate, result: 'pass', blocking: 0 } });
      const spec = join(dir, 'clawops.yaml');
      writeFileSync(spec, `stateDir: ${join(dir, 'state')}\n`);
      const run = async (...argv: string[]) => {
        const rt = memoryRuntime();
        return { code: await runCli(['--spec', spec, '--target', 'local', ...argv], rt), out: rt.stdout, err: rt.stderr };
      };
      const r = await run('report', '--fleet', join(dir, 'hosts', 'a'), join(dir, 'hosts', 'b'), '--out', join(dir, 'index'));
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /\(2 hosts, 1 with the gate failing\)/);
      const html = readFileSync(join(dir, 'index', 'index.html'), 'utf8');
      const open = data.incidents.filter((i) => i.state !== 'resolved').length;
      assert.ok(html.includes(`<a href="../hosts/a/index.html">gw-prod-1.example.internal</a></td><td class="fail">FAIL</td><td>${data.gate.blocking}</td><td>day ${data.burnin.streak} of 7</td><td>${open}</td>`), html);
      assert.match(html, /<a href="\.\.\/hosts\/b\/index\.html">gw-prod-2<\/a><\/td><td class="pass">PASS<\/td><td>0<\/td>/);
      assert.doesNotMatch(html, /<script|(src|href)="https?:/);
      const bad = await run('report', '--fleet', join(dir, 'state'), '--out', join(dir, 'index2'));
      assert.equal(bad.code, 1);
      assert.match(bad.err, /cannot read .*report\.json/);
      const noOut = await run('report', '--fleet', join(dir, 'hosts', 'a'));
      assert.equal(noOut.code, 1);
      assert.match(noOut.err, /--fleet writes an index page: say where with --out DIR/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CLI: refusals before any work; --from-check renders a saved check run with this host\'s ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawops-report-cli-'));
    try {
      const spec = join(dir, 'clawops.yaml');
      writeFileSync(spec, `stateDir: ${join(dir, 'state')}\ndocker: { enabled: false }\n`);
      const cli = async (...argv: string[]) => {
        const rt = memoryRuntime();
        const code = await runCli(['--spec', spec, '--target', 'local', ...argv], rt);
        return { code, out: rt.stdout, err: rt.stderr };
      };
      const none = await cli('report');
      assert.equal(none.code, 1);
      assert.match(none.err, /say where the report goes: --out DIR/);
      const days = await cli('report', '--out', dir, '--days', '0');
      assert.equal(days.code, 1);
      assert.match(days.err, /--days must be a whole number from 1 to 366/);
      writeFileSync(join(dir, 'not-a-check.json'), '{"hello": 1}');
      const bad = await cli('report', '--out', join(dir, 'r'), '--from-check', join(dir, 'not-a-check.json'));
      assert.equal(bad.code, 1);
      assert.match(bad.err, /is not a `clawops check --json` report/);
      assert.equal(existsSync(join(dir, 'r')), false, 'nothing written');
      writeFileSync(join(dir, 'check.json'), JSON.stringify(fixtureCheck()));
      const ok = await cli('report', '--out', join(dir, 'r'), '--from-check', join(dir, 'check.json'));
      assert.equal(ok.code, 0, ok.err);
      assert.match(ok.out, /wrote .*index\.html and .*report\.json \(go-live gate fail, burn-in day 0 of 7, 0 open incident\(s\)\)/);
      assert.match(ok.err, /no ledger at .* yet/);
      assert.equal(existsSync(join(dir, 'state')), false, 'reading never starts a ledger');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


