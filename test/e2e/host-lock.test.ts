/**
 * The host lock on a real systemd host (the nspawn testbed), through the CLI as operators and timers
 * run it (`src/cli.ts --target nspawn:<testbed>`), for every command that changes a host:
 *
 * 1. two commands of one kind started together: exactly one takes the lock, the other fails at once
 *    (--wait 0) naming the winner's pid, command and start time;
 * 2. a third one waiting (--wait 30) says whom it waits for; `kill -9` of the holder frees the lock
 *    and the waiter holds it within about a second;
 * 3. an operator's read-only `clawops check` runs while the lock is held and never waits;
 * 4. the service user cannot plant a symlink at the lock path to make root write another file.
 *
 * CLAWOPS_TEST_HOLD_LOCK_MS makes each command pause right after taking the lock, before any work:
 * no command here changes anything but the lock file (the commands that need an OpenClaw install
 * are killed before their real work).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Testbed, startTestbed, testbedSkipReason } from '../helpers/testbed.ts';
import { CLI } from './apply-cli.ts';

const STATE = '/var/lib/clawops';
const LOCK = `${STATE}/lock`;

interface Running {
  child: ChildProcess;
  pid: number;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

/** A spec with a provider key by file reference (what `rotate key` needs before it takes the lock). */
const KEY_FILE = '/etc/clawops/standin-key';
const KEYED_SPEC = `providers:
  standin:
    baseUrl: http://127.0.0.1:9/v1
    apiKey: { file: ${KEY_FILE} }
    models: [{ id: standin-1, name: Stand-in 1 }]
`;

const KINDS: { name: string; args: string[]; spec?: string; newValue?: true }[] = [
  { name: 'apply', args: ['apply', '--yes'] },
  { name: 'undo', args: ['undo'] },
  { name: 'upgrade 2026.9.6', args: ['upgrade', '2026.9.6', '--yes'] },
  { name: 'rollback', args: ['rollback', '--yes'] },
  { name: 'rotate gateway-token', args: ['rotate', 'gateway-token'] },
  { name: 'backup run', args: ['backup', 'run'] },
  { name: 'backup restore', args: ['backup', 'restore', 'latest', '--to', '/root/restored'] },
  { name: 'drill', args: ['drill'] },
  { name: 'standby sync', args: ['standby', 'sync', '--yes'] },
  { name: 'check --profile health', args: ['check', '--profile', 'health', '--format', 'prom'] },
  { name: 'rotate key provider:standin', args: ['rotate', 'key', 'provider:standin'], spec: KEYED_SPEC, newValue: true },
  { name: 'emergency contain', args: ['emergency', 'contain', '--reason', 'lock test'] },
  { name: 'emergency cost-stop', args: ['emergency', 'cost-stop', '--reason', 'lock test'] },
  { name: 'emergency lift', args: ['emergency', 'lift'] },
  { name: 'fallback tick', args: ['fallback', 'tick'] },
  { name: 'pairing approve telegram', args: ['pairing', 'approve', 'telegram', 'ABCD2345'] },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Maybe<T> = Promise<T | undefined> | T | undefined;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function until<T>(what: string, fn: () => Maybe<T>, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

describe('the host lock on the testbed, through the CLI', { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  const local = mkdtempSync(join(tmpdir(), 'clawops-host-lock-'));
  const live = new Set<ChildProcess>();

  function start(args: string[], env: Record<string, string> = {}): Running {
    const child = spawn(process.execPath, [CLI, '--target', `nspawn:${tb.name}`, ...args], {
      env: { ...process.env, NO_COLOR: '1', CLAWOPS_TEST_HOLD_LOCK_MS: '300000', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    live.add(child);
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
      child.on('close', (code, signal) => {
        live.delete(child);
        resolve({ code, signal, stderr });
      }),
    );
    assert.ok(child.pid);
    return { child, pid: child.pid, stderr: () => stderr, done };
  }

  /** The holder named in the lock file on the target (null when free or not written yet). */
  async function holder(): Promise<{ pid: number; command: string; startedAt: string; targetPid: number } | null> {
    const raw = (await tb.executor.readFile(LOCK))?.toString('utf8').trim();
    return raw ? JSON.parse(raw) : null;
  }

  async function lockIsFree(): Promise<boolean> {
    const r = await tb.executor.run(['flock', '-n', LOCK, 'true'], { allowFailure: true });
    return r.exitCode === 0;
  }

  before(async () => {
    tb = await startTestbed();
    await tb.executor.run(['install', '-d', '-m', '0700', '/etc/clawops']);
    await tb.executor.writeFile(KEY_FILE, 'the-old-key-value-for-the-lock-test\n', { mode: 0o600, owner: 'root', group: 'root' });
  });
  after(async () => {
    for (const c of live) c.kill('SIGKILL');
    await tb?.stop();
    rmSync(local, { recursive: true, force: true });
  });

  for (const kind of KINDS) {
    const title = `${kind.name}: one of two proceeds, the other names it; kill -9 of the holder frees the lock at once`;
    test(title, async (t) => {
      const args = [...kind.args];
      if (kind.spec) {
        const spec = join(local, `${kind.args.join('-')}.yaml`);
        writeFileSync(spec, kind.spec);
        args.unshift('-f', spec);
      }
      if (kind.newValue) {
        const next = join(local, 'new-value');
        writeFileSync(next, 'a-new-key-value-for-the-lock-test\n', { mode: 0o600 });
        args.push('--from-file', next);
      }
      const a = start([...args, '--wait', '0']);
      const b = start([...args, '--wait', '0']);
      const first = await Promise.race([a.done.then(() => a), b.done.then(() => b)]);
      const loser = await first.done;
      const winner = first === a ? b : a;
      assert.equal(loser.code, 1, loser.stderr);
      const named = async () => {
        const h = await holder();
        return h?.pid === winner.pid ? h : undefined;
      };
      const held = await until('the winner\'s name in the lock file', named);
      assert.equal(held?.command, `clawops ${kind.name}`);
      const since = `since ${held.startedAt}; holder pid ${held.targetPid} on the target`;
      const who = `pid ${winner.pid} on ${hostname()}, ${since}`;
      const refusal = `another clawops command holds the lock on nspawn:${tb.name}: clawops ${kind.name} (${who})`;
      assert.ok(loser.stderr.includes(refusal), `loser's stderr:\n${loser.stderr}\nexpected:\n${refusal}`);
      assert.equal(winner.child.exitCode, null, 'the winner still runs');

      const waiter = start([...args, '--wait', '30']);
      const saysSo = () => (waiter.stderr().includes('waiting up to 30 s') ? true : undefined);
      await until('the waiter to say whom it waits for', saysSo);
      const by = `held by clawops ${escape(kind.name)} \\(pid ${winner.pid} `;
      const waits = `waiting up to 30 s for the lock on nspawn:${tb.name}: ${by}`;
      assert.match(waiter.stderr(), new RegExp(waits));
      const killed = performance.now();
      winner.child.kill('SIGKILL');
      const waiterHolds = async () => ((await holder())?.pid === waiter.pid ? true : undefined);
      await until('the waiter to hold the lock', waiterHolds, 10_000, 10);
      const ms = Math.round(performance.now() - killed);
      t.diagnostic(`${kind.name}: the waiter held the lock ${ms} ms after kill -9 of the holder`);
      assert.ok(ms < 1500, `${ms} ms`);

      waiter.child.kill('SIGKILL');
      const freed = performance.now();
      await until('the lock to be free', async () => ((await lockIsFree()) ? true : undefined), 10_000, 10);
      t.diagnostic(`${kind.name}: free ${Math.round(performance.now() - freed)} ms after kill -9 of the waiter`);
      // every command took the lock before anything else: none of them left a journal, record or staging dir
      const left = await tb.executor.run(['ls', '-A', STATE]);
      assert.deepEqual(left.stdout.split('\n').filter(Boolean), ['lock']);
    });
  }

  test('the timer\'s check waits for an apply; an operator\'s read-only check never does', async (t) => {
    const apply = start(['apply', '--yes', '--wait', '0']);
    await until('apply to hold the lock', async () => ((await holder())?.pid === apply.pid ? true : undefined));
    const t0 = performance.now();
    const operator = start(['check', '--profile', 'health', '--json'], { CLAWOPS_TEST_HOLD_LOCK_MS: '0' });
    const op = await operator.done;
    t.diagnostic(`read-only check under a held lock: exit ${op.code} in ${Math.round(performance.now() - t0)} ms`);
    assert.ok(op.code === 0 || op.code === 2, op.stderr);
    assert.doesNotMatch(op.stderr, /lock/);

    const timerArgs = ['check', '--profile', 'health', '--format', 'prom', '--wait', '1'];
    const timer = start(timerArgs, { CLAWOPS_TEST_HOLD_LOCK_MS: '0' });
    const tm = await timer.done;
    assert.equal(tm.code, 1);
    assert.match(tm.stderr, new RegExp(`waiting up to 1 s .*held by clawops apply \\(pid ${apply.pid} `));
    assert.match(tm.stderr, new RegExp(`holds the lock on nspawn:${tb.name}: clawops apply \\(pid ${apply.pid} `));
    // every check with --format prom so far was refused or killed before its write
    const textfile = '/var/lib/node_exporter/textfile_collector/clawops-health.prom';
    assert.equal(await tb.executor.stat(textfile), null, 'no textfile written');
    apply.child.kill('SIGKILL');
    await apply.done;
  });

  test('the service user cannot plant a symlink at the lock path to make root write another file', async () => {
    const sh = (cmd: string, user?: string) =>
      tb.executor.run(['sh', '-c', cmd], { allowFailure: true, ...(user ? { user } : {}) });
    await sh('id openclaw-svc >/dev/null 2>&1 || useradd --system --create-home openclaw-svc');
    await sh('printf "precious\\n" > /etc/victim; chmod 600 /etc/victim; rm -f /etc/created-by-root');
    const victim = async () => (await tb.executor.readFile('/etc/victim'))?.toString();

    // root's state dir: the user can neither plant nor replace anything in it
    const plant = await sh(`ln -sf /etc/victim ${LOCK}; echo x > ${STATE}/lock2`, 'openclaw-svc');
    assert.match(plant.stderr, /Permission denied/);
    assert.equal((await tb.executor.stat(LOCK))?.type, 'file');

    // a state dir someone gave to the service user: the planted symlinks are refused, never followed
    const spec = join(local, 'svc-state.yaml');
    writeFileSync(spec, 'stateDir: /srv/claw-state\n');
    const run = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const r = start(['-f', spec, ...args], { CLAWOPS_TEST_HOLD_LOCK_MS: '0' });
      void r.done.then(resolve);
    });
    for (const target of ['/etc/victim', '/etc/created-by-root']) {
      await sh('rm -rf /srv/claw-state; mkdir -p /srv/claw-state; chown openclaw-svc: /srv/claw-state');
      const p = await sh(`ln -s ${target} /srv/claw-state/lock`, 'openclaw-svc');
      assert.equal(p.exitCode, 0, p.stderr);
      const r = await run(['apply', '--yes', '--wait', '0']);
      assert.equal(r.code, 1);
      const refusing = /refusing the lock \/srv\/claw-state\/lock on nspawn:[^:]*: /;
      assert.match(r.stderr, new RegExp(`${refusing.source}/srv/claw-state is owned by uid \\d+, not root`));
      // the operator gives the dir back to root: the symlink the user left is still refused
      await sh('chown root:root /srv/claw-state');
      const again = await run(['backup', 'run', '--wait', '0']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`${refusing.source}/srv/claw-state/lock is a symbolic link`));
    }
    assert.equal(await victim(), 'precious\n', 'the victim was neither written nor truncated');
    assert.equal(await tb.executor.stat('/etc/created-by-root'), null, 'nothing was created through the dangling link');
  });
});
