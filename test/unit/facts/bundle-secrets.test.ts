/**
 * A facts bundle (`clawops facts --out`) holds no secret: the spec's repository loses its
 * userinfo, registered values and credential shapes in raw output become descriptors, and the
 * bundle still loads and evaluates (`clawops check --facts`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { forgetSecrets, registerSecret } from '../../../src/core/redact.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import { factsFile, loadFactsFile } from '../../../src/facts/file.ts';
import type { Raw } from '../../../src/facts/types.ts';

const PW = 'CanaryRepoPassw0rd';
const TOKEN = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const HOOK_SECRET = 'T0KENinHookPath77';

afterEach(forgetSecrets);

test('facts bundle: no repository password, inline token, registered value or bearer token; loads back', async () => {
  const parsed = parseSpec(`backup: {repository: "rest:https://u:${PW}@rest.example:8000/r"}\n`);
  assert.ok(parsed.ok);
  registerSecret(`https://hooks.example/x/${HOOK_SECRET}`);
  const raw = new Map<string, Raw>([
    [
      'textFile:/etc/systemd/system/openclaw.service',
      { t: 'file', content: `[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN=${TOKEN}\n`, durationMs: 1 },
    ],
    [
      'cmd:x',
      {
        t: 'cmd', exitCode: 0, stdout: `curl -H "Authorization: Bearer ${TOKEN}" https://hooks.example/x/${HOOK_SECRET}`,
        stderr: '', timedOut: false, durationMs: 1,
      },
    ],
  ]);
  const file = factsFile('nspawn:x', new Date('2026-12-02T00:00:00Z'), 'go-live', parsed.spec, raw);
  const text = JSON.stringify(file);
  for (const s of [PW, TOKEN, HOOK_SECRET]) assert.ok(!text.includes(s), `${s} in ${text}`);
  assert.match(text, /Environment=OPENCLAW_GATEWAY_TOKEN=<secret len=64 fp=[0-9a-f]{8}>/);
  assert.equal((file.spec as { backup: { repository: string } }).backup.repository, 'rest:https://rest.example:8000/r');
  const dir = mkdtempSync(join(tmpdir(), 'clawops-facts-'));
  try {
    writeFileSync(join(dir, 'f.json'), text);
    const loaded = await loadFactsFile(join(dir, 'f.json'));
    assert.equal(loaded.spec.backup.repository, 'rest:https://rest.example:8000/r');
    assert.equal(loaded.raw.size, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
