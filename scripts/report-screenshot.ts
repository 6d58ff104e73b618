/**
 * A PNG of a report page as headless Chromium draws it (the README's pictures in docs/):
 *
 *   node scripts/report-screenshot.ts REPORT_DIR/index.html OUT.png [HEIGHT] [SECTION]
 *
 * The top HEIGHT pixels (default 1800) at 1200 wide, or only the section with that id (e.g. plots);
 * any request leaving file:// is refused.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [page, out, height = '1800', section] = process.argv.slice(2);
if (!page || !out) {
  console.error('usage: node scripts/report-screenshot.ts REPORT_DIR/index.html OUT.png [HEIGHT] [SECTION]');
  process.exit(1);
}
const exe = existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium';
const browser = await chromium.launch({ executablePath: exe });
try {
  const p = await browser.newPage({ viewport: { width: 1200, height: Number(height) } });
  await p.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort()));
  await p.goto(`file://${resolve(page)}`);
  if (section) await p.locator(`section#${section}`).screenshot({ path: out });
  else await p.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
