/**
 * The secrets a run knows: the spec's references resolved (env here, files on the target), the
 * password of a repository URL, env-file and config values under secret names; all registered,
 * so any later output holding them is redacted. Paths, references and plain words are not secrets.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { forgetSecrets, redact, REDACTED } from '../../../src/core/redact.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import { envFileSecrets, jsonSecrets, registerKnownSecrets, urlPassword } from '../../../src/desired/secrets.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';

afterEach(forgetSecrets);

test('envFileSecrets, jsonSecrets, urlPassword', () => {
  const env = 'A=1\nOPENCLAW_GATEWAY_TOKEN=abcdef0123456789\nexport OPENAI_API_KEY="sk-1234567890"\n' +
    'DATA_DIR=/srv/x\nGIT_TOKEN=${GIT_TOKEN}\n';
  assert.deepEqual(envFileSecrets(env), ['abcdef0123456789', 'sk-1234567890']);
  assert.deepEqual(
    jsonSecrets({
      gateway: { auth: { token: '${OPENCLAW_GATEWAY_TOKEN}' }, remote: { token: 'f00dfeed-0123456789' } },
      models: { providers: { x: { apiKey: 'sk-live-9999999999', credentials: '/home/u/creds' } } },
      hooks: [{ webhookUrl: 'https://h.example/abc123XYZ' }],
    }),
    ['f00dfeed-0123456789', 'sk-live-9999999999', 'https://h.example/abc123XYZ'],
  );
  assert.equal(urlPassword('rest:https://u:p%40ss-w0rd@h:8000/r'), 'p%40ss-w0rd');
  assert.equal(urlPassword('sftp:u@h:/srv'), undefined);
  assert.equal(urlPassword('/var/backups/x'), undefined);
});

test('registerKnownSecrets: env references, files on the target, the repository password', async () => {
  const parsed = parseSpec(`backup: {repository: "rest:https://u:repo-pass-123@h/r", password: {file: /etc/clawops/restic-password}}
gateway: {auth: {token: {env: GW_TOKEN}}}
monitoring: {alerts: [{type: webhook, url: {file: /etc/clawops/hook}}]}
`);
  assert.ok(parsed.ok);
  const files: Record<string, string> = {
    '/etc/clawops/restic-password': 'restic-file-password\n',
    '/etc/clawops/hook': 'https://hooks.example/T0/B0/hookSecret42\n',
    '/home/openclaw-svc/.openclaw/gateway.systemd.env': 'OPENCLAW_GATEWAY_TOKEN=0123456789abcdef0123456789abcdef\n',
    '/home/openclaw-svc/.openclaw/openclaw.json': '{gateway: {remote: {token: "json5-remote-token-1"}}}',
  };
  const ex = new RecorderExecutor().script((argv) => {
    if (argv[0] !== 'sh') return undefined;
    const out = argv.slice(4).filter((p) => p in files).map((p) => `=clawops-file ${p}\n${Buffer.from(files[p]!).toString('base64')}\n`);
    return { stdout: out.join('') };
  });
  const n = await registerKnownSecrets(ex, parsed.spec, { GW_TOKEN: 'env-gateway-token-1' });
  assert.ok(n >= 6, String(n));
  const text = [
    'repo-pass-123', 'restic-file-password', 'https://hooks.example/T0/B0/hookSecret42', '0123456789abcdef0123456789abcdef',
    'json5-remote-token-1', 'env-gateway-token-1',
  ].join(' | ');
  assert.equal(redact(text), Array(6).fill(REDACTED).join(' | '));
  // no secret went on the command line: only paths
  for (const c of ex.commands()) assert.equal(redact(c.join(' ')), c.join(' '));
});

test('by shape: KEY: VALUE needs the space YAML and headers have; a resource id `kind:name` is a label', () => {
  forgetSecrets();
  const plan = '~ openclaw-token:openclaw2: make the token EnvironmentFile 0600\n~ openclaw-config:openclaw2: 5 keys';
  assert.equal(redact(plan), plan);
  assert.doesNotMatch(redact('gateway_token: 9f8e7d6c5b4a39281706a1b2'), /9f8e7d6c5b4a39281706a1b2/);
  assert.doesNotMatch(redact('GATEWAY_TOKEN=9f8e7d6c5b4a39281706a1b2'), /9f8e7d6c5b4a39281706a1b2/);
  // and nothing was registered on the way: the plan's words stay readable afterwards
  assert.equal(redact('openclaw2: healthy'), 'openclaw2: healthy');
  forgetSecrets();
});
