import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError, ClawopsError } from '../../src/core/errors.ts';
import { forgetSecrets, registerSecret } from '../../src/core/redact.ts';
import { RecorderExecutor } from '../helpers/exec/recorder.ts';
import { commandKey, RecordingExecutor, replayExecutor, type ExecRecording } from '../helpers/exec/replay.ts';

describe('RecorderExecutor (facts in, commands out)', () => {
  it('answers by argv prefix or predicate; later scripts win; `times` falls through; unscripted exits 127', async () => {
    const ex = new RecorderExecutor()
      .on(['systemctl'], { stdout: 'generic\n' })
      .on(['systemctl', 'is-active', 'ssh'], { stdout: 'active\n' })
      .on((argv) => argv.includes('--json'), { stdout: '{"ok":true}' })
      .on(['systemctl', 'restart'], { exitCode: 1, stderr: 'Job failed\n' }, { times: 1 })
      .on(['id'], (argv) => ({ stdout: `${argv[1]}\n` }));
    assert.equal((await ex.run(['systemctl', 'is-active', 'ssh'])).stdout, 'active\n');
    assert.equal((await ex.run(['systemctl', 'status'])).stdout, 'generic\n');
    assert.equal((await ex.run(['tool', '--json'])).stdout, '{"ok":true}');
    assert.equal((await ex.run(['id', '-u'])).stdout, '-u\n');
    await assert.rejects(ex.run(['systemctl', 'restart', 'x']), (e: unknown) => e instanceof CommandError && e.commandExitCode === 1 && /Job failed/.test(e.message));
    assert.equal((await ex.run(['systemctl', 'restart', 'x'])).stdout, 'generic\n', 'the one-time failure is used up');
    const none = await ex.run(['ufw', 'status'], { allowFailure: true });
    assert.deepEqual([none.exitCode, none.stderr], [127, 'recorder: no script for ufw status']);
  });

  it('scripts signals and timeouts like the real executors report them', async () => {
    const ex = new RecorderExecutor().on(['slow'], { timedOut: true, signal: 'SIGTERM' }).on(['dies'], { signal: 'SIGKILL' });
    await assert.rejects(ex.run(['slow']), (e: unknown) => e instanceof CommandError && e.timedOut && /timed out/.test(e.message));
    const r = await ex.run(['dies'], { allowFailure: true });
    assert.deepEqual([r.exitCode, r.signal], [null, 'SIGKILL']);
  });

  it('keeps files in memory with stat, and logs calls without stdin content', async () => {
    const ex = new RecorderExecutor().addFile('/etc/a', 'A\n', { mode: 0o600 }).addDir('/etc/d');
    assert.equal((await ex.readFile('/etc/a'))?.toString(), 'A\n');
    assert.equal(await ex.readFile('/nope'), null);
    assert.deepEqual(await ex.stat('/etc/d'), { path: '/etc/d', size: 0, type: 'directory', mode: 0o755, uid: 0, gid: 0, owner: 'root', group: 'root', mtimeMs: (await ex.stat('/etc/d'))?.mtimeMs });
    await ex.writeFile('/etc/b', 'secret-content-value', { mode: 0o640, owner: 'svc', group: 'svc' });
    const st = await ex.stat('/etc/b');
    assert.deepEqual([st?.mode, st?.owner, st?.group, st?.size], [0o640, 'svc', 'svc', 20]);
    assert.equal(ex.text('/etc/b'), 'secret-content-value');
    await ex.run(['chpasswd'], { stdin: 'user:secret-content-value', user: 'root', cwd: '/', allowFailure: true });
    assert.deepEqual(ex.writes(), ['/etc/b']);
    assert.deepEqual(ex.commands(), [['chpasswd']]);
    assert.ok(!JSON.stringify(ex.calls).includes('secret-content-value'));
    assert.deepEqual(ex.calls.at(-1), { kind: 'run', argv: ['chpasswd'], user: 'root', cwd: '/', stdinBytes: 25 });
  });
});

describe('RecordingExecutor → recording → replayExecutor', () => {
  it('round-trips commands (with user), text and binary files, stats and absences', async () => {
    const host = new RecorderExecutor('ssh://root@h:22')
      .on(['openclaw', '--version'], { stdout: '2026.9.6\n' })
      .on(['ufw', 'status'], { exitCode: 1, stderr: 'ERROR: not root\n' })
      .addFile('/etc/hostname', 'vps1\n')
      .addFile('/bin/blob', Buffer.from([0xff, 0, 0xfe]), { mode: 0o755 })
      .addFile('/etc/shadow', 'root:!:1::::::\n', { mode: 0o640, group: 'shadow' });
    const rec = new RecordingExecutor(host);
    await rec.run(['openclaw', '--version'], { user: 'svc' });
    await assert.rejects(rec.run(['ufw', 'status']), CommandError);
    await rec.readFile('/etc/hostname');
    await rec.stat('/etc/hostname');
    await rec.readFile('/bin/blob');
    await rec.stat('/etc/shadow');
    await rec.readFile('/etc/missing');
    const file: ExecRecording = JSON.parse(JSON.stringify(rec.recording(new Date(0))));
    assert.equal(file.kind, 'clawops-exec-recording');
    assert.deepEqual(Object.keys(file.commands).sort(), ['@svc openclaw --version', 'ufw status']);
    assert.equal(file.files['/bin/blob']?.base64, Buffer.from([0xff, 0, 0xfe]).toString('base64'));
    assert.equal(file.files['/etc/missing'], null);

    const replay = replayExecutor(file);
    assert.equal(replay.target, 'replay:ssh://root@h:22');
    assert.equal((await replay.run(['openclaw', '--version'], { user: 'svc' })).stdout, '2026.9.6\n');
    assert.equal((await replay.run(['openclaw', '--version'], { allowFailure: true })).exitCode, 127, 'the user is part of the key');
    const ufw = await replay.run(['ufw', 'status'], { allowFailure: true });
    assert.deepEqual([ufw.exitCode, ufw.stderr], [1, 'ERROR: not root\n']);
    assert.equal((await replay.readFile('/etc/hostname'))?.toString(), 'vps1\n');
    assert.equal((await replay.stat('/etc/hostname'))?.size, 5);
    assert.deepEqual(await replay.readFile('/bin/blob'), Buffer.from([0xff, 0, 0xfe]));
    const shadow = await replay.stat('/etc/shadow');
    assert.deepEqual([shadow?.mode, shadow?.group, shadow?.size], [0o640, 'shadow', 15]);
    await assert.rejects(replay.readFile('/etc/shadow'), (e: unknown) => e instanceof ClawopsError && /only its stat was recorded/.test(e.message));
    assert.equal(await replay.readFile('/etc/missing'), null);
  });

  it('redacts registered secrets from the recording, keys included', async () => {
    const secret = 'gw-token-0123456789abcdef';
    registerSecret(secret);
    try {
      const host = new RecorderExecutor().on(['cat'], { stdout: `TOKEN=${secret}\n` }).addFile(`/run/${secret}`, `x ${secret}`);
      const rec = new RecordingExecutor(host);
      await rec.run(['cat', secret]);
      await rec.readFile(`/run/${secret}`);
      const text = JSON.stringify(rec.recording());
      assert.ok(!text.includes(secret), text);
      assert.match(text, /TOKEN=\[REDACTED\]/);
    } finally {
      forgetSecrets();
    }
  });

  it('command keys are unambiguous shell quoting', () => {
    assert.notEqual(commandKey(['a b']), commandKey(['a', 'b']));
    assert.equal(commandKey(['sh', '-c', "echo 'x'"]), "sh -c 'echo '\\''x'\\'''");
  });
});
