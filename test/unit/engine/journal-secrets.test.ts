/**
 * The journal and secrets: secret before-images go to `secret/` (which backups exclude) and undo
 * finds them there; descriptions and errors are redacted; retention prunes by age but always
 * keeps the newest journal.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { treeExcludes } from '../../../src/backup/plan.ts';
import { forgetSecrets, registerSecret } from '../../../src/core/redact.ts';
import { isSecretImage, journalsToPrune, TargetJournal } from '../../../src/engine/journal.ts';
import { undoNewest } from '../../../src/engine/undo.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';

const TOKEN = '9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0';
const SUMMARY = { add: 0, change: 2, remove: 0 };

afterEach(forgetSecrets);

test('journalsToPrune: older than the retention goes, the newest stays whatever its age', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const ids = ['20261001T000000000Z-aaaaaa', '20261101T000000Z-bbbbbb', '20261130T120000123Z-cccccc', 'stray'];
  assert.deepEqual(journalsToPrune(ids, 30, now), ['20261101T000000Z-bbbbbb', '20261001T000000000Z-aaaaaa']);
  assert.deepEqual(journalsToPrune(ids, 60, now), ['20261001T000000000Z-aaaaaa']);
  assert.deepEqual(journalsToPrune(['20250101T000000000Z-dddddd'], 1, now), [], 'the only journal is kept: undo needs it');
  assert.deepEqual(journalsToPrune([], 30, now), []);
});

test('isSecretImage: private mode, a registered value, or a credential shape', () => {
  const table: [number, string, boolean][] = [
    [0o600, 'A=1\n', true],
    [0o400, 'x', true],
    [0o644, '[Service]\nUser=oc\n', false],
    [0o644, `[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN=${TOKEN}\n`, true],
    [0o640, 'Environment=OPENCLAW_GATEWAY_TOKEN=${OPENCLAW_GATEWAY_TOKEN}\n', false],
  ];
  for (const [mode, text, want] of table) assert.equal(isSecretImage(mode, Buffer.from(text)), want, `${mode.toString(8)} ${text}`);
  registerSecret('registered-but-shapeless-value');
  assert.equal(isSecretImage(0o644, Buffer.from('x registered-but-shapeless-value y')), true);
});

test('secret before-images live in secret/ (excluded from backups); undo restores them from there', async () => {
  registerSecret(TOKEN);
  const ex = new RecorderExecutor()
    .script(() => ({ stdout: '' }))
    .addFile('/home/oc/.openclaw/gateway.systemd.env', `OPENCLAW_GATEWAY_TOKEN=${TOKEN}\n`, { mode: 0o600, owner: 'oc', group: 'oc' })
    .addFile('/etc/fail2ban/jail.local', '[sshd]\nenabled = true\n', { mode: 0o644 });
  const j = await TargetJournal.begin(ex, '/var/lib/clawops', SUMMARY);
  await j.saveFile(ex, '/home/oc/.openclaw/gateway.systemd.env');
  await j.saveFile(ex, '/etc/fail2ban/jail.local');
  await j.saveStep(`set token ${TOKEN}`, null);
  await j.finish('failed', `boom: ${TOKEN}`);
  const writes = ex.writes();
  assert.ok(writes.includes(`${j.dir}/secret/0001.bin`), writes.join('\n'));
  assert.ok(writes.includes(`${j.dir}/entries/0002.bin`), writes.join('\n'));
  for (const w of writes.filter((p) => p.endsWith('.json'))) assert.ok(!ex.text(w)?.includes(TOKEN), `${w} holds the token`);
  // undo reads the secret image from secret/
  await ex.writeFile('/home/oc/.openclaw/gateway.systemd.env', 'OPENCLAW_GATEWAY_TOKEN=changed\n', { mode: 0o600, owner: 'oc', group: 'oc' });
  ex.script((argv) => {
    if (argv[0] !== 'sh') return undefined;
    if (argv.at(-1)?.endsWith('/journal')) return { stdout: `${j.id}\n` };
    return argv.at(-1)?.endsWith('/entries') ? { stdout: '0001.json\n0002.json\n0003.json\n' } : undefined;
  });
  const r = await undoNewest(ex, '/var/lib/clawops');
  assert.ok(r.restored.includes('/home/oc/.openclaw/gateway.systemd.env'), JSON.stringify(r));
  assert.equal(ex.text('/home/oc/.openclaw/gateway.systemd.env'), `OPENCLAW_GATEWAY_TOKEN=${TOKEN}\n`);
});

test('backups leave the journal\'s secret before-images out (tar pattern)', () => {
  assert.ok(treeExcludes(['backup', 'journal/*/secret']).includes('./journal/*/secret'));
});
