/** DOCKER-USER planning from recorded `iptables -S` outputs, and the guard's failure paths. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ClawopsError } from '../../../src/core/errors.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';
import { desiredChain, PERSIST_UNIT_PATH, PERSIST_WANTS_PATH, renderPersistUnit } from '../../../src/firewall/docker-user.ts';
import { revertScript, UFW_FILES, withGuard } from '../../../src/firewall/guard.ts';
import { dockerUserNeeds, dockerUserState, planDockerUser, type DockerUserState } from '../../../src/resources/firewall/docker-user.ts';
import { cmdRaw, factsFromRaw } from '../../helpers/facts.ts';
import { createHash } from 'node:crypto';

const fx = (f: string): string => readFileSync(new URL(`../../fixtures/firewall/${f}`, import.meta.url), 'utf8');
const MGMT = ['tailscale0'];

/** The facts as the plan reads them: the gate's `iptables -S`, the unit file, its wants link. */
function host(iptablesS: string, persisted: boolean): DockerUserState {
  const [chain, unit, wants] = dockerUserNeeds();
  const text = renderPersistUnit(MGMT);
  const sha = createHash('sha256').update(text).digest('hex');
  return dockerUserState(factsFromRaw([
    [chain!, cmdRaw(iptablesS)],
    [unit!, cmdRaw(persisted ? `regular file|644|0|0|root|root|${text.length}|0\n${sha}\n${Buffer.from(text).toString('base64')}` : 'MISSING\n')],
    [wants!, cmdRaw(persisted ? 'symbolic link|777|0|0|root|root|1|0\n' : 'MISSING\n')],
  ]));
}
const good = (): string => ['-P FORWARD DROP', '-N DOCKER-USER', '-A FORWARD -j DOCKER-USER', '-A FORWARD -j ufw-before-forward', ...desiredChain(MGMT)].join('\n');

const cases: { name: string; iptables: string; persisted: boolean; want: string[] }[] = [
  {
    name: 'no chain (Docker not started yet): create chain, jump, unit, enable',
    iptables: fx('iptables-S-ufw-nochain.txt'),
    persisted: false,
    want: [
      'add create chain DOCKER-USER: lo, tailscale0, established, then DROP',
      'add exactly one FORWARD jump to DOCKER-USER, first (found 0)',
      `add persist DOCKER-USER at boot: ${PERSIST_UNIT_PATH}`,
      `add enable ${PERSIST_UNIT_PATH} at boot`,
    ],
  },
  {
    name: 'the runbook run twice: duplicates repaired, one jump',
    iptables: fx('iptables-S-docker-user-runbook-twice.txt'),
    persisted: true,
    want: ['change repair (duplicates or extra rules) chain DOCKER-USER: lo, tailscale0, established, then DROP', 'change exactly one FORWARD jump to DOCKER-USER, first (found 2)'],
  },
  {
    name: 'DROP deleted by hand: repaired',
    iptables: fx('iptables-S-docker-user-no-drop.txt'),
    persisted: true,
    want: ['change repair (duplicates or extra rules) chain DOCKER-USER: lo, tailscale0, established, then DROP', 'change exactly one FORWARD jump to DOCKER-USER, first (found 2)'],
  },
  {
    name: 'the shared sample (RETURN rules from Docker): repaired',
    iptables: readFileSync(new URL('../../fixtures/samples/netns-iptables-save.txt', import.meta.url), 'utf8').replace(/^:(\S+) .*$/gm, '-N $1'),
    persisted: true,
    want: ['change repair chain DOCKER-USER: lo, tailscale0, established, then DROP'],
  },
  { name: 'converged but not persisted', iptables: good(), persisted: false, want: [`add persist DOCKER-USER at boot: ${PERSIST_UNIT_PATH}`, `add enable ${PERSIST_UNIT_PATH} at boot`] },
];

describe('DOCKER-USER plan', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const out = planDockerUser(host(c.iptables, c.persisted), MGMT);
      assert.ok('changes' in out, JSON.stringify(out));
      assert.deepEqual(out.changes.map((ch) => `${ch.action} ${ch.summary}`), c.want);
    });
  }
  it('converged and persisted: no-op', async () => {
    const s = host(good(), true);
    assert.deepEqual(planDockerUser(s, MGMT), { noop: 'DOCKER-USER holds exactly lo, tailscale0, established, DROP; jumped to once; persisted' });
  });
  it('jump present but not first: moved to the top', () => {
    const s: DockerUserState = { chainExists: true, chain: desiredChain(MGMT), forwardJumps: 1, jumpFirst: false, unit: renderPersistUnit(MGMT), enabled: true };
    const out = planDockerUser(s, MGMT);
    assert.ok('changes' in out);
    assert.equal(out.changes.length, 1);
  });
  it('a changed management interface rewrites the chain and the unit', () => {
    const s: DockerUserState = { chainExists: true, chain: desiredChain(MGMT), forwardJumps: 1, jumpFirst: true, unit: renderPersistUnit(MGMT), enabled: true };
    const out = planDockerUser(s, ['wg0']);
    assert.ok('changes' in out);
    assert.match(out.changes[0]?.diff ?? '', /- -A DOCKER-USER -i tailscale0 -j ACCEPT\n[\s\S]*\+ -A DOCKER-USER -i wg0 -j ACCEPT/);
    assert.match(String((out.changes[1]?.data as { input: string }).input), /-A DOCKER-USER -i wg0 -j ACCEPT/);
  });
  it('the unit rebuilds the chain with DROP last and one jump, after ufw and before docker', () => {
    const u = renderPersistUnit(MGMT);
    const exec = u.split('\n').filter((l) => l.startsWith('ExecStart='));
    assert.match(exec.at(-2) ?? '', /-A DOCKER-USER -j DROP$/);
    assert.match(exec.at(-1) ?? '', /-D FORWARD -j DOCKER-USER.*-I FORWARD 1 -j DOCKER-USER/);
    assert.match(u, /^After=.*ufw\.service/m);
    assert.match(u, /^Before=.*docker\.service/m);
  });
});

describe('lock-out guard (failure paths)', () => {
  const opts = (rec: RecorderExecutor, confirm: RecorderExecutor) => ({
    dir: '/var/lib/clawops/firewall-guard', timeoutSec: 30, files: UFW_FILES, openConfirmConnection: async () => {
      void rec;
      return confirm;
    },
  });
  it('revert script restores every saved file in place, then the filter tables', () => {
    const s = revertScript('/d', UFW_FILES);
    assert.match(s, /mv "\$d\/armed" "\$d\/reverting" 2>\/dev\/null \|\| exit 0/);
    assert.ok(s.indexOf("cat \"$d/files/0\" > '/etc/default/ufw'") < s.indexOf('iptables-restore -w'));
  });
  it('refuses while an earlier change awaits confirmation', async () => {
    const rec = new RecorderExecutor().on(['mkdir'], {}).on(['rm'], {}).on(['sh', '-c'], { exitCode: 4, stdout: 'pending 1900000000\n' });
    await assert.rejects(withGuard(rec, opts(rec, rec), 'x', async () => 1), /still waiting for confirmation or revert/);
  });
  it('a confirmation that cannot arrive names the revert time and keeps the cause', async () => {
    const rec = new RecorderExecutor().on(['mkdir'], {}).on(['sh', '-c'], { stdout: 'setsid 1900000000\n' });
    const cut = new RecorderExecutor('ssh://root@100.64.0.1:22').on(['sh', '-c'], { exitCode: 255, stderr: 'ssh: connect to host 100.64.0.1 port 22: Connection timed out' });
    let changed = false;
    await assert.rejects(withGuard(rec, opts(rec, cut), 'ufw --force enable', async () => (changed = true)), (e: unknown) => {
      return e instanceof ClawopsError && /not confirmed over a new connection; the previous rules come back at 2030-03-17T17:46:40.000Z/.test(e.message) && /Connection timed out/.test(String((e.cause as Error).message));
    });
    assert.equal(changed, true);
  });
  it('a change that fails is reverted at once over the same connection', async () => {
    const rec = new RecorderExecutor().on(['sh'], {}).on(['mkdir'], {}).on(['sh', '-c'], { stdout: 'setsid 1900000000\n' });
    await assert.rejects(withGuard(rec, opts(rec, rec), 'x', async () => { throw new Error('boom'); }), /boom/);
    assert.ok(rec.calls.some((c) => c.argv?.[0] === 'sh' && c.argv[1]?.endsWith('/revert.sh') && c.argv[2] === '0'));
  });
});
