/** network.gateway-latency and network.gateway-ready on the hardened host's facts, with the probe answers changed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateRun, planRun } from '../../../src/checks/run.ts';
import { httpHealth } from '../../../src/facts/network.ts';
import { ref } from '../../../src/facts/types.ts';
import { hardenedRaw, hardenedSpec, NOW } from './hardened-facts.ts';

const IDS = ['network.gateway-latency', 'network.gateway-ready'];
const run = (answers: Record<string, string>, version: '2026.9.6' | '2026.2.9' = '2026.9.6', yaml = '') => {
  const s = hardenedSpec(`openclaw: {version: "${version}"}\n${yaml}`);
  const raw = hardenedRaw(s, version, 'health');
  for (const [path, stdout] of Object.entries(answers)) {
    raw.set(ref(httpHealth, `http://127.0.0.1:18789${path}`).key, { t: 'cmd', exitCode: 0, stdout, stderr: '', timedOut: false, durationMs: 30 });
  }
  const results = evaluateRun(planRun({ spec: s, profile: 'health', now: NOW, only: IDS }), raw);
  return Object.fromEntries(results.map((r) => [r.id, r]));
};

describe('gateway probes: latency and readiness', () => {
  it('a quick healthy answer passes both, with the time and the event loop delay said', () => {
    const r = run({});
    assert.equal(r['network.gateway-latency']?.status, 'pass');
    assert.match(r['network.gateway-latency']!.evidence, /healthz in 19 ms \(limit 2000 ms\)/);
    assert.equal(r['network.gateway-ready']?.status, 'pass');
    assert.match(r['network.gateway-ready']!.evidence, /ready; event loop delay p99 25\.7 ms/);
  });

  it('a slow answer fails latency against monitoring.gateway.healthLatencyMs', () => {
    const slow = { '/healthz': '{"ok":true,"status":"live"}\n200 2.750113 application/json' };
    assert.equal(run(slow)['network.gateway-latency']?.status, 'fail');
    assert.match(run(slow)['network.gateway-latency']!.evidence, /took 2750 ms > 2000 ms/);
    assert.equal(run(slow, '2026.9.6', 'monitoring: {gateway: {healthLatencyMs: 5000}}')['network.gateway-latency']?.status, 'pass');
  });

  it('not ready: what fails and a degraded event loop are named; a 503 is not ready', () => {
    const r = run({ '/readyz': '{"ready":false,"failing":["channel:telegram","agentDb:main"],"eventLoop":{"degraded":true,"reasons":["delay p99 1200 ms"]}}\n503 0.004 application/json' });
    assert.equal(r['network.gateway-ready']?.status, 'fail');
    assert.equal(r['network.gateway-ready']!.evidence, 'GET http://127.0.0.1:18789/readyz: HTTP 503, not ready: failing channel:telegram, agentDb:main; event loop degraded (delay p99 1200 ms)');
    assert.equal(run({ '/readyz': 'Service Unavailable\n503 0.002 text/plain' })['network.gateway-ready']?.status, 'fail');
    // just started (as 2026.9.6 answers while its sidecars start): not judged within OpenClaw's 120 s grace, then judged
    const starting = (up: number) => run({ '/readyz': `{"ready":false,"failing":["startup-sidecars"],"uptimeMs":${up}}\n503 0.003 application/json` })['network.gateway-ready']!;
    assert.equal(starting(14_000).status, 'skipped');
    assert.match(starting(14_000).evidence, /up 14 s, not ready yet \(startup-sidecars\): judged after 120 s/);
    assert.equal(starting(300_000).status, 'fail');
  });

  it('no answer is the health check\'s finding, a record without the time is not judged, 2.x has no /readyz', () => {
    const s = hardenedSpec('');
    const raw = hardenedRaw(s, '2026.9.6', 'health');
    for (const p of ['/healthz', '/readyz']) raw.set(ref(httpHealth, `http://127.0.0.1:18789${p}`).key, { t: 'cmd', exitCode: 7, stdout: '', stderr: 'curl: (7) Failed to connect', timedOut: false, durationMs: 5 });
    const down = Object.fromEntries(evaluateRun(planRun({ spec: s, profile: 'health', now: NOW, only: IDS }), raw).map((r) => [r.id, r.status]));
    assert.deepEqual(down, { 'network.gateway-latency': 'skipped', 'network.gateway-ready': 'skipped' });
    assert.equal(run({ '/healthz': '{"ok":true,"status":"live"}\n200 application/json' })['network.gateway-latency']?.status, 'skipped');
    assert.match(run({}, '2026.2.9')['network.gateway-ready']!.evidence, /has no \/readyz/);
  });
});

describe('service.memory-growth: the trend of the memory the health runs recorded', () => {
  const KEY = 'ledger.memory:/var/lib/clawops/ledger.db|openclaw|6';
  const at = (stdout: string, exitCode = 0, stderr = '') => {
    const s = hardenedSpec('monitoring: {gateway: {memoryMaxMB: 2048}}');
    const raw = hardenedRaw(s, '2026.9.6', 'restart');
    raw.set(KEY, { t: 'cmd', exitCode, stdout, stderr, timedOut: false, durationMs: 30 });
    return evaluateRun(planRun({ spec: s, profile: 'restart', now: NOW, only: ['service.memory-growth'] }), raw)[0]!;
  };
  // what the sqlite3 shell prints for the samples table: at|memory_bytes, oldest first, every 10 minutes
  const series = (n: number, start: number, perStep: number, noise = 0) =>
    Array.from({ length: n }, (_, i) => `${1_796_277_277_928 + i * 600_000}|${Math.round(start + i * perStep + (i % 2 ? noise : -noise))}`).join('\n');

  it('a steady climb that passes the limit within a day fails, with the rate and the hours left', () => {
    // 1000 MB, +10 MB every 10 minutes (60 MB/h), with noise: about 1350 MB now, 2048 MB in about 11.6 h
    const r = at(series(36, 1000 * 1_048_576, 10 * 1_048_576, 3 * 1_048_576));
    assert.equal(r.status, 'fail', r.evidence);
    assert.match(r.evidence, /^growing \+60\.\d MB\/h over 5\.8 h \(36 samples\), now 13\d\d MB: at this rate it passes 2048 MB in 1[12]\.\d h$/);
  });

  it('slow growth that stays under the limit for a day passes; flat or falling passes', () => {
    const slow = at(series(36, 800 * 1_048_576, 0.5 * 1_048_576));
    assert.equal(slow.status, 'pass', slow.evidence);
    assert.match(slow.evidence, /\+3\.0 MB\/h .*: 2048 MB not within a day/);
    assert.match(at(series(36, 900 * 1_048_576, -1_048_576, 5 * 1_048_576)).evidence, /^flat or falling: -[56]\.\d MB\/h/);
  });

  it('too little history, no ledger, a ledger from before the samples: skipped with the reason; no sqlite3: unknown', () => {
    assert.match(at(series(5, 800 * 1_048_576, 1_048_576)).evidence, /5 memory sample\(s\) in the last 6 h: a trend needs 12 over 2 h/);
    assert.equal(at('NO-LEDGER\n').status, 'skipped');
    assert.equal(at('', 1, 'Error: in prepare, no such table: samples').status, 'skipped');
    const none = at('', 127, 'sqlite3: not installed');
    assert.equal(none.status, 'unknown');
    assert.match(none.evidence, /sqlite3: not installed/);
  });
});

describe('gateway unit: restarts and memory', () => {
  const KEY = 'unit:openclaw.service';
  const at = (props: Record<string, string>, yaml = '') => {
    const s = hardenedSpec(yaml);
    const raw = hardenedRaw(s, '2026.9.6', 'restart');
    const base = { Id: 'openclaw.service', LoadState: 'loaded', ActiveState: 'active', SubState: 'running', UnitFileState: 'enabled', Result: 'success', MainPID: '42', NRestarts: '0', Restart: 'always', StartLimitBurst: '5' };
    raw.set(KEY, { t: 'cmd', exitCode: 0, stdout: `${Object.entries({ ...base, ...props }).map(([k, v]) => `${k}=${v}`).join('\n')}\n`, stderr: '', timedOut: false, durationMs: 5 });
    return Object.fromEntries(evaluateRun(planRun({ spec: s, profile: 'restart', now: NOW, only: ['service.restarts', 'service.memory'] }), raw).map((r) => [r.id, r]));
  };

  it('a crash-looping gateway fails service.restarts with the count and the journal to read', () => {
    const r = at({ NRestarts: '7', ExecMainStartTimestamp: 'Sat 2026-11-21 11:00:00 UTC' })['service.restarts']!;
    assert.equal(r.status, 'fail');
    assert.match(r.evidence, /^NRestarts 7 since Sat 2026-11-21 11:00:00 UTC$/);
    assert.match(r.remediation, /journalctl -u openclaw\.service -n 200/);
    assert.equal(at({ NRestarts: '2' })['service.restarts']!.status, 'pass');
  });

  it('memory over monitoring.gateway.memoryMaxMB fails with both numbers; accounting off is skipped, not passed', () => {
    const over = at({ MemoryCurrent: String(600 * 1_048_576) }, 'monitoring: {gateway: {memoryMaxMB: 512}}')['service.memory']!;
    assert.equal(over.status, 'fail');
    assert.equal(over.evidence, 'openclaw.service uses 600 MB > 512 MB');
    assert.equal(at({ MemoryCurrent: String(300 * 1_048_576) }, 'monitoring: {gateway: {memoryMaxMB: 512}}')['service.memory']!.status, 'pass');
    const off = at({ MemoryCurrent: '[not set]' })['service.memory']!;
    assert.equal(off.status, 'skipped');
    assert.match(off.evidence, /memory accounting is off/);
  });
});
