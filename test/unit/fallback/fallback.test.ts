/**
 * The Tailscale-down SSH fallback: the readings of tailscale's outputs, the decision over time,
 * sshd's effective configuration judged key-only, and one tick after another over an in-memory host
 * (refused with a password-capable sshd; opened, sshd started; closed, sshd stopped again).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseSpec } from '../../../src/desired/parse.ts';
import { CLOSED, decide, parseFallbackRecord, readTailscale, fallbackRecordPath } from '../../../src/fallback/state.ts';
import { authorizedKeyPaths, keyOnlyProblems, loginAccounts, parseSshdT } from '../../../src/fallback/sshd.ts';
import { FALLBACK_COMMENT, fallbackRuleNumbers, fallbackTick } from '../../../src/fallback/tick.ts';
import { fallbackResult } from '../../../src/cli/commands/fallback.ts';
import { renderTimers } from '../../../src/openclaw/timers.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';

const fx = (n: string) => readFileSync(new URL(`../../fixtures/fallback/${n}`, import.meta.url), 'utf8');

describe('tailscale readings', () => {
  it('up only when running and online; stopped, offline, daemon down and not installed are down, each said', () => {
    assert.deepEqual(readTailscale(0, fx('tailscale-running.json'), ''), { up: true, detail: 'Running, online' });
    assert.deepEqual(readTailscale(0, fx('tailscale-stopped.json'), ''), { up: false, detail: 'Stopped, offline' });
    assert.deepEqual(readTailscale(0, fx('tailscale-offline.json'), ''), { up: false, detail: 'Running, offline' });
    assert.match(readTailscale(1, '', fx('tailscaled-not-running.stderr')).detail, /exit 1\): failed to connect to local tailscaled/);
    assert.equal(readTailscale(127, '', '').detail, 'tailscale is not installed');
  });
});

describe('decide', () => {
  const o = { downAfterSec: 600, upAfterSec: 300 };
  const t = (s: number) => new Date(Date.parse('2026-12-01T00:00:00Z') + s * 1000);
  const down = { up: false, detail: 'Stopped, offline' };
  const up = { up: true, detail: 'Running, online' };
  it('opens after downAfterSec of down, closes after upAfterSec of up; a flap restarts the clock', () => {
    let r = decide({ ...CLOSED }, down, t(0), o);
    assert.equal(r.action, 'none');
    assert.equal(r.next.downSince, t(0).toISOString());
    r = decide(r.next, down, t(599), o);
    assert.equal(r.action, 'none');
    assert.equal(decide(r.next, up, t(599), o).next.downSince, null, 'back up: the clock restarts');
    r = decide(r.next, down, t(600), o);
    assert.equal(r.action, 'open');
    const open = { ...r.next, open: true, openedAt: t(600).toISOString() };
    r = decide(open, up, t(700), o);
    assert.equal(r.action, 'none');
    assert.equal(decide(r.next, down, t(800), o).next.upSince, null, 'down again while open: the close clock restarts');
    assert.equal(decide(r.next, up, t(1000), o).action, 'close');
  });
  it('a record that does not parse reads as closed', () => {
    assert.deepEqual(parseFallbackRecord('{not json'), CLOSED);
    assert.deepEqual(parseFallbackRecord(null), CLOSED);
  });
});

describe('sshd, key-only', () => {
  const debian = 'port 22\npermitrootlogin without-password\npubkeyauthentication yes\npasswordauthentication yes\nkbdinteractiveauthentication no\nauthorizedkeysfile .ssh/authorized_keys .ssh/authorized_keys2\n';
  it('names each setting that lets a password in', () => {
    assert.deepEqual(keyOnlyProblems(parseSshdT(debian)), ['PasswordAuthentication yes (must be no)']);
    assert.deepEqual(keyOnlyProblems(parseSshdT(debian.replace('passwordauthentication yes', 'passwordauthentication no'))), []);
    assert.equal(keyOnlyProblems(parseSshdT('passwordauthentication no\npubkeyauthentication yes\nkbdinteractiveauthentication yes\npermitrootlogin yes\n')).length, 2);
  });
  it('authorized keys paths and the accounts a person logs in with', () => {
    assert.deepEqual(authorizedKeyPaths('.ssh/authorized_keys /etc/ssh/keys/%u', 'alice', '/home/alice'), ['/home/alice/.ssh/authorized_keys', '/etc/ssh/keys/alice']);
    const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\nopenclaw-svc:x:1001:1001::/home/openclaw-svc:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n';
    assert.deepEqual(loginAccounts(passwd, ['openclaw-svc']).map((a) => a.user), ['root', 'alice']);
  });
  it('finds its own UFW rules by comment, highest number first', () => {
    const numbered = `Status: active\n\n     To                         Action      From\n     --                         ------      ----\n[ 1] Anywhere on tailscale0     ALLOW IN    Anywhere                   # clawops\n[ 2] 22/tcp                     ALLOW IN    Anywhere                   # ${FALLBACK_COMMENT}\n[ 3] Anywhere (v6) on tailscale0 ALLOW IN    Anywhere (v6)              # clawops\n[ 4] 22/tcp (v6)                ALLOW IN    Anywhere (v6)              # ${FALLBACK_COMMENT}\n`;
    assert.deepEqual(fallbackRuleNumbers(numbered), [4, 2]);
  });
});

describe('fallback tick (in memory)', () => {
  const spec = (() => {
    const r = parseSpec('access: {sshFallback: {enabled: true, downAfterSec: 0, upAfterSec: 0}}\n');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.spec;
  })();
  function host(sshdT: string) {
    const ex = new RecorderExecutor();
    const state = { ts: 'stopped', sshd: false, rules: [] as string[] };
    ex.addDir('/var/lib/clawops', { mode: 0o700 });
    ex.script((argv) => {
      if (argv[0] !== 'sh' || argv[1] !== '-c') return undefined;
      const script = argv[2] ?? '';
      if (script.includes('tailscale status')) return state.ts.endsWith('.stderr') ? { exitCode: 1, stderr: fx(state.ts) } : { stdout: fx(`tailscale-${state.ts}.json`) };
      if (script.includes('-T')) return { stdout: sshdT };
      if (script.includes('[ -s')) return { stdout: argv.slice(4).filter((p) => p === '/home/alice/.ssh/authorized_keys').join('\n') };
      return undefined;
    });
    ex.on(['getent', 'passwd'], { stdout: 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n' });
    ex.on(['systemctl', 'show'], { stdout: 'loaded\n' });
    ex.on(['systemctl', 'is-active'], () => (state.sshd ? {} : { exitCode: 3 }));
    ex.on(['systemctl', 'start'], () => ((state.sshd = true), {}));
    ex.on(['systemctl', 'stop'], () => ((state.sshd = false), {}));
    ex.on(['ufw', 'allow'], (argv) => (state.rules.push(argv.join(' ')), {}));
    ex.on(['ufw', 'status', 'numbered'], () => ({ stdout: state.rules.map((_r, i) => `[ ${i + 1}] 22/tcp                     ALLOW IN    Anywhere                   # ${FALLBACK_COMMENT}`).join('\n') }));
    ex.on(['ufw', '--force', 'delete'], (argv) => (state.rules.splice(Number(argv[3]) - 1, 1), {}));
    return { ex, state };
  }
  const keyOnly = 'port 2222\npermitrootlogin prohibit-password\npubkeyauthentication yes\npasswordauthentication no\nkbdinteractiveauthentication no\n';

  it('refuses to open for a password-capable sshd, once, and the check says why', async () => {
    const { ex, state } = host(keyOnly.replace('passwordauthentication no', 'passwordauthentication yes'));
    const t1 = await fallbackTick(ex, spec, new Date());
    assert.equal(t1.transition, 'refused');
    assert.match(t1.summary, /PasswordAuthentication yes \(must be no\)/);
    assert.deepEqual(state.rules, []);
    assert.equal(state.sshd, false);
    assert.equal((await fallbackTick(ex, spec, new Date())).transition, null, 'the same refusal is not a new transition');
    const r = fallbackResult(spec, t1.record, new Date());
    assert.equal(r.status, 'fail');
  });

  it('opens the sshd port with its comment and starts sshd; closes it and stops sshd again when Tailscale is back', async () => {
    const { ex, state } = host(keyOnly);
    const opened = await fallbackTick(ex, spec, new Date());
    assert.equal(opened.transition, 'opened', opened.summary);
    assert.deepEqual(state.rules, [`ufw allow 2222/tcp comment ${FALLBACK_COMMENT}`]);
    assert.equal(state.sshd, true);
    assert.match(opened.summary, /keys for alice/);
    assert.equal(ex.files.get(fallbackRecordPath('/var/lib/clawops'))?.stat.mode, 0o600);
    assert.equal(fallbackResult(spec, opened.record, new Date()).status, 'fail');
    assert.equal((await fallbackTick(ex, spec, new Date())).transition, null, 'still down: nothing more');
    state.ts = 'running';
    const closed = await fallbackTick(ex, spec, new Date());
    assert.equal(closed.transition, 'closed', closed.summary);
    assert.deepEqual(state.rules, []);
    assert.equal(state.sshd, false, 'sshd as it was before');
    assert.equal(fallbackResult(spec, closed.record, new Date()).status, 'pass');
  });

  it('the timer exists only when the fallback is on', () => {
    assert.ok(renderTimers(spec).some((f) => f.path.endsWith('clawops-ssh-fallback.timer')));
    const service = renderTimers(spec).find((f) => f.path.endsWith('clawops-ssh-fallback.service'))!.content;
    assert.match(service, /^ProtectSystem=strict$/m);
    assert.match(service, /^ReadWritePaths=-\/etc\/ufw -\/var\/lib\/clawops -\/run$/m, 'writes only UFW\'s rules, its own state and /run');
    assert.match(service, /^CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_DAC_READ_SEARCH$/m);
    const off = parseSpec('{}\n');
    assert.ok(off.ok);
    assert.ok(!renderTimers(off.spec).some((f) => f.path.includes('ssh-fallback')));
  });
});
