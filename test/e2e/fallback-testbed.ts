/**
 * The Tailscale-down SSH fallback on the converged whole-spec testbed (apply-openclaw-suite.ts):
 * the spec with the safety net off and the fallback on is applied (its timer runs every 10 s),
 * Tailscale is the stand-in `tailscale` replaying test/fixtures/fallback, sshd is the real one and
 * UFW the real one. A client in its own network namespace behind a veth pair plays the operator
 * coming in from the internet: only the port the fallback opens lets it in.
 *   - sshd as Debian ships it (passwords allowed): Tailscale down, the fallback refuses and says why;
 *   - key-only sshd, stopped, an operator account with a key: Tailscale down, the port opens within
 *     the window and sshd starts; a key login succeeds, a password login is refused; apply's plan
 *     leaves the fallback's rule alone;
 *   - Tailscale back: the port closes, sshd is stopped again as it was, the login times out;
 *   every transition is in the ledger.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { clawops } from './apply-cli.ts';
import type { Testbed } from '../helpers/testbed.ts';

const FIXTURES = new URL('../fixtures/fallback/', import.meta.url);
const STATE_DIR = '/run/clawops-standin-tailscale';
const KEY = '/root/fallback-key/id';
const HOST_IP = '10.231.0.1';

export interface FallbackTarget {
  tb(): Testbed;
  /** the suite's spec file (the example at this version) */
  specFile(): string;
  converged(): boolean;
}

interface Status { record: { open: boolean; refused: string | null; port: number | null; openedAt: string | null }; check: { status: string; evidence: string } }

export function fallbackTests(o: FallbackTarget): void {
  test('Tailscale-down SSH fallback: refused for a password sshd; key-only: opens within the window, a key login works and a password one does not; closes when Tailscale is back, sshd as before', { timeout: 900_000 }, async (t) => {
    if (!o.converged()) return t.skip('the fresh apply did not converge and pass the gate');
    const ex = o.tb().executor;
    const file = o.specFile().replace(/\.yaml$/, '-fallback.yaml');
    const downAfterSec = 5;
    writeFileSync(file, `${readFileSync(o.specFile(), 'utf8').replace(/sshSafetyNet: true/, 'sshSafetyNet: false')}\naccess:\n  sshFallback: { enabled: true, downAfterSec: ${downAfterSec}, upAfterSec: 0, intervalSec: 10 }\n`);
    const target = ['--target', `nspawn:${o.tb().name}`, '-f', file];
    const sh = (script: string, allowFailure = false) => ex.run(['sh', '-c', script], { allowFailure, timeoutMs: 60_000 });

    // the stand-in tailscale, up; the operator's client on the other side of a veth pair
    await ex.writeFile('/usr/local/bin/tailscale', readFileSync(new URL('../standins/tailscale.sh', import.meta.url)), { mode: 0o755, owner: 'root', group: 'root' });
    await sh(`mkdir -p ${STATE_DIR}`);
    for (const [src, dst] of [['tailscale-running.json', 'running.json'], ['tailscale-stopped.json', 'stopped.json'], ['tailscale-offline.json', 'offline.json'], ['tailscaled-not-running.stderr', 'daemon-down.stderr']]) {
      await ex.writeFile(`${STATE_DIR}/${dst}`, readFileSync(new URL(src!, FIXTURES)), { mode: 0o644, owner: 'root', group: 'root' });
    }
    const tailscale = (state: string) => ex.writeFile(`${STATE_DIR}/state`, `${state}\n`, { mode: 0o644, owner: 'root', group: 'root' });
    await tailscale('running');
    await sh(`ip netns add fbcli && ip link add fb0 type veth peer name fb1 && ip link set fb1 netns fbcli && ip addr add ${HOST_IP}/24 dev fb0 && ip link set fb0 up && ip netns exec fbcli ip addr add 10.231.0.2/24 dev fb1 && ip netns exec fbcli ip link set fb1 up`);
    const login = async (how: 'key' | 'password') => {
      const opts = how === 'key' ? `-i ${KEY}` : '-o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive';
      const r = await sh(`ip netns exec fbcli ssh ${opts} -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=3 ops@${HOST_IP} id -un`, true);
      return r.exitCode === 0 ? `ok ${r.stdout.trim()}` : r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`;
    };
    const status = async () => JSON.parse((await clawops(['--json', 'fallback', 'status', ...target])).stdout) as Status;
    const waitFor = async (what: string, ok: (s: Status) => boolean, maxMs: number): Promise<{ s: Status; ms: number }> => {
      const t0 = Date.now();
      let s = await status();
      while (!ok(s) && Date.now() - t0 < maxMs) {
        await new Promise((r) => setTimeout(r, 1000));
        s = await status();
      }
      assert.ok(ok(s), `${what} within ${maxMs} ms: ${JSON.stringify(s)}`);
      return { s, ms: Date.now() - t0 };
    };

    try {
      const applied = await clawops(['apply', '--yes', ...target], {}, 900_000);
      assert.equal(applied.code, 0, `${applied.stdout}\n${applied.stderr}`);
      assert.equal((await ex.run(['systemctl', 'is-active', 'clawops-ssh-fallback.timer'])).stdout.trim(), 'active');
      const exposure = JSON.parse((await clawops(['--json', 'check', '--only', 'monitoring.timers-exposure', ...target], {}, 300_000)).stdout) as { results: { status: string; evidence: string }[] };
      t.diagnostic(exposure.results[0]!.evidence);
      assert.equal(exposure.results[0]!.status, 'pass');
      assert.match(exposure.results[0]!.evidence, /clawops-ssh-fallback\.service \d/, 'the fallback\'s service is scored with the check jobs');
      assert.doesNotMatch((await ex.run(['ufw', 'status'])).stdout, /\b22\/tcp\b/, 'the safety net is gone: port 22 is closed');
      // the example spec does not install sshd: the testbed's offline repository has it
      await ex.run(['sh', '-c', 'command -v sshd >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssh-server >/dev/null'], { timeoutMs: 300_000 });
      await sh('systemctl is-active ssh || systemctl start ssh');
      assert.match(await login('key'), /Connection timed out/, 'closed: no way in from outside');

      // 1. sshd as Debian ships it lets passwords in: Tailscale goes down, the fallback refuses and says why
      await tailscale('stopped');
      const refused = await waitFor('a refusal', (s) => s.record.refused !== null, 60_000);
      t.diagnostic(`refused after ${refused.ms} ms: ${refused.s.record.refused}`);
      assert.match(refused.s.record.refused!, /PasswordAuthentication yes \(must be no\)/);
      assert.equal(refused.s.check.status, 'fail');
      assert.doesNotMatch((await ex.run(['ufw', 'status'])).stdout, /\b22\/tcp\b/);

      // 2. key-only, an operator account with a key, sshd stopped: the port opens within the window, sshd starts
      await sh(`printf 'PasswordAuthentication no\\nKbdInteractiveAuthentication no\\n' > /etc/ssh/sshd_config.d/50-keyonly.conf
        id ops >/dev/null 2>&1 || useradd -m -s /bin/bash ops
        mkdir -p ${KEY.replace(/\/id$/, '')} && [ -f ${KEY} ] || ssh-keygen -q -t ed25519 -N '' -f ${KEY}
        install -d -m 700 -o ops -g ops /home/ops/.ssh && install -m 600 -o ops -g ops ${KEY}.pub /home/ops/.ssh/authorized_keys
        echo 'ops:correct-horse-battery' | chpasswd
        systemctl stop ssh`);
      // Tailscale back for a tick (the down clock restarts), then down again: the window is measured from here
      await tailscale('running');
      await waitFor('the refusal cleared', (s) => s.record.refused === null, 30_000);
      await tailscale('daemon-down');
      const opened = await waitFor('the port open', (s) => s.record.open, (downAfterSec + 10 + 20) * 1000);
      t.diagnostic(`opened ${opened.ms} ms after Tailscale went down (window ${downAfterSec} s, timer every 10 s): ${opened.s.check.evidence}`);
      assert.ok(opened.ms >= downAfterSec * 1000 - 1000, 'not before the window');
      assert.equal(opened.s.check.status, 'fail', 'an open fallback is a failing check: it alerts');
      assert.match((await ex.run(['ufw', 'status'])).stdout, /^22\/tcp\s+ALLOW\s+Anywhere\s+# clawops: tailscale-down ssh fallback$/m);
      assert.equal((await ex.run(['systemctl', 'is-active', 'ssh'], { allowFailure: true })).stdout.trim(), 'active');
      assert.equal(await login('key'), 'ok ops', 'a key login from outside');
      assert.match(await login('password'), /Permission denied \(publickey\)/, 'no password login');
      const plan = await clawops(['plan', ...target], {}, 600_000);
      assert.doesNotMatch(plan.stdout, /ufw delete allow 22/, 'apply leaves the open fallback\'s rule alone');

      // 3. Tailscale back: closed, sshd stopped again as it was, no way in
      await tailscale('running');
      const closed = await waitFor('the port closed', (s) => !s.record.open, 40_000);
      t.diagnostic(`closed after ${closed.ms} ms: ${closed.s.check.evidence}`);
      assert.equal(closed.s.check.status, 'pass');
      assert.doesNotMatch((await ex.run(['ufw', 'status'])).stdout, /\b22\/tcp\b/);
      assert.equal((await ex.run(['systemctl', 'is-active', 'ssh'], { allowFailure: true })).stdout.trim(), 'inactive', 'sshd as before the fallback');
      assert.match(await login('key'), /Connection timed out/);
      const events = (await ex.run(['node', '-e', "const { DatabaseSync } = require('node:sqlite'); for (const r of new DatabaseSync('/var/lib/clawops/ledger.db', { readOnly: true }).prepare(\"SELECT summary FROM events WHERE kind = 'fallback' ORDER BY id\").all()) console.log(r.summary)"])).stdout.trim().split('\n');
      t.diagnostic(events.join('\n'));
      assert.deepEqual(events.map((e) => e.split(':')[0]), ['fallback refused', 'SSH fallback OPEN', 'SSH fallback closed']);
    } finally {
      await ex.run(['systemctl', 'disable', '--now', 'clawops-ssh-fallback.timer'], { allowFailure: true });
      await sh('ip netns del fbcli; ip link del fb0; rm -f /usr/local/bin/tailscale', true);
    }
  });
}
