/**
 * The report page in a real headless Chromium (Debian's, driven by playwright-core), from file://
 * with every request that is not file:// aborted and recorded: a month of ledger (report-fixture.ts)
 * rendered by `clawops report --from-check`, then the rendered page asserted against report.json:
 * gate counts, a failing check's visible fix, every plot's marks against the ledger's series, no
 * request leaving file://, no console error, keyboard reach of the contents, and a PDF print.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli } from '../../src/cli/program.ts';
import { memoryRuntime } from '../../src/cli/runtime.ts';
import { ledgerPath } from '../../src/ledger/paths.ts';
import type { ReportData } from '../../src/report/model.ts';
import { fixtureCheck, reportFixture } from '../helpers/report-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = !process.env['CI'] && !existsSync(CHROMIUM) ? `${CHROMIUM} is not installed (bash scripts/install-test-deps.sh)` : undefined;

describe('the report in headless Chromium', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawops-report-e2e-'));
  const out = join(dir, 'report');
  let browser: Browser;
  let page: Page;
  let data: ReportData;
  const blocked: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    // a month of ledger where `clawops report` will read it: the spec's state dir
    const stateDir = join(dir, 'state');
    const fx = reportFixture(30, new Date());
    fx.ledger.close();
    mkdirSync(stateDir, { recursive: true });
    renameSync(fx.path, ledgerPath(stateDir));
    fx.done();
    writeFileSync(join(dir, 'clawops.yaml'), `stateDir: ${stateDir}\ndocker: { enabled: false }\n`);
    writeFileSync(join(dir, 'check.json'), JSON.stringify(fixtureCheck(new Date())));
    const rt = memoryRuntime();
    const code = await runCli(['--spec', join(dir, 'clawops.yaml'), '--target', 'local', 'report', '--out', out, '--from-check', join(dir, 'check.json')], rt);
    assert.equal(code, 0, rt.stderr);
    data = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportData;
    browser = await chromium.launch({ executablePath: existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : CHROMIUM });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : (blocked.push(r.request().url()), r.abort())));
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(`file://${join(out, 'index.html')}`);
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the gate counts on the page are the JSON\'s; the failing check\'s fix is visible', async () => {
    const meta = await page.locator('header .meta').innerText();
    const c = data.gate.counts;
    assert.match(meta, new RegExp(`${c.pass} pass, ${c.fail} fail, ${c.unknown} unknown, ${c.waived} waived, ${c.skipped} skipped`));
    assert.equal(await page.locator('h1 .st').innerText(), data.gate.result.toUpperCase());
    const rows = await page.locator('#gate tbody tr').count();
    assert.equal(rows, data.gate.areas.reduce((n, a) => n + a.checks.length, 0) + data.waivers.length);
    const failing = data.gate.areas.flatMap((a) => a.checks).find((x) => x.status === 'fail');
    assert.ok(failing);
    const fix = page.locator(`[id="check-${failing.id}-${failing.instance}"] .fix`);
    assert.ok(await fix.isVisible(), 'the fix is on screen, not hidden');
    assert.equal(await fix.innerText(), `Fix: ${failing.remediation}`);
  });

  test('every plot\'s marks are the ledger series, point by point', async () => {
    const marks = async (id: string) => page.locator(`#${id} .point`).evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-t')), Number(e.getAttribute('data-v'))]));
    const g = data.series.gateways[0]!;
    const s = data.series;
    const want: Record<string, [number, number][]> = {
      'plot-health': g.healthMs.map((p) => [p.t, p.v]),
      'plot-memory': g.memoryBytes.map((p) => [p.t, p.v / 1_048_576]),
      'plot-restarts': g.restarts.map((p) => [p.t, p.v]),
      'plot-failures': s.days.map((d) => [Date.parse(`${d.day}T12:00:00Z`), d.failedRuns]),
      'plot-backup-size': s.backups.filter((b) => b.bytesAdded !== null).map((b) => [b.t, Number((b.bytesAdded! / 1_048_576).toFixed(1))]),
      'plot-backup-duration': s.backups.filter((b) => b.durationMs !== null).map((b) => [b.t, b.durationMs! / 1000]),
      'plot-backup-age': s.backups.filter((b) => b.ageHours !== null).map((b) => [b.t, b.ageHours!]),
      'plot-drill-rto': s.drills.map((d) => [d.t, d.rtoSeconds!]),
    };
    for (const [id, points] of Object.entries(want)) {
      assert.ok(points.length > 0, `${id} has data in the fixture`);
      assert.deepEqual(await marks(id), points, id);
      assert.ok(await page.locator(`#${id} svg`).isVisible(), `${id} is drawn`);
    }
    // the failed backup is a mark of its own, said in words too
    assert.match(await page.locator('#plot-backup-age').innerHTML(), /FAILED|age/);
  });

  test('nothing leaves file://, no console error; the contents are reached by keyboard; it prints to PDF', async () => {
    assert.deepEqual(blocked, []);
    assert.deepEqual(consoleErrors, []);
    const links = await page.locator('nav a').count();
    assert.equal(links, 8);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '#summary');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => location.hash), '#summary');
    const pdf = await page.pdf({ format: 'A4' });
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(pdf.length > 20_000, `${pdf.length} bytes of PDF`);
    await page.screenshot({ path: join(dir, 'shot.png'), fullPage: true });
    assert.ok(readFileSync(join(dir, 'shot.png')).length > 50_000);
  });
});
