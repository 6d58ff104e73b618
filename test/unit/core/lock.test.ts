/**
 * The host lock (src/core/lock.ts) on this machine's kernel: a local executor, a temp state dir,
 * real util-linux flock. Two executors stand for two clawops commands (the lock is re-entrant per
 * executor); a child process stands for a clawops that is killed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ClawopsError } from '../../../src/core/errors.ts';
import { acquireLock, lendLock, LOCK_HOLDER_ENV, lockPath, withLock } from '../../../src/core/lock.ts';
import { localExecutor } from '../../../src/exec/local.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';

const root = mkdtempSync(join(tmpdir(), 'clawops-lock-'));
chmodSync(root, 0o755); // the unprivileged user of the symlink test must reach its dirs
after(() => rmSync(root, { recursive: true, force: true }));
const LOCK_TS = new URL('../../../src/core/lock.ts', import.meta.url).href;
const LOCAL_TS = new URL('../../../src/exec/local.ts', import.meta.url).href;
let n = 0;
const fresh = () => join(root, `s${n++}`);
/** Another clawops command: its own executor, no waiting unless asked. */
const take = (dir: string, command = 'x', waitSec = 0) => acquireLock(localExecutor(), dir, command, { waitSec });
const holderOf = (dir: string) => JSON.parse(readFileSync(lockPath(dir), 'utf8'));

test('one holder: the second command is refused with the holder named; free again after release', async () => {
  const state = fresh();
  const a = localExecutor();
  const b = localExecutor();
  const held = await acquireLock(a, state, 'clawops apply', { waitSec: 0 });
  const info = holderOf(state);
  const want = [process.pid, hostname(), 'clawops apply', held.info.startedAt];
  assert.deepEqual([info.pid, info.host, info.command, info.startedAt], want);
  assert.equal(info.targetPid, held.info.targetPid);
  assert.ok(existsSync(`/proc/${info.targetPid}`), 'the holder runs');
  assert.equal(statSync(lockPath(state)).mode & 0o777, 0o600);
  await assert.rejects(acquireLock(b, state, 'clawops rotate', { waitSec: 0 }), (e: unknown) => {
    assert.ok(e instanceof ClawopsError);
    const since = `since ${held.info.startedAt}; holder pid ${info.targetPid} on the target`;
    const who = `pid ${process.pid} on ${hostname()}, ${since}`;
    assert.ok(e.message.endsWith(`holds the lock on local: clawops apply (${who})`), e.message);
    assert.match(e.hint ?? '', /--wait SECONDS/);
    return true;
  });
  await held.release();
  assert.equal(readFileSync(lockPath(state), 'utf8'), '', 'the holder clears its name on release');
  assert.equal(existsSync(`/proc/${info.targetPid}`), false, 'the holder is gone');
  assert.equal(await withLock(b, state, 'clawops rotate', async () => 42, { waitSec: 0 }), 42);
});

test('--wait: a waiting command says who it waits for and takes the lock the moment it is released', async (t) => {
  const state = fresh();
  const a = localExecutor();
  const held = await acquireLock(a, state, 'clawops backup run', { waitSec: 0 });
  const notes: string[] = [];
  const t0 = performance.now();
  const waiting = acquireLock(localExecutor(), state, 'clawops apply', { waitSec: 20, note: (m) => notes.push(m) });
  while (notes.length === 0) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  const released = performance.now();
  await held.release();
  const second = await waiting;
  const ms = performance.now() - released;
  t.diagnostic(`waited ${Math.round(performance.now() - t0)} ms; acquired ${Math.round(ms)} ms after the release`);
  assert.ok(ms < 1500, `acquired ${Math.round(ms)} ms after the release`);
  assert.match(notes[0] ?? '', /waiting up to 20 s for the lock on local: held by clawops backup run \(pid/);
  assert.equal(holderOf(state).command, 'clawops apply');
  // whom it waited for (a timer's check that waited probed a host being changed: check.ts, ledger)
  assert.equal(second.waitedFor?.command, 'clawops backup run');
  assert.equal(held.waitedFor, undefined);
  await second.release();
});

test('a wait that runs out names the holder', async () => {
  const state = fresh();
  const held = await take(state, 'clawops upgrade');
  const t0 = performance.now();
  await assert.rejects(take(state, 'clawops apply', 1), /holds the lock on local: clawops upgrade \(pid/);
  assert.ok(performance.now() - t0 >= 950);
  await held.release();
});

test('re-entrant per executor: an upgrade that takes a backup holds one lock until the outer release', async () => {
  const state = fresh();
  const ex = localExecutor();
  const outer = await acquireLock(ex, state, 'clawops upgrade', { waitSec: 0 });
  const nested = async () => holderOf(state).command as string;
  const inner = await withLock(ex, state, 'clawops backup', nested, { waitSec: 0 });
  assert.equal(inner, 'clawops upgrade', 'the nested call ran under the outer lock');
  await assert.rejects(take(state), /clawops upgrade/, 'still held after the inner release');
  await outer.release();
  await (await take(state)).release();
});

test('kill -9 of the clawops that holds it frees the lock at once', async (t) => {
  const state = fresh();
  const script = [
    `import { acquireLock } from ${JSON.stringify(LOCK_TS)};`,
    `import { localExecutor } from ${JSON.stringify(LOCAL_TS)};`,
    `await acquireLock(localExecutor(), ${JSON.stringify(state)}, 'clawops drill', { waitSec: 0 });`,
    "console.log('locked'); setInterval(() => {}, 1000);",
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('locked') && resolve());
    child.on('exit', (c) => reject(new Error(`child exited ${c}`)));
  });
  await assert.rejects(take(state, 'clawops apply'), new RegExp(`clawops drill \\(pid ${child.pid} `));
  const notes: string[] = [];
  const waiting = acquireLock(localExecutor(), state, 'clawops apply', { waitSec: 20, note: (m) => notes.push(m) });
  while (notes.length === 0) await new Promise((r) => setTimeout(r, 20));
  const killed = performance.now();
  child.kill('SIGKILL');
  const second = await waiting;
  const ms = performance.now() - killed;
  t.diagnostic(`acquired ${Math.round(ms)} ms after kill -9 of the holder`);
  assert.ok(ms < 1500, `acquired ${Math.round(ms)} ms after kill -9`);
  await second.release();
});

test('a holder killed on the target frees the lock, and the command is told it lost it', async () => {
  const state = fresh();
  const notes: string[] = [];
  const held = await acquireLock(localExecutor(), state, 'clawops apply', { waitSec: 0, note: (m) => notes.push(m) });
  process.kill(held.info.targetPid ?? 0, 'SIGKILL');
  const next = await take(state, 'clawops apply', 5);
  while (notes.length === 0) await new Promise((r) => setTimeout(r, 20));
  assert.match(notes[0] ?? '', /^lost the host lock on local: its holder exited/);
  await next.release();
  await held.release(); // nothing left to release: a no-op
});

test('the service user cannot make root write through a symlink at the lock path', async () => {
  const victimDir = mkdtempSync(join(root, 'victim-'));
  const victim = join(victimDir, 'shadow');
  writeFileSync(victim, 'precious\n', { mode: 0o600 });
  const victimBefore = readFileSync(victim);
  const absent = join(victimDir, 'created-by-root');

  // a safe state dir (root's, 0755): an unprivileged user cannot plant anything in it
  const safe = fresh();
  mkdirSync(safe, { mode: 0o755 });
  const plant = spawnSync('runuser', ['-u', 'nobody', '--', 'ln', '-s', victim, lockPath(safe)]);
  assert.notEqual(plant.status, 0, 'nobody cannot write into root\'s state dir');
  assert.match(plant.stderr.toString(), /Permission denied/);

  // a state dir the user owns: the planted symlink is refused, nothing is followed
  for (const target of [victim, absent]) {
    const theirs = fresh();
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    const r = spawnSync('runuser', ['-u', 'nobody', '--', 'ln', '-s', target, lockPath(theirs)]);
    assert.equal(r.status, 0, r.stderr.toString());
    const refused = new RegExp(`refusing the lock .*: ${theirs} is owned by uid 65534, not root`);
    await assert.rejects(take(theirs, 'clawops apply'), refused);
  }
  // a symlink planted before the dir became root's (or by anyone): refused as such
  const planted = fresh();
  mkdirSync(planted, { mode: 0o755 });
  symlinkSync(victim, lockPath(planted));
  await assert.rejects(take(planted, 'clawops apply'), /refusing the lock .*lock is a symbolic link/);
  const dangling = fresh();
  mkdirSync(dangling, { mode: 0o755 });
  symlinkSync(absent, lockPath(dangling));
  await assert.rejects(take(dangling, 'clawops apply'), /lock is a symbolic link/);
  // group-writable state dir, a FIFO (would block an open), a hard link to another file
  const gw = fresh();
  mkdirSync(gw);
  chmodSync(gw, 0o775);
  await assert.rejects(take(gw), /is writable by group or others \(mode 775\)/);
  const fifo = fresh();
  mkdirSync(fifo, { mode: 0o755 });
  spawnSync('mkfifo', [lockPath(fifo)]);
  await assert.rejects(take(fifo), /lock is not a regular file/);
  const hard = fresh();
  mkdirSync(hard, { mode: 0o755 });
  spawnSync('ln', [victim, lockPath(hard)]);
  await assert.rejects(take(hard), /is not root's own file \(uid and links: 0 2\)/);

  assert.deepEqual(readFileSync(victim), victimBefore, 'the victim was neither written nor truncated');
  assert.equal(statSync(victim).mode & 0o777, 0o600);
  assert.equal(existsSync(absent), false, 'no file was created through a dangling symlink');
});

test('a state dir reached through a symlink is locked at its real path; a missing one is created 0755', async () => {
  const real = fresh();
  const link = `${real}-link`;
  mkdirSync(real, { mode: 0o755 });
  symlinkSync(real, link);
  const held = await take(link, 'x');
  await assert.rejects(take(real, 'y'), /holds the lock on local: x/);
  await held.release();
  const created = join(fresh(), 'var/lib/clawops');
  await (await take(created, 'x')).release();
  assert.equal(statSync(created).mode & 0o777, 0o755);
});

test('an executor that cannot keep a process (a recording) cannot take the lock', async () => {
  const recording = new RecorderExecutor();
  await assert.rejects(acquireLock(recording, '/var/lib/clawops', 'clawops apply'), /cannot keep a command running/);
});

test('a contained host: every command is refused under the lock (and lets it go) but those allowed while contained', async () => {
  const state = fresh();
  mkdirSync(state, { mode: 0o755 });
  writeFileSync(join(state, 'contained.json'), JSON.stringify({ at: '2026-12-03T10:00:00.000Z', reason: 'odd outbound traffic' }), { mode: 0o600 });
  await assert.rejects(take(state, 'clawops apply'), (e: unknown) => {
    assert.ok(e instanceof ClawopsError);
    assert.equal(e.message, 'clawops apply: refused, the host is contained since 2026-12-03T10:00:00.000Z (odd outbound traffic)');
    assert.match(e.hint ?? '', /clawops emergency recover/);
    return true;
  });
  const ok = await acquireLock(localExecutor(), state, 'clawops check --profile health', { waitSec: 0, whileContained: true });
  await ok.release();
  writeFileSync(join(state, 'contained.json'), '{not json');
  await assert.rejects(take(state, 'clawops upgrade'), /refused, the host is contained \(.*contained\.json does not parse\)/);
  rmSync(join(state, 'contained.json'));
  await (await take(state, 'clawops apply')).release();
});

test('a holder lends the lock to the clawops it runs on the host (LOCK_HOLDER_ENV: pid and nonce), and only while it holds it', async () => {
  const state = fresh();
  const held = await acquireLock(localExecutor(), state, 'clawops emergency contain', { waitSec: 0 });
  const child = (env: Record<string, string>) => spawnSync(process.execPath, ['--input-type=module', '-e', `
    const { acquireLock } = await import(${JSON.stringify(LOCK_TS)});
    const { localExecutor } = await import(${JSON.stringify(LOCAL_TS)});
    try { const l = await acquireLock(localExecutor(), ${JSON.stringify(state)}, 'clawops incident open', { waitSec: 0 }); console.log(l.info.command); await l.release(); }
    catch (e) { console.log('refused: ' + e.message); }`], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(child(lendLock(held)).stdout.trim(), 'clawops emergency contain > clawops incident open');
  assert.match(child({ [LOCK_HOLDER_ENV]: `1:${'0'.repeat(32)}` }).stdout, /^refused: .*holds the lock/, 'a pid that does not hold it lends nothing');
  assert.match(child({ [LOCK_HOLDER_ENV]: `${held.info.targetPid}:${'0'.repeat(32)}` }).stdout, /^refused: .*holds the lock/, 'the holder\'s pid without its nonce lends nothing');
  await held.release();
  const after = child(lendLock(held));
  assert.equal(after.stdout.trim(), 'clawops incident open', 'after release the child takes the lock itself');
});
