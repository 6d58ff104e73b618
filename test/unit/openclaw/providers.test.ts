/** Model providers: spec rules, config keys per version, the key copy in ~/.openclaw/.env, the gate's check, and the smoke test's pure parts. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { evaluateRun, planRun } from '../../../src/checks/run.ts';
import { parseSpec } from '../../../src/desired/parse.ts';
import type { ResolvedSpec } from '../../../src/desired/resolve.ts';
import { configPath } from '../../../src/openclaw/paths.ts';
import { envFile, openclawConfig } from '../../../src/facts/openclaw.ts';
import { describeSecret, secretSource } from '../../../src/facts/secrets.ts';
import { fileStat, textFile } from '../../../src/facts/system.ts';
import { ref } from '../../../src/facts/types.ts';
import { envTextWith } from '../../../src/core/env-file.ts';
import { dotEnvPath, envSecretsResource } from '../../../src/openclaw/env-secrets.ts';
import { channelAccountKeys, providerConfigKeys, providerKeyVar } from '../../../src/openclaw/providers.ts';
import { noExecReason, parseAgentAnswer, sandboxProblems, toolPrompt } from '../../../src/openclaw/smoke.ts';
import { approvalsPath, checkCode, parsePairingList } from '../../../src/openclaw/dm-pairing.ts';
import { usageRef } from '../../../src/checks/cost.ts';
import { costStopLine, parseCostStops } from '../../../src/openclaw/cost-stop.ts';
import { desiredConfigKeys } from '../../../src/openclaw/config-keys.ts';
import { factsOf } from '../../helpers/facts.ts';
import { hardenedConfig, hardenedRaw, hardenedSpec, NOW } from '../checks/hardened-facts.ts';

const PROVIDER = `providers:
  standin:
    baseUrl: http://127.0.0.1:18555/v1
    apiKey: {file: /etc/clawops/standin-key}
    models: [{id: standin-1, name: Stand-in 1}]
model: {primary: standin/standin-1}
`;
const specOf = (yaml: string): ResolvedSpec => {
  const r = parseSpec(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
};
const problems = (yaml: string): string[] => {
  const r = parseSpec(yaml);
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
};

describe('providers in the spec', () => {
  it('a model ref must name a model its custom provider lists', () => {
    assert.deepEqual(problems(`${PROVIDER.replace('primary: standin/standin-1', 'primary: standin/other')}`).length, 1);
    assert.match(problems(PROVIDER.replace('primary: standin/standin-1', 'primary: standin/other'))[0]!, /model\.primary: provider standin lists no model other \(it has: standin-1\)/);
    assert.deepEqual(problems(PROVIDER), []);
    assert.deepEqual(problems('model: {primary: anthropic/claude-opus}'), [], 'a built-in provider is OpenClaw\'s to know');
  });

  it('a literal key gets the reference form; a key inside the URL is refused without repeating it', () => {
    const lit = problems(PROVIDER.replace('{file: /etc/clawops/standin-key}', 'sk-live-abcdef0123456789'));
    assert.equal(lit.length, 1);
    assert.match(lit[0]!, /providers\.standin\.apiKey: a secret is never written in the spec, only where to find it/);
    assert.doesNotMatch(lit.join(''), /sk-live/);
    const url = problems(PROVIDER.replace('http://127.0.0.1:18555/v1', 'https://user:sk-live-abcdef@llm.example.net/v1'));
    assert.match(url.join(''), /providers\.standin\.baseUrl: a URL with credentials in it/);
    assert.doesNotMatch(url.join(''), /sk-live/);
  });
});

describe('provider config keys', () => {
  it('9.x refers to the key by SecretRef, 2.x by ${VAR}; every model field explicit; the primary model', () => {
    const nine = Object.fromEntries(providerConfigKeys(specOf(PROVIDER), '2026.9.6').map((k) => [k.path.join('.'), k.value]));
    assert.deepEqual(nine['models.providers.standin.apiKey'], { source: 'env', provider: 'default', id: 'STANDIN_API_KEY' });
    assert.equal(nine['models.mode'], 'merge');
    assert.equal(nine['models.providers.standin.api'], 'openai-completions');
    assert.deepEqual(nine['models.providers.standin.models'], [{ id: 'standin-1', name: 'Stand-in 1', reasoning: false, input: ['text'], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128000, maxTokens: 4096 }]);
    assert.equal(nine['agents.defaults.model.primary'], 'standin/standin-1');
    const two = Object.fromEntries(providerConfigKeys(specOf(`openclaw: {version: "2026.2.9"}\n${PROVIDER}`), '2026.2.9').map((k) => [k.path.join('.'), k.value]));
    assert.equal(two['models.providers.standin.apiKey'], '${STANDIN_API_KEY}');
    assert.deepEqual(providerConfigKeys(specOf(''), '2026.9.6'), [], 'no providers, no model: nothing managed');
    assert.equal(providerKeyVar('my-llm'), 'MY_LLM_API_KEY');
    const priced = providerConfigKeys(specOf(PROVIDER.replace('name: Stand-in 1}', 'name: Stand-in 1, cost: {input: 3, output: 15}}')), '2026.9.6').find((k) => k.path.join('.') === 'models.providers.standin.models');
    assert.deepEqual((priced?.value as { cost: unknown }[])[0]!.cost, { input: 3, output: 15, cacheRead: 0, cacheWrite: 0 }, "prices reach OpenClaw's usage-cost estimates");
  });
});

describe('the key copy in ~/.openclaw/.env', () => {
  const spec = specOf(PROVIDER);
  const inst = spec.resolved[0]!;
  const src = ref(secretSource, 'file:/etc/clawops/standin-key');
  const key = 'k'.repeat(40);
  const facts = (held: string | undefined, mode = 0o600, source: unknown = { missing: false, descriptor: describeSecret(key) }) => factsOf([
    [ref(envFile, dotEnvPath(inst)), held === undefined ? { missing: true } : { missing: false, vars: { OTHER: 'x', STANDIN_API_KEY: held } }],
    [ref(fileStat, dotEnvPath(inst)), held === undefined ? { missing: true } : { type: 'regular file', mode, owner: inst.user, group: inst.user }],
    [src, source],
  ]);
  const r = envSecretsResource(spec, inst, [])!;

  it('plans a write when the key is missing or not the reference\'s value, none when it is; values never in the plan', () => {
    const missing = r.plan(facts(undefined));
    assert.ok('changes' in missing);
    assert.match(missing.changes[0]!.summary, /set STANDIN_API_KEY from its reference \(values not shown\)/);
    assert.ok('noop' in r.plan(facts(describeSecret(key))));
    const stale = r.plan(facts(describeSecret('old'.repeat(10))));
    assert.ok('changes' in stale && /STANDIN_API_KEY/.test(stale.changes[0]!.summary));
    const loose = r.plan(facts(describeSecret(key), 0o644));
    assert.ok('changes' in loose && /0600/.test(loose.changes[0]!.summary));
    assert.doesNotMatch(JSON.stringify([missing, stale, loose]), new RegExp(key));
    // a reference that cannot be read here: written when absent, left alone when present (the apply says why)
    assert.ok('noop' in r.plan(facts(describeSecret('anything-else-here'), 0o600, { unknown: 'denied' })));
    assert.ok('changes' in r.plan(facts(undefined, 0o600, { missing: true })));
    assert.equal(envSecretsResource(specOf(''), specOf('').resolved[0]!, []), undefined);
  });

  it('writes the variables and keeps every other line', () => {
    assert.equal(envTextWith('A=1\nSTANDIN_API_KEY=old\n# note\n', { STANDIN_API_KEY: 'new' }), 'A=1\n# note\nSTANDIN_API_KEY=new\n');
    assert.equal(envTextWith('', { X_API_KEY: 'v' }), 'X_API_KEY=v\n');
  });
});

describe('check openclaw.config.providers', () => {
  const key = 'k'.repeat(40);
  const run = (mutate: (c: Record<string, any>) => void, held: string | null = describeSecret(key), yaml = PROVIDER) => {
    const spec = hardenedSpec(yaml);
    const inst = spec.resolved[0]!;
    const raw = hardenedRaw(spec, '2026.9.6', 'go-live');
    const c = hardenedConfig('2026.9.6') as Record<string, any>;
    c.models = { mode: 'merge', providers: { standin: { baseUrl: 'http://127.0.0.1:18555/v1', api: 'openai-completions', apiKey: { source: 'env', provider: 'default', id: 'STANDIN_API_KEY' }, models: [{ id: 'standin-1' }] } } };
    c.agents.defaults.model.primary = 'standin/standin-1';
    mutate(c);
    raw.set(ref(openclawConfig, configPath(inst)).key, { t: 'file', content: JSON.stringify(c), durationMs: 1 });
    raw.set(ref(envFile, dotEnvPath(inst)).key, { t: 'file', content: held === null ? null : `STANDIN_API_KEY=${held}\n`, durationMs: 1 });
    raw.set(ref(secretSource, 'file:/etc/clawops/standin-key').key, { t: 'file', content: describeSecret(key), durationMs: 1 });
    const [r] = evaluateRun(planRun({ spec, profile: 'go-live', now: NOW, only: ['openclaw.config.providers'] }), raw);
    return r!;
  };

  it('passes when configured as the spec says with the current key', () => {
    const r = run(() => {});
    assert.equal(r.status, 'pass', r.evidence);
    assert.match(r.evidence, /providers standin; primary "standin\/standin-1"/);
  });

  it('fails on a literal key, a missing provider, a stale copy, a missing copy and another primary model', () => {
    assert.match(run((c) => { c.models.providers.standin.apiKey = describeSecret('sk-literal-0123456789'); }).evidence, /apiKey is a literal secret in openclaw.json/);
    assert.match(run((c) => { delete c.models; }).evidence, /models\.providers\.standin is not configured/);
    assert.match(run(() => {}, describeSecret('rotated-away-0123456789')).evidence, /STANDIN_API_KEY in .*\.env is not the current value of its reference/);
    assert.match(run(() => {}, null).evidence, /\.env does not define STANDIN_API_KEY/);
    assert.match(run((c) => { c.agents.defaults.model.primary = 'anthropic/claude'; }).evidence, /primary = "anthropic\/claude" \(want standin\/standin-1\)/);
    for (const r of [run((c) => { delete c.models; }), run(() => {}, null)]) assert.equal(r.status, 'fail');
  });

  it('a literal provider key fails even when the spec names no provider; otherwise skipped', () => {
    const lit = run((c) => { c.models.providers.standin.apiKey = describeSecret('sk-literal-0123456789'); delete c.agents.defaults.model.primary; }, null, '');
    assert.equal(lit.status, 'fail');
    assert.equal(run((c) => { delete c.models; delete c.agents.defaults.model.primary; }, null, '').status, 'skipped');
  });
});

describe('smoke: pure parts', () => {
  it('reads the gateway-backed and the exec envelopes of `openclaw agent --json`', () => {
    const a = parseAgentAnswer(JSON.stringify({ payloads: [{ text: 'STANDIN-REPLY: hello' }], meta: { durationMs: 900, agentMeta: { provider: 'standin', model: 'standin-1' }, toolSummary: { calls: 1 } } }), 0);
    assert.deepEqual(a, { ok: true, text: 'STANDIN-REPLY: hello', toolCalls: 1, model: 'standin/standin-1' });
    assert.equal(parseAgentAnswer(JSON.stringify({ ok: true, status: 'ok', final: 'done', payloads: [{ text: 'done' }] }), 0).text, 'done');
    const failed = parseAgentAnswer(JSON.stringify({ ok: false, error: { type: 'cli_error', message: 'gateway closed the connection' } }), 1);
    assert.equal(failed.ok, false);
    assert.equal(failed.error, 'gateway closed the connection');
    assert.equal(parseAgentAnswer(JSON.stringify({ status: 'timeout', payloads: [] }), 2).ok, false);
    assert.deepEqual(parseAgentAnswer('not json', 1), { ok: false, text: '', error: 'exit 1: no JSON answer' });
  });

  it('the tool step wants the sha256 of the nonce, which the prompt does not contain', () => {
    const p = toolPrompt('0123abcd');
    assert.equal(p.expect, createHash('sha256').update('0123abcd').digest('hex'));
    assert.ok(!p.message.includes(p.expect));
    assert.match(p.message, /`printf %s 0123abcd \| sha256sum`/);
  });

  it('follows the spec\'s tool policy: no exec tool, no tool or sandbox step (never loosened for the test)', () => {
    assert.match(noExecReason(specOf(''))!, /tools\.profile messaging offers no exec tool/);
    assert.equal(noExecReason(specOf('tools: {profile: coding}')), undefined);
    assert.match(noExecReason(specOf('tools: {profile: full, deny: [gateway, group:runtime]}'))!, /tools\.deny holds group:runtime/);
  });

  it("judges a sandbox container against the spec's sandbox", () => {
    const spec = specOf('');
    const good = { HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'] }, Mounts: [{ Destination: '/workspace', RW: false }, { Destination: '/agent', RW: false }] };
    assert.deepEqual(sandboxProblems(spec, good), []);
    assert.deepEqual(sandboxProblems(spec, { ...good, HostConfig: { ...good.HostConfig, NetworkMode: 'bridge' } }), ['network bridge (spec: none)']);
    assert.deepEqual(sandboxProblems(spec, { HostConfig: { NetworkMode: 'none', ReadonlyRootfs: false, CapDrop: null }, Mounts: [{ Destination: '/workspace', RW: true }] }), [
      'root filesystem writable (spec: read-only)', 'capabilities not dropped', 'writable /workspace (spec: workspace read-only)',
    ]);
    assert.deepEqual(sandboxProblems(specOf('sandbox: {network: bridge}'), { ...good, HostConfig: { ...good.HostConfig, NetworkMode: 'bridge' } }), [], "the spec's own policy, not a stricter one");
  });
});

const TELEGRAM = 'channels: {telegram: {botToken: {file: /etc/clawops/tg}, apiRoot: "http://127.0.0.1:18666"}}\n';

describe('channel accounts', () => {
  it('a configured telegram account: enabled, the token by reference, its policies applied', () => {
    const spec = specOf(TELEGRAM);
    const keys = Object.fromEntries(desiredConfigKeys(spec, spec.resolved[0]!, '2026.9.6').map((k) => [k.path.join('.'), k.value]));
    assert.equal(keys['channels.telegram.enabled'], true);
    assert.equal(keys['plugins.entries.telegram.enabled'], true, 'the channel plugin, as phase 4 enables it');
    assert.match(problems(`${TELEGRAM}plugins: {disable: [telegram]}\n`).join(''), /configures a bot whose plugin this disables/);
    assert.deepEqual(keys['channels.telegram.botToken'], { source: 'env', provider: 'default', id: 'TELEGRAM_BOT_TOKEN' });
    assert.equal(keys['channels.telegram.apiRoot'], 'http://127.0.0.1:18666');
    assert.equal(keys['channels.telegram.dmPolicy'], 'pairing', 'the spec policy holds for a configured account without listing it in enabled');
    const two = specOf('openclaw: {version: "2026.2.9"}\nchannels: {telegram: {botToken: {file: /etc/clawops/tg}}}\n');
    assert.equal(channelAccountKeys(two, '2026.2.9').find((k) => k.path.join('.') === 'channels.telegram.botToken')?.value, '${TELEGRAM_BOT_TOKEN}');
    assert.match(problems(`openclaw: {version: "2026.2.9"}\n${TELEGRAM}`).join(''), /channels\.telegram\.apiRoot: OpenClaw 2026\.2\.9 has no channels\.telegram\.apiRoot/);
    assert.match(problems('channels: {telegram: {botToken: "123:AAliteral"}}').join(''), /channels\.telegram\.botToken: a secret is never written in the spec/);
  });

  it('check openclaw.config.channel-accounts: passes with the reference and the current copy, fails on a literal or a missing copy', () => {
    const run = (token: unknown, held: string | null) => {
      const spec = hardenedSpec(TELEGRAM);
      const inst = spec.resolved[0]!;
      const raw = hardenedRaw(spec, '2026.9.6', 'go-live');
      const c = hardenedConfig('2026.9.6') as Record<string, any>;
      c.channels.telegram = { ...c.channels.telegram, enabled: true, apiRoot: 'http://127.0.0.1:18666', botToken: token };
      c.plugins = { entries: { telegram: { enabled: true } } };
      raw.set(ref(openclawConfig, configPath(inst)).key, { t: 'file', content: JSON.stringify(c), durationMs: 1 });
      raw.set(ref(envFile, dotEnvPath(inst)).key, { t: 'file', content: held === null ? null : `TELEGRAM_BOT_TOKEN=${held}\n`, durationMs: 1 });
      raw.set(ref(secretSource, 'file:/etc/clawops/tg').key, { t: 'file', content: describeSecret('123:AA' + 'x'.repeat(30)), durationMs: 1 });
      return evaluateRun(planRun({ spec, profile: 'go-live', now: NOW, only: ['openclaw.config.channel-accounts'] }), raw)[0]!;
    };
    const refValue = { source: 'env', provider: 'default', id: 'TELEGRAM_BOT_TOKEN' };
    assert.equal(run(refValue, describeSecret('123:AA' + 'x'.repeat(30))).status, 'pass');
    const lit = run(describeSecret('123:AAliteral0123456789'), null);
    assert.equal(lit.status, 'fail');
    assert.match(lit.evidence, /channels\.telegram\.botToken is a literal secret in openclaw\.json/);
    assert.match(run(refValue, null).evidence, /does not define TELEGRAM_BOT_TOKEN/);
    assert.match(run(refValue, describeSecret('123:AAold-old-old-old-old')).evidence, /not the current value of its reference/);
  });
});

describe('pairing list', () => {
  it("reads OpenClaw's {channel, requests} envelope; the sender id from meta.senderId", () => {
    const out = JSON.stringify({ channel: 'telegram', requests: [{ id: 'req-1', code: 'ABCD2345', createdAt: '2026-12-03T10:00:00Z', meta: { senderId: '4242', username: 'alice' } }, { code: 'EFGH6789', id: '77' }, { nothing: true }] });
    assert.deepEqual(parsePairingList(out), [
      { code: 'ABCD2345', id: '4242', username: 'alice', createdAt: '2026-12-03T10:00:00Z' },
      { code: 'EFGH6789', id: '77' },
    ]);
    assert.deepEqual(parsePairingList('{"channel":"telegram","requests":[]}'), []);
    assert.throws(() => parsePairingList('No chat DM pairing channels are configured.'), /printed no JSON/);
    assert.throws(() => checkCode('telegram', 'bad code!'), /"bad code!" is not a pairing code/);
    assert.throws(() => checkCode('../x', 'ABCD2345'), /is not a channel id/);
    assert.doesNotThrow(() => checkCode('telegram', 'ABCD2345'));
  });
});

describe('the cost guard', () => {
  const usage = (daily: { date: string; totalCost: number }[], missing = 0) => JSON.stringify({ updatedAt: 1, days: 31, daily: daily.map((d) => ({ ...d, totalTokens: 15 })), totals: { totalCost: 0, totalTokens: 0, missingCostEntries: missing }, cacheStatus: {} });
  const run = (yaml: string, out: string, exitCode = 0) => {
    const spec = hardenedSpec(yaml);
    const raw = hardenedRaw(spec, '2026.9.6', 'go-live');
    raw.set(usageRef({ spec, inst: spec.resolved[0]!, now: NOW } as never).key, { t: 'cmd', exitCode, stdout: out, stderr: exitCode ? 'gateway closed (1006)' : '', timedOut: false, durationMs: 1 });
    return evaluateRun(planRun({ spec, profile: 'go-live', now: NOW, only: ['cost.budget'] }), raw)[0]!;
  };
  const today = NOW.toISOString().slice(0, 10);

  it('within budget passes; over the daily or the monthly budget fails, naming both figures', () => {
    const days = [{ date: '2026-11-01', totalCost: 30 }, { date: today, totalCost: 2.5 }];
    const ok = run('cost: {dailyUSD: 5, monthlyUSD: 100}', usage(days));
    assert.equal(ok.status, 'pass');
    assert.equal(ok.evidence, 'today $2.50 of $5.00, this month $32.50 of $100.00');
    const daily = run('cost: {dailyUSD: 2}', usage(days));
    assert.equal(daily.status, 'fail');
    assert.match(daily.evidence, /over budget: today \$2\.50 > \$2\.00 a day/);
    assert.match(run('cost: {monthlyUSD: 20, stop: true}', usage(days)).evidence, /this month \$32\.50 > \$20\.00 \(cost\.stop: the check timers stop the gateway\)/);
    assert.match(run('cost: {dailyUSD: 5}', usage(days, 3)).evidence, /3 call\(s\) not priced/);
  });

  it('no budget: skipped without running OpenClaw; a usage it cannot read is unknown with the reason', () => {
    assert.equal(run('', usage([])).status, 'skipped');
    const u = run('cost: {dailyUSD: 5}', '', 1);
    assert.equal(u.status, 'unknown');
    assert.match(u.evidence, /usage-cost failed \(exit 1\): gateway closed/);
  });

  it('the stop record reads back; a broken one is none', () => {
    const s = { instance: 'openclaw', unit: 'openclaw.service', at: '2026-12-03T10:00:00Z', why: 'over budget: today $9.00 > $5.00 a day' };
    assert.deepEqual(parseCostStops(JSON.stringify([s, { nope: 1 }])), [s]);
    assert.deepEqual(parseCostStops('{'), []);
    assert.match(costStopLine(s), /^openclaw\.service STOPPED by the cost guard at 2026-12-03T10:00:00Z: over budget.*systemctl start openclaw\.service\)$/);
  });
});

describe('approved senders in the gate', () => {
  const run = (yaml: string, approvals: unknown[] | null, ids: string[]) => {
    const spec = hardenedSpec(yaml);
    const inst = spec.resolved[0]!;
    const raw = hardenedRaw(spec, '2026.9.6', 'go-live');
    raw.set(ref(textFile, approvalsPath(spec, inst)).key, { t: 'file', content: approvals === null ? null : JSON.stringify(approvals), durationMs: 1 });
    return Object.fromEntries(evaluateRun(planRun({ spec, profile: 'go-live', now: NOW, only: ids }), raw).map((r) => [r.id, r]));
  };
  const alice = { channel: 'telegram', id: '4242', approvedAt: '2026-12-03T10:00:00Z' };

  it('access.channel.paired passes once a sender of each configured channel was approved through clawops', () => {
    const r = run('', [alice], ['access.channel.paired'])['access.channel.paired']!;
    assert.equal(r.status, 'pass');
    assert.equal(r.evidence, 'telegram: 4242 approved');
    assert.equal(run('', null, ['access.channel.paired'])['access.channel.paired']!.status, 'unknown');
  });

  it('access.elevated-approved: elevated tools only for approved senders', () => {
    const yaml = 'tools: {elevated: {enabled: true, allowFrom: {telegram: ["4242"]}}}';
    assert.equal(run(yaml, [alice], ['access.elevated-approved'])['access.elevated-approved']!.status, 'pass');
    const stranger = run(yaml, [{ ...alice, id: '777' }], ['access.elevated-approved'])['access.elevated-approved']!;
    assert.equal(stranger.status, 'fail');
    assert.match(stranger.evidence, /names senders nobody approved: telegram:4242/);
    assert.equal(run('', [], ['access.elevated-approved'])['access.elevated-approved']!.status, 'skipped');
  });
});

describe('plugins on and off', () => {
  it('become plugins.entries.<id>.enabled; one id in both lists is refused; the check reads them back', () => {
    const spec = specOf('plugins: {enable: [diagnostics-prometheus], disable: [webhooks]}');
    const keys = Object.fromEntries(desiredConfigKeys(spec, spec.resolved[0]!, '2026.9.6').map((k) => [k.path.join('.'), k.value]));
    assert.equal(keys['plugins.entries.diagnostics-prometheus.enabled'], true);
    assert.equal(keys['plugins.entries.webhooks.enabled'], false);
    assert.match(problems('plugins: {enable: [webhooks], disable: [webhooks]}').join(''), /plugins\.disable\[0\]: plugin webhooks is also in plugins\.enable/);
    const run = (entries: unknown) => {
      const s = hardenedSpec('plugins: {enable: [diagnostics-prometheus], disable: [webhooks]}');
      const raw = hardenedRaw(s, '2026.9.6', 'go-live');
      raw.set(ref(openclawConfig, configPath(s.resolved[0]!)).key, { t: 'file', content: JSON.stringify({ ...hardenedConfig('2026.9.6'), plugins: { entries } }), durationMs: 1 });
      return evaluateRun(planRun({ spec: s, profile: 'go-live', now: NOW, only: ['openclaw.config.plugins'] }), raw)[0]!;
    };
    assert.equal(run({ 'diagnostics-prometheus': { enabled: true }, webhooks: { enabled: false } }).status, 'pass');
    const off = run({ 'diagnostics-prometheus': { enabled: true } });
    assert.deepEqual([off.status, off.evidence], ['fail', 'webhooks is not disabled']);
  });
});
