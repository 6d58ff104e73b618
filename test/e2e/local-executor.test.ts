import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localExecutor } from '../../src/exec/local.ts';
import { spawnLocal } from '../../src/exec/process.ts';
import { loadRecording, RecordingExecutor, replayExecutor } from '../helpers/exec/replay.ts';
import { CommandError } from '../../src/core/errors.ts';
import { forgetSecrets, registerSecret } from '../../src/core/redact.ts';

const isRoot = process.getuid?.() === 0;

/** true while the PID exists and is not a zombie */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

async function rejection(p: Promise<unknown>): Promise<CommandError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CommandError, `expected CommandError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the command to fail');
}

describe('local executor (real processes)', () => {
  const ex = localExecutor();
  let dir: string;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'clawops-local-')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('returns output and exit 0; a non-zero exit is a one-line CommandError with all the facts', async () => {
    const ok = await ex.run(['sh', '-c', 'echo out; echo err >&2']);
    assert.equal(ok.exitCode, 0);
    assert.equal(ok.stdout, 'out\n');
    assert.equal(ok.stderr, 'err\n');

    const e = await rejection(ex.run(['sh', '-c', 'echo first >&2; echo "it broke" >&2; exit 3']));
    assert.equal(e.commandExitCode, 3);
    assert.equal(e.exitCode, 1, 'clawops exit code stays 1');
    assert.equal(e.signal, null);
    assert.equal(e.timedOut, false);
    assert.deepEqual(e.argv, ['sh', '-c', 'echo first >&2; echo "it broke" >&2; exit 3']);
    assert.equal(e.stderr, 'first\nit broke\n');
    assert.ok(e.durationMs >= 0);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, /^command `sh -c .*` on local exited with code 3: it broke$/);

    const soft = await ex.run(['sh', '-c', 'exit 3'], { allowFailure: true });
    assert.equal(soft.exitCode, 3);
  });

  it('reports death by signal', async () => {
    const e = await rejection(ex.run(['sh', '-c', 'kill -TERM $$']));
    assert.equal(e.signal, 'SIGTERM');
    assert.equal(e.commandExitCode, null);
    assert.match(e.message, /was killed by SIGTERM/);
  });

  it('feeds stdin (binary-safe) and closes it when none is given', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const r = await ex.run(['cat'], { stdin: bytes });
    assert.deepEqual(r.stdoutBytes, bytes);
    const empty = await ex.run(['cat'], { timeoutMs: 5000 });
    assert.equal(empty.stdout, '');
  });

  it('passes env on top of a clean environment, and cwd', async () => {
    process.env.CLAWOPS_TEST_LEAK_CANARY = 'should-not-leak';
    try {
      const r = await ex.run(['env'], { env: { FOO: 'bar baz' }, cwd: dir });
      assert.match(r.stdout, /^FOO=bar baz$/m);
      assert.match(r.stdout, /^LANG=C\.UTF-8$/m);
      assert.match(r.stdout, /^PATH=/m);
      assert.doesNotMatch(r.stdout, /CLAWOPS_TEST_LEAK_CANARY/);
    } finally {
      delete process.env.CLAWOPS_TEST_LEAK_CANARY;
    }
    assert.equal((await ex.run(['pwd'], { cwd: dir })).stdout.trim(), dir);
  });

  it('runs as another user with runuser, keeping env', { skip: isRoot ? false : 'needs root' }, async () => {
    const r = await ex.run(['sh', '-c', 'id -un; echo "$FOO"'], { user: 'nobody', env: { FOO: 'x1' } });
    assert.equal(r.stdout, 'nobody\nx1\n');
  });

  it('a timeout kills the whole process group, grandchildren included', { timeout: 15_000 }, async () => {
    const e = await rejection(ex.run(['sh', '-c', 'sleep 300 & echo $!; wait'], { timeoutMs: 300 }));
    assert.equal(e.timedOut, true);
    assert.ok(e.durationMs < 3000, `returned after ${e.durationMs} ms`);
    assert.match(e.message, /timed out after \d+ ms/);
    assert.match(e.hint ?? '', /did not finish in time/);
    const grandchild = Number(e.failure.stdout.trim());
    assert.ok(grandchild > 1, `grandchild pid printed: ${e.failure.stdout}`);
    assert.ok(await waitGone(grandchild, 3000), `grandchild sleep ${grandchild} must be dead`);
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', { timeout: 15_000 }, async () => {
    let pgid = 0;
    const started = Date.now();
    const r = await spawnLocal(['sh', '-c', 'trap "" TERM; sleep 300 & echo $!; wait; wait'], {
      timeoutMs: 200,
      killGraceMs: 300,
      onSpawn: (pid) => (pgid = pid),
    });
    assert.ok(pgid > 0);
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
    const grandchild = Number(r.stdout.toString().trim());
    assert.ok(await waitGone(grandchild, 3000), `TERM-ignoring grandchild ${grandchild} must be dead`);
    assert.ok(Date.now() - started < 5000);
  });

  it('kills a command that prints more than the output limit (even with allowFailure)', { timeout: 15_000 }, async () => {
    const e = await rejection(ex.run(['yes'], { maxOutputBytes: 100_000, allowFailure: true, timeoutMs: 10_000 }));
    assert.equal(e.failure.outputLimitExceeded, true);
    assert.equal(e.timedOut, false);
    assert.match(e.message, /too much output/);
    assert.ok(e.durationMs < 5000);
    const ok = await ex.run(['head', '-c', '100000', '/dev/zero'], { maxOutputBytes: 100_000 });
    assert.equal(ok.stdoutBytes.length, 100_000);
  });

  it('a program that does not exist is a CommandError with a hint', async () => {
    const e = await rejection(ex.run(['clawops-no-such-program-x9', '--flag']));
    assert.equal(e.commandExitCode, null);
    assert.match(e.message, /^command `clawops-no-such-program-x9 --flag` on local could not be started: /);
    assert.match(e.hint ?? '', /check that clawops-no-such-program-x9 is installed and on PATH on local/);
    assert.equal((e.cause as NodeJS.ErrnoException).code, 'ENOENT');
  });

  it('keeps secrets out of everything a failure carries', async () => {
    const registered = 'reg-secret-4f7a9c21';
    const perCall = 'call-secret-88d1e0b3';
    registerSecret(registered);
    try {
      const e = await rejection(
        ex.run(['sh', '-c', `echo ${registered} ${perCall} >&2; exit 1`, 'sh', perCall], { secrets: [perCall] }),
      );
      const all = JSON.stringify({ m: e.message, h: e.hint, f: e.failure });
      assert.ok(!all.includes(registered) && !all.includes(perCall), all);
      assert.match(e.stderr, /\[REDACTED\] \[REDACTED\]/);
      const missing = await rejection(ex.run([`/nonexistent/${perCall}`, registered], { secrets: [perCall] }));
      const chain = JSON.stringify({ m: missing.message, f: missing.failure, c: String(missing.cause), s: (missing.cause as Error).stack, o: missing.cause });
      assert.ok(!chain.includes(registered) && !chain.includes(perCall), chain);
    } finally {
      forgetSecrets();
    }
  });

  it('records a real conversation and replays it offline', async () => {
    const file = join(dir, 'hostname.txt');
    writeFileSync(file, 'vps-1\n');
    const rec = new RecordingExecutor(ex);
    const live = {
      uname: (await rec.run(['uname', '-s'])).stdout,
      missing: (await rec.run(['sh', '-c', 'exit 4'], { allowFailure: true })).exitCode,
      content: (await rec.readFile(file))?.toString(),
      size: (await rec.stat(file))?.size,
    };
    await rec.save(join(dir, 'rec.json'));
    const replay = replayExecutor(await loadRecording(join(dir, 'rec.json')));
    assert.deepEqual(
      {
        uname: (await replay.run(['uname', '-s'])).stdout,
        missing: (await replay.run(['sh', '-c', 'exit 4'], { allowFailure: true })).exitCode,
        content: (await replay.readFile(file))?.toString(),
        size: (await replay.stat(file))?.size,
      },
      live,
    );
    assert.deepEqual(live, { uname: 'Linux\n', missing: 4, content: 'vps-1\n', size: 6 });
  });

  it('overhead per command is small (measured)', async (t) => {
    const n = 100;
    const start = performance.now();
    for (let i = 0; i < n; i++) await ex.run(['true']);
    const avg = (performance.now() - start) / n;
    t.diagnostic(`local run overhead: ${avg.toFixed(2)} ms per command (mean of ${n} \`true\`)`);
    assert.ok(avg < 250, `mean ${avg} ms`);
  });
});
