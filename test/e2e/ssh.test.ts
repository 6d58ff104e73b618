/**
 * The SSH executor against a real sshd on 127.0.0.1 (test/helpers/sshd.ts): remote exit codes,
 * stderr, stdin, env/cwd/user, timeouts that kill the remote work, host-key refusals with a hint
 * that works, multiplexing (measured), close(), and the shared file operations over ssh.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ClawopsError, CommandError } from '../../src/core/errors.ts';
import { ShellExecutor } from '../../src/exec/shell-executor.ts';
import { parseSshUrl, SshTransport } from '../../src/exec/ssh.ts';
import { executorFor } from '../../src/exec/target.ts';
import { startSshd, sshdSkipReason, type Sshd } from '../helpers/sshd.ts';

function alive(pid: number): boolean {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return st.slice(st.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end && alive(pid); ) await new Promise((r) => setTimeout(r, 25));
  return !alive(pid);
}

describe('ssh executor against a real loopback sshd', { skip: sshdSkipReason(), timeout: 180_000 }, () => {
  let sshd: Sshd;
  let transport: SshTransport;
  let ex: ShellExecutor;
  let scratch: string;
  const others: SshTransport[] = [];
  const other = (over: Partial<ReturnType<typeof parseSshUrl>>) => {
    const t = new SshTransport({ ...parseSshUrl(sshd.url), ...over });
    others.push(t);
    return new ShellExecutor(t);
  };

  before(async () => {
    sshd = await startSshd();
    transport = new SshTransport(parseSshUrl(sshd.url));
    ex = new ShellExecutor(transport);
    scratch = realpathSync(mkdtempSync(join(tmpdir(), 'clawops-ssh-files-')));
  });
  after(async () => {
    await ex?.close();
    for (const t of others) await t.close();
    await sshd?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('multiplexes: the second command reuses the master connection (its pid; the times are printed)', async (t) => {
    let t0 = performance.now();
    await ex.run(['true']);
    const first = performance.now() - t0;
    const master = await transport.masterPid();
    assert.ok(master && alive(master), 'a master connection runs after the first command');
    const n = 10;
    t0 = performance.now();
    for (let i = 0; i < n; i++) await ex.run(['true']);
    const muxed = (performance.now() - t0) / n;
    assert.equal(await transport.masterPid(), master, 'the same master served them');
    const direct = other({});
    t0 = performance.now();
    await direct.run(['true']);
    const fresh = performance.now() - t0;
    await direct.close();
    t.diagnostic(`ssh latency: first command ${first.toFixed(0)} ms (connect + auth), multiplexed ${muxed.toFixed(0)} ms (mean of ${n}), another fresh connection ${fresh.toFixed(0)} ms`);
    // the proof is the master's pid above; the times are a measurement (a loaded runner can reorder them), not an assertion
  });

  it('returns remote output, exit codes and stderr', async () => {
    const ok = await ex.run(['sh', '-c', 'echo "$(id -un) here"; echo note >&2']);
    assert.equal(ok.stdout, 'root here\n');
    assert.equal(ok.stderr, 'note\n');
    const e = await ex.run(['sh', '-c', 'echo out; echo "remote broke" >&2; exit 7'], { allowFailure: true });
    assert.deepEqual([e.exitCode, e.stdout, e.stderr, e.timedOut], [7, 'out\n', 'remote broke\n', false]);
    await assert.rejects(ex.run(['sh', '-c', 'echo "remote broke" >&2; exit 7']), (err: unknown) => {
      assert.ok(err instanceof CommandError);
      assert.equal(err.commandExitCode, 7);
      assert.match(err.message, new RegExp(`^command \`sh -c .*\` on ssh://root@127\\.0\\.0\\.1:${sshd.port} exited with code 7: remote broke$`));
      return true;
    });
    const missing = await ex.run(['clawops-no-such-program-x9'], { allowFailure: true });
    assert.equal(missing.exitCode, 127);
    assert.match(missing.stderr, /No such file or directory/);
  });

  it('sends stdin (binary) to the remote command, quotes arguments, passes env, cwd and user', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.deepEqual((await ex.run(['cat'], { stdin: bytes })).stdoutBytes, bytes);
    const tricky = `a b 'c' "d" $HOME \`x\` ; rm -rf /nonexistent`;
    assert.equal((await ex.run(['printf', '%s', tricky])).stdout, tricky);
    const r = await ex.run(['sh', '-c', 'pwd; echo "$FOO"; read x; echo "got $x"'], { cwd: scratch, env: { FOO: 'v 1' }, stdin: 'line\n' });
    assert.equal(r.stdout, `${scratch}\nv 1\ngot line\n`);
    assert.equal((await ex.run(['id', '-un'], { user: 'nobody' })).stdout, 'nobody\n');
  });

  it('a timeout kills the remote command and what it started', { timeout: 30_000 }, async () => {
    const e = await ex.run(['sh', '-c', 'sleep 300 & echo $!; wait'], { timeoutMs: 1000, allowFailure: true });
    assert.equal(e.timedOut, true);
    assert.ok(e.durationMs < 8000, `came back after ${e.durationMs} ms`);
    assert.doesNotMatch(e.stderr, /timeout: sending signal/, 'the marker line is consumed');
    const remoteSleep = Number(e.stdout.trim());
    assert.ok(remoteSleep > 1, `remote pid printed: ${e.stdout}`);
    assert.ok(await waitGone(remoteSleep, 5000), `remote sleep ${remoteSleep} must be dead`);

    const stubborn = await ex.run(['sh', '-c', 'trap "" TERM; sleep 300 & echo $!; wait; wait'], { timeoutMs: 500, allowFailure: true });
    assert.equal(stubborn.timedOut, true);
    assert.ok(await waitGone(Number(stubborn.stdout.trim()), 6000), 'a TERM-ignoring remote command is KILLed');
    await assert.rejects(ex.run(['sleep', '30'], { timeoutMs: 300 }), (err: unknown) => err instanceof CommandError && err.timedOut && /timed out after/.test(err.message));
  });

  it('refuses an unknown host key with a hint that works, and never adds the key itself', async () => {
    const empty = join(scratch, 'empty_known_hosts');
    writeFileSync(empty, '');
    const stranger = other({ knownHostsFile: empty });
    await assert.rejects(stranger.run(['true']), (err: unknown) => {
      assert.ok(err instanceof ClawopsError && !(err instanceof CommandError), String(err));
      assert.match(err.message, /^the host key of ssh:\/\/root@127\.0\.0\.1:\d+ is not trusted \(not in .*empty_known_hosts\); refusing to connect$/);
      assert.match(err.hint ?? '', new RegExp(`ssh-keyscan -p ${sshd.port} 127\\.0\\.0\\.1`));
      assert.match(err.hint ?? '', /never accepts host keys/);
      assert.ok(err.cause instanceof CommandError && /Host key verification failed/.test(err.cause.stderr));
      return true;
    });
    assert.equal(readFileSync(empty, 'utf8'), '', 'known_hosts untouched');
    await assert.rejects(stranger.readFile('/etc/hostname'), /not trusted/, 'file operations are refused too');

    // follow the hint: keyscan, compare fingerprints, append
    const scan = spawnSync('ssh-keyscan', ['-p', String(sshd.port), '-t', 'ed25519', '127.0.0.1'], { encoding: 'utf8' });
    assert.ok(scan.stdout.includes(sshd.hostKeyPub), 'keyscan returns the real host key');
    appendFileSync(empty, scan.stdout);
    assert.equal((await stranger.run(['echo', 'trusted'])).stdout, 'trusted\n');
  });

  it('refuses a changed host key, saying how to replace it', async () => {
    const kh = join(scratch, 'changed_known_hosts');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'impostor')]);
    const impostor = readFileSync(join(scratch, 'impostor.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${impostor}\n`);
    await assert.rejects(other({ knownHostsFile: kh }).run(['true']), (err: unknown) => {
      assert.ok(err instanceof ClawopsError);
      assert.match(err.message, /host key of .* has changed since it was trusted/);
      assert.match(err.hint ?? '', new RegExp(`ssh-keygen -R '\\[127\\.0\\.0\\.1\\]:${sshd.port}' -f ${kh}`));
      return true;
    });
    assert.equal(readFileSync(kh, 'utf8'), `[127.0.0.1]:${sshd.port} ${impostor}\n`);
  });

  it('reports a refused login and an unreachable port as ClawopsErrors with hints', async () => {
    const wrongKey = join(scratch, 'impostor');
    if (!existsSync(wrongKey)) spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    await assert.rejects(other({ identityFile: wrongKey }).run(['true']), (err: unknown) => {
      assert.ok(err instanceof ClawopsError);
      assert.match(err.message, /refused the login of root \(.*Permission denied \(publickey\)\.\)/);
      assert.match(err.hint ?? '', /authorized_keys/);
      return true;
    });
    const closed = other({ port: 1, connectTimeoutSec: 3 });
    await assert.rejects(closed.run(['true']), (err: unknown) => {
      assert.ok(err instanceof ClawopsError);
      assert.match(err.message, /^cannot connect to ssh:\/\/root@127\.0\.0\.1:1: .*Connection refused$/);
      return true;
    });
    // a server that accepts but never speaks: ConnectTimeout bounds the wait
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const t0 = Date.now();
      await assert.rejects(other({ port, connectTimeoutSec: 1 }).run(['true']), (err: unknown) => {
        assert.ok(err instanceof ClawopsError);
        assert.match(err.message, /^cannot connect to .*timed out during banner exchange/);
        assert.match(err.hint ?? '', /connectTimeout/);
        return true;
      });
      assert.ok(Date.now() - t0 < 8000, 'gave up after about ConnectTimeout');
    } finally {
      silent.close();
    }
  });

  it('readFile, writeFile (atomic, owner and mode) and stat over ssh', async () => {
    const p = join(scratch, 'remote.conf');
    assert.equal(await ex.readFile(p), null);
    assert.equal(await ex.stat(p), null);
    const bin = Buffer.concat([Buffer.from('KEY=1\n'), Buffer.from([0, 1, 2, 255, 254, 10])]);
    await ex.writeFile(p, bin, { mode: 0o640, owner: 'nobody', group: 'nogroup' });
    assert.deepEqual(await ex.readFile(p), bin);
    assert.deepEqual(readFileSync(p), bin);
    const st = await ex.stat(p);
    assert.deepEqual([st?.type, st?.mode, st?.owner, st?.group, st?.size], ['file', 0o640, 'nobody', 'nogroup', bin.length]);
    assert.equal((await ex.stat(scratch))?.type, 'directory');
  });

  it('executorFor(--target ssh://...?identity=&knownHosts=) reaches the host, and so does its reopened confirmation connection', async () => {
    const viaTarget = executorFor(sshd.url);
    try {
      assert.equal((await viaTarget.run(['echo', 'via target'])).stdout, 'via target\n');
      assert.equal(viaTarget.target, `ssh://root@127.0.0.1:${sshd.port}`);
      // the firewall guard's confirmation: a new connection with the URL's port, identity and known_hosts
      const again = viaTarget.reopen!();
      try {
        assert.equal((await again.run(['echo', 'confirmed'])).stdout, 'confirmed\n');
        assert.equal(again.target, viaTarget.target);
      } finally {
        await again.close();
      }
    } finally {
      await viaTarget.close();
    }
  });

  it('a clawops process that exits without close() still stops its master and removes the socket dir', { timeout: 60_000 }, async () => {
    const mod = new URL('../../src/exec/ssh.ts', import.meta.url).href;
    const script = `
      const { SshTransport, parseSshUrl } = await import(${JSON.stringify(mod)});
      const { ShellExecutor } = await import(${JSON.stringify(new URL('../../src/exec/shell-executor.ts', import.meta.url).href)});
      const t = new SshTransport(parseSshUrl(process.argv[1]));
      await new ShellExecutor(t).run(['true']);
      console.log(JSON.stringify({ pid: await t.masterPid(), dir: t.controlDirectory }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, sshd.url], { encoding: 'utf8', timeout: 50_000 });
    assert.equal(r.status, 0, r.stderr);
    const { pid, dir } = JSON.parse(r.stdout) as { pid: number; dir: string };
    assert.ok(pid > 0 && dir);
    assert.ok(await waitGone(pid, 5000), 'master exited with the process');
    assert.ok(!existsSync(dir), 'control dir removed');
  });

  it('close() stops the master connection and removes its socket directory', async () => {
    const t = new SshTransport(parseSshUrl(sshd.url));
    const e = new ShellExecutor(t);
    await e.run(['true']);
    const master = await t.masterPid();
    const dir = t.controlDirectory;
    assert.ok(master && alive(master) && dir && existsSync(dir));
    await e.close();
    assert.ok(await waitGone(master, 5000), 'master exited');
    assert.ok(!existsSync(dir), 'control dir removed');
  });
});
