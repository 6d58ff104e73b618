import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Spec, type SpecInput } from '../../../src/desired/schema.ts';
import { resolveSpec, type ResolvedSpec } from '../../../src/desired/resolve.ts';
import { applyKeyChanges, getPath, mergePatch, parseConfigText } from '../../../src/openclaw/config-doc.ts';
import { openclawConfigResource, planConfig, planConfigChanges, readConfigState } from '../../../src/openclaw/config-resource.ts';

const sample = (name: string) => readFileSync(new URL(`../../fixtures/samples/${name}`, import.meta.url), 'utf8');
const specOf = (input: SpecInput = {}): ResolvedSpec => resolveSpec(Spec.parse(input));

/** plan -> apply the key changes to the text -> re-read -> re-plan: must be empty */
function converge(spec: ResolvedSpec, text: string | null) {
  const inst = spec.resolved[0]!;
  const before = readConfigState(spec, inst, text);
  const changes = planConfigChanges(spec, inst, before);
  const doc = applyKeyChanges(text === null ? {} : parseConfigText(text, 'x'), changes);
  const after = readConfigState(spec, inst, JSON.stringify(doc));
  return { changes, doc, replan: planConfigChanges(spec, inst, after) };
}

const keys = (cs: { path: string[]; value?: unknown }[]) =>
  Object.fromEntries(cs.map((c) => [c.path.join('.'), c.value === undefined ? '<delete>' : c.value]));

const CASES: { name: string; spec: SpecInput; file: string | null; expect: Record<string, unknown>; notExpect?: string[] }[] = [
  {
    name: '2026.2.9 after onboarding',
    spec: { openclaw: { version: '2026.2.9' } },
    file: 'oc2026.2.9-openclaw-after-onboard.json',
    expect: {
      'gateway.controlUi.allowInsecureAuth': false,
      'logging.redactSensitive': 'tools',
      'discovery.mdns.mode': 'off',
      'tools.deny': ['gateway', 'nodes'],
      'tools.profile': 'messaging',
      'tools.elevated.enabled': false,
      'agents.defaults.sandbox.mode': 'all',
      'agents.defaults.sandbox.docker.readOnlyRoot': true,
    },
    notExpect: ['gateway.terminal.enabled', 'gateway.port', 'gateway.bind', 'gateway.mode'],
  },
  {
    name: '2026.9.6 after onboarding (tools.profile "full", terminal on by default)',
    spec: {},
    file: 'oc2026.9.6-openclaw-after-onboard.json',
    expect: { 'tools.profile': 'messaging', 'gateway.terminal.enabled': false, 'gateway.controlUi.enabled': false },
    notExpect: ['gateway.controlUi.allowInsecureAuth', 'logging.redactSensitive', 'gateway.port'],
  },
  {
    name: '2026.9.6 before onboarding (no mode, no port)',
    spec: {},
    file: 'oc2026.9.6-openclaw.json',
    expect: { 'gateway.mode': 'local', 'gateway.port': 18789, 'gateway.auth.mode': 'token' },
  },
  { name: 'no config file yet', spec: {}, file: null, expect: { 'gateway.mode': 'local', 'gateway.bind': 'loopback' } },
];

describe('gateway config: plan on the recorded configs', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const text = c.file === null ? null : sample(c.file);
      const { changes, doc, replan } = converge(specOf(c.spec), text);
      const got = keys(changes);
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(got[k], v, k);
      for (const k of c.notExpect ?? []) assert.ok(!(k in got), `${k} should not change`);
      assert.deepEqual(replan, [], 'converged: re-plan is empty');
      if (text !== null) {
        // nothing the operator (or onboarding) wrote is dropped
        const orig = parseConfigText(text, 'x');
        for (const path of [['meta'], ['wizard'], ['skills'], ['gateway', 'auth', 'token'], ['gateway', 'tailscale']]) {
          assert.deepEqual(getPath(doc, path), getPath(orig, path), path.join('.'));
        }
      }
    });
  }

  it('9.x: a key carried over from 2.x that 9.x rejects is deleted', () => {
    const text = JSON.stringify({ gateway: { controlUi: { allowInsecureAuth: false, enabled: false } }, logging: { redactSensitive: 'tools', level: 'debug', file: '/tmp/x.log' } });
    const { changes, doc } = converge(specOf(), text);
    assert.equal(keys(changes)['gateway.controlUi.allowInsecureAuth'], '<delete>');
    assert.equal(keys(changes)['logging.redactSensitive'], '<delete>');
    assert.equal(getPath(doc, ['logging', 'level']), 'debug', "the operator's own logging keys are kept");
    // the file log is managed: a persistent per-instance path (LogsDirectory= in the unit), not /tmp under PrivateTmp
    assert.equal(getPath(doc, ['logging', 'file']), '/var/log/openclaw/openclaw/gateway.log');
  });

  it('JSON5 written by hand (comments, trailing commas, unquoted keys) is read', () => {
    const text = '// mine\n{ gateway: { bind: "lan", /* why */ port: 18789, }, custom: { keep: true, }, }';
    const { changes, doc } = converge(specOf(), text);
    assert.equal(keys(changes)['gateway.bind'], 'loopback');
    assert.deepEqual(getPath(doc, ['custom']), { keep: true });
  });

  it('channel policy per enabled channel, with the version\'s key for the DM policy', () => {
    const spec29 = specOf({ openclaw: { version: '2026.2.9' }, channels: { enabled: ['slack', 'telegram'] } });
    const k29 = keys(converge(spec29, null).changes);
    assert.equal(k29['channels.slack.dm.policy'], 'pairing');
    assert.equal(k29['channels.telegram.dmPolicy'], 'pairing');
    assert.equal(k29['channels.slack.groupPolicy'], 'disabled');
    assert.equal(k29['channels.telegram.configWrites'], false);
    const k96 = keys(converge(specOf({ channels: { enabled: ['slack'] } }), null).changes);
    assert.equal(k96['channels.slack.dmPolicy'], 'pairing');
    assert.ok(!('channels.slack.dm.policy' in k96));
  });

  it('a "*" sender is dropped where the policy is not open (channel and account); named senders stay; an open spec keeps it', () => {
    const text = JSON.stringify({ channels: { telegram: { dmPolicy: 'open', allowFrom: ['*', ' 42 '], accounts: { work: { groupAllowFrom: ['*'], allowFrom: ['7'] } } } } });
    const { changes, doc } = converge(specOf(), text);
    const got = keys(changes);
    assert.deepEqual(got['channels.telegram.allowFrom'], [' 42 ']);
    assert.equal(got['channels.telegram.accounts.work.groupAllowFrom'], '<delete>');
    assert.deepEqual(getPath(doc, ['channels', 'telegram', 'accounts', 'work', 'allowFrom']), ['7']);
    const outcome = planConfig(specOf(), specOf().resolved[0]!, readConfigState(specOf(), specOf().resolved[0]!, text));
    assert.ok('changes' in outcome);
    assert.match(outcome.changes[0]!.diff ?? '', /^~ channels\.telegram\.allowFrom = \["\*"," 42 "\] -> \[" 42 "\]$/m);
    const open = converge(specOf({ channels: { dmPolicy: 'open', groupPolicy: 'open' } }), text);
    assert.ok(!('channels.telegram.allowFrom' in keys(open.changes)));
    assert.ok(!('channels.telegram.accounts.work.groupAllowFrom' in keys(open.changes)));
  });

  it('elevated: allowFrom exactly the spec senders; strangers removed; disabled removes all', () => {
    const text = JSON.stringify({ tools: { elevated: { enabled: true, allowFrom: { telegram: ['1', '2'], discord: ['9'] } } } });
    const on = converge(specOf({ tools: { elevated: { enabled: true, allowFrom: { telegram: ['1'] } } } }), text);
    assert.deepEqual(getPath(on.doc, ['tools', 'elevated', 'allowFrom']), { telegram: ['1'] });
    const off = converge(specOf(), text);
    assert.deepEqual(getPath(off.doc, ['tools', 'elevated']), { enabled: false, allowFrom: {} });
  });

  it('the merge patch for `config patch --stdin` deletes with null and never holds the token', () => {
    const spec = specOf();
    const state = readConfigState(spec, spec.resolved[0]!, sample('oc2026.9.6-openclaw-after-onboard.json'));
    const patch = mergePatch(planConfigChanges(spec, spec.resolved[0]!, state));
    assert.equal(getPath(patch, ['tools', 'profile']), 'messaging');
    assert.ok(!JSON.stringify(patch).includes('token"'));
    const del = mergePatch([{ path: ['gateway', 'controlUi', 'allowInsecureAuth'] }]);
    assert.deepEqual(del, { gateway: { controlUi: { allowInsecureAuth: null } } });
  });
});

describe('gateway config resource', () => {
  it('one batched change with a readable diff; no-op with a reason once converged', () => {
    const spec = specOf();
    const r = openclawConfigResource(spec, spec.resolved[0]!);
    const text = sample('oc2026.9.6-openclaw-after-onboard.json');
    const outcome = planConfig(spec, spec.resolved[0]!, readConfigState(spec, spec.resolved[0]!, text));
    assert.ok('changes' in outcome);
    assert.equal(outcome.changes.length, 1);
    const c = outcome.changes[0]!;
    assert.equal(c.action, 'change');
    assert.match(c.diff ?? '', /^~ tools\.profile = "full" -> "messaging"$/m);
    assert.match(c.diff ?? '', /^\+ gateway\.terminal\.enabled = false$/m);
    assert.doesNotMatch(JSON.stringify(c), /REDACTED|token"/);
    const { doc } = converge(spec, text);
    const noop = planConfig(spec, spec.resolved[0]!, readConfigState(spec, spec.resolved[0]!, JSON.stringify(doc)));
    assert.ok('noop' in noop && /already holds/.test(noop.noop));
  });

  it('an unparseable config is an error that names the file and the backups', () => {
    const spec = specOf();
    assert.throws(() => readConfigState(spec, spec.resolved[0]!, '{ gateway: '), (e: Error & { hint?: string }) =>
      /openclaw\.json is not valid JSON5/.test(e.message) && /\.bak/.test(e.hint ?? ''));
  });
});
