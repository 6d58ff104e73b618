import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';
import { renderJailLocal, validateJailLocal } from '../../../src/resources/fail2ban.ts';
import { renderAutoUpgrades, validateAptConf } from '../../../src/resources/unattended.ts';
import { parseSpec } from '../../../src/desired/parse.ts';

const spec = (yaml: string) => {
  const r = parseSpec(yaml);
  assert.ok(r.ok);
  return r.spec;
};

test('fail2ban: jail.local from the spec (runbook values by default; journal backend)', () => {
  const text = renderJailLocal(spec('{}'));
  assert.match(text, /\[DEFAULT\]\nbantime = 3600\nfindtime = 600\nmaxretry = 5\n\n\[sshd\]\nenabled = true\nport = ssh\nfilter = sshd\nbackend = systemd\nmaxretry = 3\n$/);
  assert.match(renderJailLocal(spec('fail2ban: {sshd: {backend: auto, enabled: false}}')), /enabled = false[\s\S]*logpath = \/var\/log\/auth.log/);
});

test('fail2ban: a candidate that fail2ban-client -t rejects is never installed', async () => {
  const ex = new RecorderExecutor().on(['sh', '-c'], { exitCode: 255, stderr: "ERROR  Failed during configuration: bad value\n" });
  await assert.rejects(validateJailLocal(ex, '[sshd]\nbantime = x\n'), /fail2ban rejects the new jail.local: ERROR/);
  const ok = new RecorderExecutor().on(['sh', '-c'], { stdout: 'OK: configuration test is successful\n' });
  await validateJailLocal(ok, renderJailLocal(spec('{}')));
  assert.match(ok.calls[0]?.argv?.[2] ?? '', /fail2ban-client -c "\$d" -t/);
});

test('unattended-upgrades: what dpkg-reconfigure -plow writes, checked by apt-config', async () => {
  assert.match(renderAutoUpgrades(), /APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n/);
  const bad = new RecorderExecutor().on(['sh', '-c'], { exitCode: 100, stderr: 'E: Syntax error /tmp/x:2: Extra junk at end of file\n' });
  await assert.rejects(validateAptConf(bad, 'junk'), /apt-config rejects/);
});
