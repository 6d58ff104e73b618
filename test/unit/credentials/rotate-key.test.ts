/**
 * `clawops rotate key` over an in-memory host: the staged rotation of a file reference (new value
 * in place, old kept until verified, then gone and the time recorded), resumption after a kill at
 * each step, the rollback when the Bot API refuses the new token, and credentials.age over the record.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec } from '../../../src/desired/parse.ts';
import type { ResolvedSpec } from '../../../src/desired/resolve.ts';
import { rotateKey, keptOld, stagedNew, rotatableKey } from '../../../src/credentials/rotate-key.ts';
import { credentialsRecordPath, parseCredentialRecord } from '../../../src/credentials/record.ts';
import { credentialsOf } from '../../../src/credentials/inventory.ts';
import { credentialAge } from '../../../src/checks/credentials.ts';
import { findCheck } from '../../../src/checks/catalogue.ts';
import { fileStat, textFile } from '../../../src/facts/system.ts';
import { factReader } from '../../../src/facts/collect.ts';
import { ref, type Raw } from '../../../src/facts/types.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';

const TOKEN_FILE = '/etc/clawops/telegram-token';
const KEY_FILE = '/etc/clawops/standin-key';
const OLD = '123456:AAoldoldoldoldoldoldoldoldoldoldold';
const NEW = '123456:AAnewnewnewnewnewnewnewnewnewnewnew';

function spec(): ResolvedSpec {
  const r = parseSpec(`openclaw: {version: "2026.9.6"}
providers:
  standin: {baseUrl: "http://127.0.0.1:9/v1", apiKey: {file: ${KEY_FILE}}, models: [{id: m1}]}
channels:
  enabled: [telegram]
  telegram: {botToken: {file: ${TOKEN_FILE}}, apiRoot: "http://127.0.0.1:8081"}
`);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
}

/** A host whose gateway is stopped (no restart, no health probe), with mv/rm/grep acting on the recorder's files. */
function host(opts: { getMe?: (url: string) => boolean } = {}): RecorderExecutor {
  const ex = new RecorderExecutor();
  ex.addFile(TOKEN_FILE, `${OLD}\n`, { mode: 0o600 }).addFile(KEY_FILE, 'sk-key-one-1234567890\n', { mode: 0o600 });
  ex.addDir('/var/lib/clawops', { mode: 0o700 });
  ex.on(['systemctl', 'is-active'], { exitCode: 3 });
  ex.on(['mkdir', '-p', '-m', '0700', '--'], {});
  ex.on(['mv', '-f', '--'], (argv) => {
    const f = ex.files.get(argv[3]!);
    if (!f) return { exitCode: 1, stderr: 'mv: no such file' };
    ex.files.set(argv[4]!, f);
    ex.files.delete(argv[3]!);
    return {};
  });
  ex.on(['rm', '-f', '--'], (argv) => (ex.files.delete(argv[3]!), {}));
  ex.on(['grep', '-rlF'], { exitCode: 1 });
  ex.on(['curl'], (_argv, o) => (opts.getMe ?? (() => true))(String(o.stdin)) ? {} : { exitCode: 22, stderr: 'curl: (22) The requested URL returned error: 401' });
  return ex;
}

const envOf = (ex: RecorderExecutor) => ex.text('/home/openclaw-svc/.openclaw/.env') ?? '';

describe('rotate key', () => {
  it('names what it can rotate, and refuses an unknown id', () => {
    assert.deepEqual(credentialsOf(spec()).map((c) => `${c.id} ${c.intervalDays}`), ['gateway-token:openclaw 90', 'provider:standin 90', 'channel:telegram 0']);
    assert.throws(() => rotatableKey(spec(), 'provider:nope'), /no provider key or bot token "provider:nope".*/);
    assert.throws(() => rotatableKey(spec(), 'gateway-token:openclaw'), /rotate gateway-token/);
  });

  it('a bot token: staged, written to .env, proven by getMe, the old copy removed, the time recorded', async () => {
    const ex = host();
    const r = await rotateKey(ex, spec(), 'channel:telegram', { newValue: NEW, env: {} });
    assert.equal(ex.text(TOKEN_FILE), `${NEW}\n`);
    assert.equal(ex.files.get(TOKEN_FILE)?.stat.mode, 0o600);
    assert.match(envOf(ex), new RegExp(`^TELEGRAM_BOT_TOKEN=${NEW}$`, 'm'));
    assert.doesNotMatch(envOf(ex), new RegExp(OLD));
    assert.equal(ex.files.has(keptOld(TOKEN_FILE)), false);
    assert.equal(ex.files.has(stagedNew(TOKEN_FILE)), false);
    assert.match(r.verified, /getMe/);
    const getMe = ex.calls.find((c) => c.argv?.[0] === 'curl');
    assert.ok(getMe && !getMe.argv!.join(' ').includes(NEW), 'the token is never in argv');
    const rec = parseCredentialRecord(ex.text(credentialsRecordPath('/var/lib/clawops')) ?? null);
    assert.equal(rec['channel:telegram']?.how, 'rotate');
    assert.equal(ex.files.get(credentialsRecordPath('/var/lib/clawops'))?.stat.mode, 0o600);
    assert.doesNotMatch(ex.text(credentialsRecordPath('/var/lib/clawops'))!, /AA(old|new)/);
  });

  it('refused by the Bot API: the old token is back in the file and .env, the error says so', async () => {
    const ex = host({ getMe: (cfg) => !cfg.includes(NEW) });
    await assert.rejects(rotateKey(ex, spec(), 'channel:telegram', { newValue: NEW, env: {} }), /did not work, the old one is back in place: the Bot API refused/);
    assert.equal(ex.text(TOKEN_FILE), `${OLD}\n`);
    assert.match(envOf(ex), new RegExp(`^TELEGRAM_BOT_TOKEN=${OLD}$`, 'm'));
    assert.equal(ex.files.has(keptOld(TOKEN_FILE)), false);
    assert.equal(parseCredentialRecord(ex.text(credentialsRecordPath('/var/lib/clawops')) ?? null)['channel:telegram'], undefined);
  });

  it('killed after staging, or after the rename: a run without a new value converges, the old value still the one kept', async () => {
    for (const stopAt of ['staged', 'renamed'] as const) {
      const ex = host();
      if (stopAt === 'staged') ex.addFile(stagedNew(TOKEN_FILE), `${NEW}\n`, { mode: 0o600 });
      else ex.addFile(keptOld(TOKEN_FILE), `${OLD}\n`, { mode: 0o600 }).addFile(TOKEN_FILE, `${NEW}\n`, { mode: 0o600 });
      const r = await rotateKey(ex, spec(), 'channel:telegram', { env: {} });
      assert.equal(r.resumed, true, stopAt);
      assert.equal(ex.text(TOKEN_FILE), `${NEW}\n`, stopAt);
      assert.match(envOf(ex), new RegExp(`TELEGRAM_BOT_TOKEN=${NEW}`), stopAt);
      assert.equal(ex.files.has(keptOld(TOKEN_FILE)), false, stopAt);
    }
    await assert.rejects(rotateKey(host(), spec(), 'channel:telegram', { env: {} }), /no new value for \/etc\/clawops\/telegram-token/);
  });

  it('an env reference takes its new value from the environment, never from --from-*', async () => {
    const r = parseSpec('providers: {p: {baseUrl: "http://127.0.0.1:9/v1", apiKey: {env: P_KEY}, models: [{id: m}]}}\n');
    assert.ok(r.ok);
    const ex = host();
    await assert.rejects(rotateKey(ex, r.spec, 'provider:p', { newValue: 'sk-x-1234567890abcdef', env: {} }), /read from the variable P_KEY, not a file/);
    const out = await rotateKey(ex, r.spec, 'provider:p', { env: { P_KEY: 'sk-new-1234567890abcdef' } });
    assert.match(out.verified, /not proven by a turn: the primary model \(unset\)/);
    assert.match(envOf(ex), /^P_API_KEY=sk-new-1234567890abcdef$/m);
  });
});

describe('credentials.age', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const day = 86_400_000;
  const stat = (mtimeMs: number): Raw => ({ t: 'cmd', exitCode: 0, stdout: `regular file|600|0|0|root|root|10|${Math.floor(mtimeMs / 1000)}\n`, stderr: '', timedOut: false, durationMs: 1 });
  const facts = (record: string | null, mtimes: Record<string, number>) => {
    const raws: Record<string, Raw> = { [ref(textFile, '/var/lib/clawops/credentials.json').key]: { t: 'file', content: record, durationMs: 1 } };
    for (const [p, m] of Object.entries(mtimes)) raws[ref(fileStat, p).key] = stat(m);
    return factReader(new Map(Object.entries(raws)));
  };
  const check = findCheck('credentials.age')!;
  const s = spec();
  const ctx = { spec: s, inst: s.resolved[0]!, now, waivedAuditIds: [], waiverProblems: [] };
  const envFile = s.resolved[0]!.envFile;

  it('fails past the interval with the exact rotate command; a recorded rotation is the basis over file times', () => {
    const old = facts(null, { [envFile]: now.getTime() - 120 * day, [KEY_FILE]: now.getTime() - 10 * day, [TOKEN_FILE]: now.getTime() - 400 * day });
    const v = check.evaluate(old, ctx);
    assert.equal(v.status, 'fail');
    assert.match(v.evidence, /gateway-token:openclaw 120 d of 90 \(no rotation on record; .* unchanged since/);
    assert.doesNotMatch(v.evidence, /channel:telegram/, 'bot tokens: on compromise only by default');
    assert.equal(v.remediation, 'clawops rotate gateway-token --instance openclaw');
    const rec = JSON.stringify({ schemaVersion: 1, credentials: { 'gateway-token:openclaw': { at: new Date(now.getTime() - 5 * day).toISOString(), how: 'rotate' } } });
    const fresh = check.evaluate(facts(rec, { [envFile]: now.getTime() - 120 * day, [KEY_FILE]: now.getTime() - 10 * day }), ctx);
    assert.equal(fresh.status, 'pass', fresh.evidence);
    assert.match(fresh.evidence, /gateway-token:openclaw 5 d of 90 \(rotated /);
  });

  it('a provider key past its interval names its rotate command; an unreadable file is no verdict on it', () => {
    const c = credentialsOf(s).find((x) => x.id === 'provider:standin')!;
    const a = credentialAge(c, {}, facts(null, { [KEY_FILE]: now.getTime() - 91 * day }), now);
    assert.equal(a.overdue, true);
    assert.equal(c.rotate, `clawops rotate key provider:standin --from-file NEW_VALUE_FILE`);
    const u = credentialAge(c, {}, factReader(new Map([[ref(fileStat, KEY_FILE).key, { t: 'error', message: 'permission denied', durationMs: 1 } as Raw]])), now);
    assert.equal(u.days, null);
    assert.equal(u.overdue, false);
  });
});
