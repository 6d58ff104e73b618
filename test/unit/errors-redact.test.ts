import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { causeChain, ClawopsError, CommandError, type CommandFailure } from '../../src/core/errors.ts';
import { forgetSecrets, redact, redactValue, registerSecret, REDACTED } from '../../src/core/redact.ts';

const REG = 'registered-secret-1a2b3c';
const CALL = 'per-call-secret-9z8y7x';

const failure = (over: Partial<CommandFailure> = {}): CommandFailure => ({
  argv: ['restic', '--password', CALL, 'init', REG],
  target: 'local',
  exitCode: 1,
  signal: null,
  timedOut: false,
  stdout: `out ${REG}\n`,
  stderr: `Fatal: wrong password ${CALL}\nsecond line ${REG}\n`,
  durationMs: 12,
  ...over,
});

/** Everything reachable from an error, as text: message, hint, failure, and the whole cause chain. */
function everything(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; cur && i < 12; i++) {
    if (cur instanceof Error) {
      parts.push(cur.message, cur.stack ?? '', JSON.stringify(cur), JSON.stringify(Object.entries(cur)));
      if (cur instanceof ClawopsError) parts.push(cur.hint ?? '');
      if (cur instanceof CommandError) parts.push(JSON.stringify(cur.failure));
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join('\n') + causeChain(e).join('\n');
}

describe('redaction', () => {
  afterEach(forgetSecrets);

  it('redact: registered and per-call values, short values ignored', () => {
    registerSecret(`  ${REG}\n`);
    registerSecret('short');
    assert.equal(redact(`a ${REG} b ${CALL} short`, [CALL]), `a ${REDACTED} b ${REDACTED} short`);
    assert.deepEqual(redactValue({ a: [REG], b: { c: `x${REG}` }, n: 1 }), { a: [REDACTED], b: { c: `x${REDACTED}` }, n: 1 });
  });

  it('CommandError: no secret in message, argv, stdout, stderr, hint or cause chain', () => {
    registerSecret(REG);
    const nested = new Error(`inner ${CALL}`, { cause: new Error(`innermost ${REG}`) });
    const e = new CommandError(failure(), { secrets: [CALL], hint: `retry without ${CALL}`, cause: nested });
    const text = everything(e);
    assert.ok(!text.includes(REG), text);
    assert.ok(!text.includes(CALL), text);
    assert.deepEqual(e.argv, ['restic', '--password', REDACTED, 'init', REDACTED]);
    assert.equal(e.stderr, `Fatal: wrong password ${REDACTED}\nsecond line ${REDACTED}\n`);
    assert.equal(e.hint, `retry without ${REDACTED}`);
    assert.equal(((e.cause as Error).cause as Error).message, `innermost ${REDACTED}`);
  });

  it('a real spawn error (ENOENT, with spawnargs) as cause keeps its code but loses the argv', () => {
    const r = spawnSync('/nonexistent/clawops-prog', ['--token', CALL]);
    assert.ok(r.error);
    assert.ok(JSON.stringify(r.error).includes(CALL), 'node puts argv on the error (spawnargs)');
    const e = new CommandError(failure({ exitCode: null, stderr: r.error.message }), { cause: r.error, secrets: [CALL] });
    assert.ok(!everything(e).includes(CALL));
    assert.equal((e.cause as NodeJS.ErrnoException).code, 'ENOENT');
  });

  it('a secret registered after the failure was built is still redacted where it is shown', () => {
    const e = new CommandError(failure({ argv: ['x'], stdout: '', stderr: `late ${REG}\n` }));
    registerSecret(REG);
    assert.ok(!causeChain(e).join('\n').includes(REG));
  });
});

describe('CommandError message (execa final-error style)', () => {
  it('is one line: command, target, how it ended, last stderr line', () => {
    const e = new CommandError(failure({ argv: ['sh', '-c', 'echo a\necho b'], stderr: 'one\r\ntwo\n\n' }));
    assert.equal(e.message, "command `sh -c 'echo a echo b'` on local exited with code 1: two");
    assert.equal(e.exitCode, 1);
    assert.equal(e.commandExitCode, 1);
    assert.equal(e.name, 'CommandError');
    assert.ok(e instanceof ClawopsError);
  });
  it('says how it ended: signal, timeout, output limit, not started', () => {
    assert.match(new CommandError(failure({ exitCode: null, signal: 'SIGKILL', stderr: '' })).message, /was killed by SIGKILL$/);
    const to = new CommandError(failure({ exitCode: null, signal: 'SIGTERM', timedOut: true, durationMs: 5001, stderr: '' }));
    assert.match(to.message, /timed out after 5001 ms$/);
    assert.match(to.hint ?? '', /did not finish in time on local/);
    const big = new CommandError(failure({ exitCode: null, signal: 'SIGTERM', outputLimitExceeded: true, stderr: '' }));
    assert.match(big.message, /killed for printing too much output/);
    assert.match(big.hint ?? '', /maxOutputBytes/);
    assert.match(new CommandError(failure({ exitCode: null, stderr: 'spawn x ENOENT' })).message, /could not be started: spawn x ENOENT$/);
    assert.match(new CommandError(failure({ argv: ['ufw'], exitCode: 127, stderr: '' })).hint ?? '', /check that ufw is installed and on PATH on local/);
  });
  it('truncates long commands and keeps only the tail of huge output', () => {
    const e = new CommandError(failure({ argv: ['echo', 'x'.repeat(500)], stdout: 'y'.repeat(200_000), stderr: `${'z'.repeat(200_000)}\nlast` }));
    assert.ok(e.message.length < 420, String(e.message.length));
    assert.ok(e.failure.stdout.length <= 64 * 1024 + 1);
    assert.ok(e.failure.stderr.endsWith('last'));
  });
});
