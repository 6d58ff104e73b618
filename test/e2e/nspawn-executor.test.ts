/**
 * The nspawn executor against a real systemd container (the testbed): exit codes, stdin, env,
 * cwd, timeouts that kill the command inside, atomic writes with owner and mode, user drop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CommandError, ClawopsError } from '../../src/core/errors.ts';
import { nspawnExecutor } from '../../src/exec/nspawn.ts';
import { executorFor } from '../../src/exec/target.ts';
import { type Testbed, startTestbed, testbedSkipReason, timingsLine } from '../helpers/testbed.ts';

describe('nspawn executor in the testbed', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  before(async () => {
    tb = await startTestbed();
  });
  after(() => tb?.stop());

  test('reaches the container by name: hostname, PID 1 is systemd, target string', async (t) => {
    t.diagnostic(timingsLine(tb));
    const ex = executorFor(`nspawn:${tb.name}`);
    assert.equal(ex.target, `nspawn:${tb.name}`);
    assert.equal((await ex.run(['hostname'])).stdout.trim(), tb.name);
    assert.equal((await ex.run(['cat', '/proc/1/comm'])).stdout.trim(), 'systemd');
    const links = (await ex.run(['ip', '-o', 'link'])).stdout.trim().split('\n');
    assert.deepEqual(links.map((l) => l.split(':')[1]?.trim()), ['lo'], 'private network: only lo');
  });

  test('exit codes: returned with allowFailure, else a CommandError carrying them', async () => {
    const r = await tb.executor.run(['sh', '-c', 'echo out; echo err >&2; exit 3'], { allowFailure: true });
    assert.equal(r.exitCode, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    await assert.rejects(tb.executor.run(['sh', '-c', 'echo boom >&2; exit 7']), (e: unknown) => {
      assert.ok(e instanceof CommandError);
      assert.equal(e.failure.exitCode, 7);
      assert.equal(e.failure.target, `nspawn:${tb.name}`);
      assert.deepEqual(e.failure.argv, ['sh', '-c', 'echo boom >&2; exit 7']);
      assert.match(e.message, /exited with code 7: boom/);
      return true;
    });
    const missing = await tb.executor.run(['no-such-program-here'], { allowFailure: true });
    assert.equal(missing.exitCode, 127);
  });

  test('stdin, env and cwd reach the command; the environment is clean', async () => {
    const r = await tb.executor.run(['sh', '-c', 'read -r line; echo "$line|$FOO|$(pwd)|${SECRET_FROM_HOST:-unset}"'], {
      stdin: 'from-stdin\n',
      env: { FOO: 'bar' },
      cwd: '/var/tmp',
    });
    assert.equal(r.stdout, 'from-stdin|bar|/var/tmp|unset\n');
    const big = Buffer.alloc(3 * 1024 * 1024, 'x');
    const sum = await tb.executor.run(['wc', '-c'], { stdin: big });
    assert.equal(sum.stdout.trim(), String(big.length));
  });

  test('a timeout kills the command inside the container', async () => {
    const marker = `clawops-timeout-${process.pid}`;
    const t0 = performance.now();
    const r = await tb.executor.run(['bash', '-c', `exec -a ${marker} sleep 60`], { timeoutMs: 500, allowFailure: true });
    assert.equal(r.timedOut, true);
    assert.ok(performance.now() - t0 < 5000, 'returned soon after the timeout');
    await assert.rejects(tb.executor.run(['sleep', '60'], { timeoutMs: 300 }), (e: unknown) => e instanceof CommandError && e.failure.timedOut);
    // live processes only: a killed one may be a zombie for a moment, until the container's init reaps it
    const survivors = async () =>
      (await tb.executor.run(['ps', '-eo', 'stat=,args='])).stdout
        .split('\n')
        .filter((l) => !l.trim().startsWith('Z') && (l.includes(marker) || /\bsleep 60\b/.test(l)));
    let left = await survivors();
    for (let i = 0; i < 20 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await survivors();
    }
    assert.deepEqual(left, [], 'no timed-out command left running inside');
  });

  test('writeFile is atomic with owner, group and mode; readFile and stat see it', async () => {
    const ex = tb.executor;
    await ex.run(['mkdir', '-p', '/etc/clawops-test']);
    const path = '/etc/clawops-test/app.conf';
    assert.equal(await ex.readFile(path), null);
    assert.equal(await ex.stat(path), null);
    await ex.writeFile(path, 'one\n', { mode: 0o640, owner: 'root', group: 'adm' });
    let st = await ex.stat(path);
    assert.ok(st);
    assert.deepEqual([st.type, st.mode, st.owner, st.group, st.size], ['file', 0o640, 'root', 'adm', 4]);
    assert.equal((await ex.readFile(path))?.toString(), 'one\n');
    const inode = (await ex.run(['stat', '-c', '%i', path])).stdout.trim();
    const binary = Buffer.from([0, 1, 2, 255, 10, 0]);
    await ex.writeFile(path, binary, { mode: 0o600 });
    st = await ex.stat(path);
    assert.deepEqual([st?.mode, st?.owner, st?.size], [0o600, 'root', binary.length]);
    assert.deepEqual(await ex.readFile(path), binary);
    assert.notEqual((await ex.run(['stat', '-c', '%i', path])).stdout.trim(), inode, 'replaced by rename, not rewritten in place');
    const dir = await ex.run(['ls', '-A', '/etc/clawops-test']);
    assert.equal(dir.stdout, 'app.conf\n', 'no temp files left behind');
    assert.equal((await ex.stat('/etc/clawops-test'))?.type, 'directory');
    assert.equal((await ex.stat('/bin'))?.type, 'symlink');
    // the no-follow write (core/safe-fs.ts) names a missing directory as such
    await assert.rejects(ex.writeFile('/no/such/dir/x', 'x', { mode: 0o644 }), (e: unknown) => e instanceof ClawopsError && /no such directory/.test(e.message));
  });

  test('user drop: commands and files as an unprivileged user', async () => {
    const ex = tb.executor;
    await ex.run(['useradd', '--create-home', '--shell', '/bin/bash', 'clawtest']);
    const r = await ex.run(['sh', '-c', 'id -un; echo $HOME; touch "$HOME/mine"; stat -c %U "$HOME/mine"'], { user: 'clawtest' });
    assert.equal(r.stdout, 'clawtest\n/home/clawtest\nclawtest\n');
    const denied = await ex.run(['cat', '/etc/shadow'], { user: 'clawtest', allowFailure: true });
    assert.equal(denied.exitCode, 1);
    await ex.writeFile('/home/clawtest/.profile-clawops', 'x=1\n', { mode: 0o600, owner: 'clawtest', group: 'clawtest' });
    const st = await ex.stat('/home/clawtest/.profile-clawops');
    assert.deepEqual([st?.owner, st?.group, st?.mode], ['clawtest', 'clawtest', 0o600]);
    assert.equal((await ex.run(['cat', '/home/clawtest/.profile-clawops'], { user: 'clawtest' })).stdout, 'x=1\n');
  });

  test('a container that is not running is a clear error', async () => {
    const ex = nspawnExecutor('clawops-no-such-testbed');
    await assert.rejects(ex.run(['true']), (e: unknown) => {
      assert.ok(e instanceof ClawopsError);
      assert.match(String(e.message) + String(e.cause ?? ''), /no running container named clawops-no-such-testbed/);
      return true;
    });
  });
});
