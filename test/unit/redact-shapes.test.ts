/**
 * The redaction function, table-driven: what must disappear (registered values, URL passwords,
 * headers, tokens in unknown JSON keys, multi-line text) and what must stay as it is (references,
 * paths, ordinary prose), plus idempotence (output redacted twice is unchanged).
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  forgetSecrets, redact, redactStructured, redactValue, registerSecret, REDACTED, safeUrl, SECRET_PREFIX,
} from '../../src/core/redact.ts';

const TOKEN = 'c4n4ry0c4n4ry1c4n4ry2c4n4ry3c4n4ry4c4n4ry5c4n4ry6c4n4ry7c4n4ry89';
const PASS = 'Pa55-w0rd-CANARY';
const HOOK = 'https://hooks.example.net/services/T00/B00/XyZcanaryHookSecret42';

const cases: { name: string; input: string; gone: string[]; kept?: string[]; register?: string[] }[] = [
  { name: 'registered value anywhere', input: `starting with ${TOKEN} now`, gone: [TOKEN], register: [TOKEN] },
  {
    name: 'registered value percent-encoded in a URL',
    input: 'rest:https://u:p%40ss-w0rd-xx@h/',
    gone: ['p%40ss-w0rd-xx'],
    register: ['p@ss-w0rd-xx'],
  },
  {
    name: 'restic rest URL with userinfo',
    input: `rest:https://backup:${PASS}@rest.example:8000/repo`,
    gone: [PASS],
    kept: ['backup:', '@rest.example:8000/repo'],
  },
  {
    name: 'token as a lone userinfo',
    input: `git clone https://${TOKEN}@git.example/x.git`,
    gone: [TOKEN],
    kept: ['@git.example/x.git'],
  },
  {
    name: 'user name only is not a secret',
    input: 'sftp://restic@backup.example/srv',
    gone: [],
    kept: ['sftp://restic@backup.example/srv'],
  },
  {
    name: 'query secrets',
    input: `GET https://api.example/x?foo=1&access_token=${TOKEN}&X-Amz-Signature=abcdef0123456789`,
    gone: [TOKEN, 'abcdef0123456789'],
    kept: ['foo=1'],
  },
  {
    name: 'Authorization header',
    input: `Authorization: Bearer ${TOKEN}\nContent-Type: application/json`,
    gone: [TOKEN],
    kept: ['Content-Type: application/json'],
  },
  {
    name: 'Basic credentials',
    input: 'authorization: Basic dXNlcjpwYXNzd29yZC1sb25nLWVub3VnaA==',
    gone: ['dXNlcjpwYXNzd29yZC1sb25nLWVub3VnaA=='],
  },
  { name: 'raw Authorization value', input: `"headers": {"Authorization": "${TOKEN}"}`, gone: [TOKEN] },
  {
    name: 'legacy unit inline token',
    input: `[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN=${TOKEN}\nUser=oc`,
    gone: [TOKEN],
    kept: ['Environment=OPENCLAW_GATEWAY_TOKEN=', 'User=oc'],
  },
  { name: 'quoted env value', input: `export ANTHROPIC_API_KEY="sk-ant-${TOKEN}"`, gone: [TOKEN] },
  { name: 'password= with a short human password', input: `mysql --opts password=${PASS} db`, gone: [PASS] },
  {
    name: 'JSON: secret in an unknown key',
    input: `{"plugins":{"x":{"webhookUrl":"${HOOK}","clientSecret":"${PASS}"}}}`,
    gone: [HOOK, PASS],
  },
  {
    name: 'PEM private key, multi-line',
    input: 'a\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQUJDREVGR0g=\n' +
      '-----END OPENSSH PRIVATE KEY-----\nz',
    gone: ['b3BlbnNzaC1rZXktdjEAAAAA', 'QUJDREVGR0g='],
    kept: ['a\n', '\nz'],
  },
  {
    name: 'multi-line env file',
    input: `A=1\nOPENCLAW_GATEWAY_TOKEN=${TOKEN}\nPATH=/usr/bin:/bin\nDB_PASSWORD='${PASS}'\n`,
    gone: [TOKEN, PASS],
    kept: ['A=1', 'PATH=/usr/bin:/bin'],
  },
  {
    name: 'YAML: a key with its value on the next lines is not a value',
    input: 'password:\n    file: /etc/clawops/restic-password\ntoken:\n  env: GW_TOKEN',
    gone: [],
  },
  {
    name: 'references, paths and prose stay',
    input: 'gateway.auth.token = ${OPENCLAW_GATEWAY_TOKEN}; backup.password: {file: /etc/clawops/restic-password}; ' +
      'token mismatch; password=*** Token expired',
    gone: [],
    kept: [
      '${OPENCLAW_GATEWAY_TOKEN}', '{file: /etc/clawops/restic-password}',
      'token mismatch', 'password=***', 'Token expired',
    ],
  },
];

describe('redact: by value and by shape', () => {
  afterEach(forgetSecrets);
  for (const c of cases) {
    it(c.name, () => {
      for (const s of c.register ?? []) registerSecret(s);
      const out = redact(c.input);
      for (const g of c.gone) assert.ok(!out.includes(g), `${g} survived in: ${out}`);
      for (const k of c.kept ?? []) assert.ok(out.includes(k), `${k} was lost in: ${out}`);
      if (c.gone.length === 0 && !c.register) assert.equal(out, c.input);
      // idempotent: redacting the output again changes nothing
      assert.equal(redact(out), out);
    });
  }

  it('registered values: [REDACTED] in views, descriptors (same value, same descriptor) in dumps', () => {
    registerSecret(TOKEN);
    assert.equal(redact(`x ${TOKEN}`), `x ${REDACTED}`);
    const a = redact(TOKEN, { describe: true });
    assert.ok(a.startsWith(SECRET_PREFIX) && a.includes(`len=${TOKEN.length}`), a);
    assert.equal(redact(`${TOKEN}`, { describe: true }), a);
  });

  it('a shape-detected value is registered: later text holding it alone is redacted too', () => {
    redact(`Authorization: Bearer ${TOKEN}`);
    assert.equal(redact(`echo ${TOKEN}`), `echo ${REDACTED}`);
  });

  it('redactValue: secret-named keys and nested strings', () => {
    const out = JSON.stringify(redactValue({ ok: true, alert: { webhookUrl: HOOK }, lines: [`token=${TOKEN}`], n: 3 }));
    for (const g of [HOOK, TOKEN]) assert.ok(!out.includes(g), out);
    assert.match(out, /"ok":true/);
  });

  it('redactStructured: allow-listed fields stay raw, secret keys become descriptors whatever they hold', () => {
    registerSecret(PASS);
    const rec = redactStructured(
      {
        host: 'bench-1', snapshotId: 'f00dfeedf00dfeedf00dfeed', note: `pw ${PASS}`, extra: { apiKey: 'short' },
        error: `GET ${HOOK}?token=${TOKEN}`,
      },
      ['host', 'snapshotId', 'note'],
    );
    assert.equal(rec.host, 'bench-1');
    assert.equal(rec.snapshotId, 'f00dfeedf00dfeedf00dfeed');
    assert.ok(rec.note.startsWith('pw <secret len='), rec.note);
    assert.ok(rec.extra.apiKey.startsWith(SECRET_PREFIX));
    assert.ok(!rec.error.includes(TOKEN), rec.error);
  });

  it('safeUrl: userinfo removed, secret query values described', () => {
    const table: [string, string | RegExp][] = [
      [`rest:https://backup:${PASS}@rest.example:8000/repo`, 'rest:https://rest.example:8000/repo'],
      ['sftp:restic@backup.example:/srv/restic', 'sftp:backup.example:/srv/restic'],
      ['sftp://restic@backup.example//srv/restic', 'sftp://backup.example//srv/restic'],
      ['s3:https://s3.example/bucket/path', 's3:https://s3.example/bucket/path'],
      ['/var/backups/clawops-restic', '/var/backups/clawops-restic'],
      [
        `s3:https://s3.example/b?X-Amz-Credential=${TOKEN}`,
        /^s3:https:\/\/s3\.example\/b\?X-Amz-Credential=<secret len=64 fp=[0-9a-f]{8}>$/,
      ],
    ];
    for (const [input, want] of table) {
      if (typeof want === 'string') assert.equal(safeUrl(input), want);
      else assert.match(safeUrl(input), want);
    }
  });
});
