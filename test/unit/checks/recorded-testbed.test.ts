/** A real recording (`clawops facts --out`) of a hardened 2026.9.6 testbed, evaluated offline. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateRun, planRun } from '../../../src/checks/run.ts';
import { loadFactsFile } from '../../../src/facts/file.ts';
import { renderGatewayUnit } from '../../../src/openclaw/unit.ts';

const FILE = fileURLToPath(new URL('../../fixtures/check/testbed-2026.9.6-hardened-facts.json', import.meta.url));

describe('recorded hardened testbed (2026.9.6)', () => {
  it('passes everything except the external-service checks, which are unknown with their reason', async () => {
    const rec = await loadFactsFile(FILE);
    // recorded before the unit renderer changed (RestartSec, logs): the unit file as apply writes it today
    const inst = rec.spec.resolved[0]!;
    const unitFile = `file:/etc/systemd/system/${inst.unit}`;
    assert.equal(rec.raw.get(unitFile)?.t, 'file');
    rec.raw.set(unitFile, { t: 'file', content: renderGatewayUnit(rec.spec, inst, rec.spec.openclaw.version), durationMs: 1 });
    // recorded before docker.serviceUserGroup existed: that host gave the sandbox the docker group, as the runbook does
    rec.spec.docker.serviceUserGroup = true;
    const results = evaluateRun(planRun({ spec: rec.spec, profile: 'go-live', now: rec.collectedAt }), rec.raw);
    assert.deepEqual(results.filter((r) => r.status === 'fail').map((r) => r.id), []);
    const unknown = Object.fromEntries(results.filter((r) => r.status === 'unknown').map((r) => [r.id, r.evidence]));
    // recorded before these checks existed: their facts are not in it, so they are unknown, never a pass
    const newer = ['audit.probe-device', 'files.log-dir', 'openclaw.doctor-lint', 'host.clawops-installed', 'host.managed-files', 'identity.extensions', 'monitoring.timers-exposure', 'config.frozen', 'sandbox.image', 'host.not-contained', 'user.sudo', 'host.sudo-nopasswd', 'credentials.age', 'network.gateway-token-live',
      // host.packages now also checks what the enabled parts run (python3-systemd, unattended-upgrades, restic, sqlite3): not all recorded then
      'host.packages',
      // the host baseline (issue "host baseline beyond the runbook") came later
      'host.baseline.sysctl', 'host.baseline.core-dumps', 'host.baseline.umask', 'host.baseline.modules', 'host.baseline.login-defs', 'host.baseline.banner', 'host.baseline.debsums', 'host.baseline.needrestart', 'host.baseline.aide', 'host.baseline.auditd'];
    for (const id of newer) assert.match(unknown[id] ?? '', /not collected|not recorded/, id);
    assert.deepEqual(Object.keys(unknown).filter((id) => !newer.includes(id)).sort(), ['access.channel.paired', 'access.tailscale.funnel-off', 'access.tailscale.up', 'credentials.llm-provider']);
    assert.match(unknown['access.tailscale.up'] ?? '', /tailscale: not installed/);
    assert.match(unknown['credentials.llm-provider'] ?? '', /no LLM/);
    assert.equal(results.find((r) => r.id === 'network.gateway-health')?.evidence.includes('"status":"live"'), true);
  });
  it('holds no secret values (the token is a length+fingerprint descriptor)', () => {
    const text = readFileSync(FILE, 'utf8');
    assert.match(text, /OPENCLAW_GATEWAY_TOKEN=<secret len=64 fp=[0-9a-f]{8}>/);
    assert.doesNotMatch(text, /OPENCLAW_GATEWAY_TOKEN=[0-9a-f]{64}/);
  });
});
