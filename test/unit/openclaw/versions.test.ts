import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capabilities } from '../../../src/openclaw/versions.ts';

// Boundaries checked in the published packages (npm pack openclaw@V; docs/ and dist/).
const TABLE: [string, Partial<ReturnType<typeof capabilities>>][] = [
  ['2026.2.9', { allowInsecureAuthKey: true, redactSensitiveKey: true, toolsProfileKey: true, terminalKey: false, configPatch: false, externalSupervisor: false, restartSignal: 'SIGUSR1', serviceStopTimeoutSec: 30, legacyDmPolicyChannels: ['discord', 'slack', 'googlechat'] }],
  ['2026.3.24', { configPatch: false, legacyDmPolicyChannels: [] }],
  ['2026.4.29', { configPatch: true, terminalKey: false }],
  ['2026.6.35', { terminalKey: false }],
  ['2026.7.1', { terminalKey: true, allowInsecureAuthKey: true, externalSupervisor: false }],
  ['2026.7.35', { allowInsecureAuthKey: true, externalSupervisor: false, serviceStopTimeoutSec: 30 }],
  ['2026.8.1', { allowInsecureAuthKey: false, redactSensitiveKey: false, externalSupervisor: true, serviceStopTimeoutSec: 330, breaksUnderRestrictSuidSgid: true }],
  ['2026.9.5', { restartSignal: 'SIGUSR1' }],
  ['2026.9.6', { restartSignal: 'SIGUSR2', tokenEnvReference: true, httpHealthz: true }],
];

describe('capabilities per version (checked against the packages)', () => {
  for (const [v, want] of TABLE) {
    it(v, () => {
      const got = capabilities(v);
      for (const [k, val] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], val, `${v}: ${k}`);
    });
  }
});
