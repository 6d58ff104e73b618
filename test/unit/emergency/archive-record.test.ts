/**
 * The emergency pieces that are pure: the containment chain's rules as iptables prints them, the
 * record's parse, and the evidence archive, which real `tar` unpacks and real `sha256sum -c`
 * verifies (and catches a changed byte).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { evidenceArchive } from '../../../src/emergency/archive.ts';
import { changedLines } from '../../../src/emergency/evidence.ts';
import { chainRules, CONTAIN_CHAIN, jumpRule, jumpsIn, normalizeRules } from '../../../src/emergency/firewall.ts';
import { parseContainRecord } from '../../../src/emergency/record.ts';
import { emergencyChecks } from '../../../src/checks/emergency.ts';
import { resolveSpec } from '../../../src/desired/resolve.ts';
import { Spec } from '../../../src/desired/schema.ts';
import { textFile } from '../../../src/facts/system.ts';
import { factReader } from '../../../src/facts/collect.ts';
import { ref } from '../../../src/facts/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'clawops-evidence-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the containment chain', () => {
  it('compares with what iptables -S prints (REJECT\'s default --reject-with dropped, v4 and v6)', () => {
    const v4 = `-N ${CONTAIN_CHAIN}\n-A ${CONTAIN_CHAIN} -o tailscale0 -j RETURN\n-A ${CONTAIN_CHAIN} -j REJECT --reject-with icmp-port-unreachable\n`;
    const v6 = v4.replace('icmp-port-unreachable', 'icmp6-port-unreachable');
    assert.deepEqual(normalizeRules(v4), chainRules(['tailscale0']));
    assert.deepEqual(normalizeRules(v6), chainRules(['tailscale0']));
    assert.notDeepEqual(normalizeRules(v4), chainRules(['tailscale0', 'wg0']));
  });
  it('finds every jump to the chain in OUTPUT, whatever uid, and nothing else', () => {
    const out = ['-P OUTPUT ACCEPT', jumpRule(999), '-A OUTPUT -j ufw-before-output', jumpRule(1001), `-A OUTPUT -m owner --uid-owner 5 -j ACCEPT`].join('\n');
    assert.deepEqual(jumpsIn(out), [jumpRule(999), jumpRule(1001)]);
  });
});

describe('the containment record', () => {
  const rec = { schemaVersion: 1, at: '2026-12-03T10:00:00.000Z', reason: 'x', incident: 3, instances: [], timers: [], containers: [], restartPolicies: {}, allowInterfaces: ['tailscale0'] };
  it('parses; absent is not contained; anything else is an error naming the file', () => {
    assert.equal(parseContainRecord(null, '/s/contained.json'), null);
    assert.deepEqual(parseContainRecord(JSON.stringify(rec), '/s/contained.json'), rec);
    assert.throws(() => parseContainRecord('{', '/s/contained.json'), /\/s\/contained.json does not parse/);
    assert.throws(() => parseContainRecord('{"schemaVersion":2}', '/s/contained.json'), /is not a containment record/);
  });
  it('the gate fails while it exists, with the time, reason and incident', () => {
    const spec = resolveSpec(Spec.parse({}));
    const check = emergencyChecks[0]!;
    const ctx = { spec, inst: spec.resolved[0]!, now: new Date(), waivedAuditIds: [], waiverProblems: [] };
    const [r] = check.needs(ctx);
    assert.equal(r!.key, ref(textFile, '/var/lib/clawops/contained.json').key);
    const run = (content: string | null) => check.evaluate(factReader(new Map([[r!.key, { t: 'file' as const, content, durationMs: 0 }]])), ctx);
    assert.equal(run(null).status, 'pass');
    const v = run(JSON.stringify(rec));
    assert.equal(v.status, 'fail');
    assert.match(v.evidence, /^contained since 2026-12-03T10:00:00.000Z: x \(incident #3\)/);
    assert.equal(run('{').status, 'fail');
  });
});

describe('the changed-files listing', () => {
  it('one line per NUL-terminated record; a newline or escape in a name cannot forge a line', () => {
    const out = 'ctime a 0600 u:u 3 f /home/u/ok\0ctime b 0600 u:u 3 f /home/u/evil\nctime forged /etc/shadow\0ctime c 0644 u:u 1 f /home/u/\x1b[2Jx\0';
    assert.deepEqual(changedLines(out), [
      'ctime a 0600 u:u 3 f /home/u/ok',
      'ctime b 0600 u:u 3 f /home/u/evil\\x0actime forged /etc/shadow',
      'ctime c 0644 u:u 1 f /home/u/\\x1b[2Jx',
    ]);
  });
});

describe('the evidence archive', () => {
  const items = [
    { path: 'host/processes.txt', source: 'ps', content: Buffer.from('PID USER\n1 root\n') },
    { path: 'openclaw/main/openclaw.json', source: '/home/openclaw/.openclaw/openclaw.json', content: Buffer.from('{}\n') },
    { path: 'docker/containers.txt', source: 'docker ps -a', content: Buffer.alloc(0), error: 'no Docker engine answers' },
  ];
  const { gz, manifest } = evidenceArchive('clawops-evidence-t', { target: 'nspawn:x', collectedAt: '2026-12-03T10:00:00.000Z', since: '2026-11-26T10:00:00.000Z', contained: true }, items);
  const file = join(dir, 'e.tar.gz');
  writeFileSync(file, gz, { mode: 0o600 });

  it('unpacks with tar, and sha256sum -c verifies every item and the manifest', () => {
    assert.equal(spawnSync('tar', ['xzf', file, '-C', dir]).status, 0);
    const v = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: join(dir, 'clawops-evidence-t'), encoding: 'utf8' });
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.equal(v.stdout.trim().split('\n').length, items.length + 1);
    const m = JSON.parse(readFileSync(join(dir, 'clawops-evidence-t', 'manifest.json'), 'utf8'));
    assert.deepEqual(m, manifest);
    assert.equal(m.items[2]?.error, 'no Docker engine answers');
    assert.equal(statSync(join(dir, 'clawops-evidence-t', 'host', 'processes.txt')).mode & 0o777, 0o600);
  });
  it('a changed byte fails the verification', () => {
    appendFileSync(join(dir, 'clawops-evidence-t', 'host', 'processes.txt'), 'planted\n');
    const v = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: join(dir, 'clawops-evidence-t'), encoding: 'utf8' });
    assert.notEqual(v.status, 0);
    assert.match(v.stdout, /host\/processes.txt: FAILED/);
  });
});
