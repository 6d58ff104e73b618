/**
 * The file operations every transport shares (ShellExecutor: readFile, atomic writeFile, stat),
 * proved with real processes on this machine, only inside a temp dir this test creates.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTransport, localExecutor } from '../../src/exec/local.ts';
import { baseEnv, killGroup, spawnLocal } from '../../src/exec/process.ts';
import { ShellExecutor } from '../../src/exec/shell-executor.ts';
import type { RawResult, SpawnOptions, Transport } from '../../src/exec/types.ts';
import { ClawopsError, CommandError } from '../../src/core/errors.ts';

const isRoot = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PIDs whose process group is `pgid` (from /proc). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[2]) === pgid) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * Runs the real write script like LocalTransport does, but feeds stdin slowly: half the content,
 * then it waits until the temp file holds data, looks at every process of the writer's group
 * (cmdline and environ), and kills the group with SIGKILL mid-stream.
 */
class SlowKillTransport implements Transport {
  readonly target = 'local-slow-kill';
  seen: { pid: number; cmdline: string; environ: string }[] = [];
  private readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }
  reopen(): SlowKillTransport {
    return new SlowKillTransport(this.dir);
  }
  spawn(argv: readonly string[], opts: SpawnOptions): Promise<RawResult> {
    const [cmd = '', ...args] = argv;
    const child = spawn(cmd, args, { env: baseEnv(opts.env), detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const pid = child.pid ?? 0;
    const stdin = opts.stdin ?? Buffer.alloc(0);
    child.stdin.on('error', () => undefined);
    child.stdin.write(stdin.subarray(0, stdin.length >> 1));
    return new Promise((resolve) => {
      child.on('close', (code, signal) =>
        resolve({ exitCode: code, signal, timedOut: false, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), durationMs: 0 }),
      );
      void (async () => {
        for (let i = 0; i < 500; i++) {
          const temp = readdirSync(this.dir).find((f) => f.includes('.clawops-'));
          if (temp && statSync(join(this.dir, temp)).size > 0) break;
          await sleep(10);
        }
        for (const p of groupMembers(pid)) {
          try {
            this.seen.push({
              pid: p,
              cmdline: readFileSync(`/proc/${p}/cmdline`, 'latin1'),
              environ: readFileSync(`/proc/${p}/environ`, 'latin1'),
            });
          } catch {
            /* gone */
          }
        }
        killGroup(pid, 'SIGKILL');
      })();
    });
  }
  async close(): Promise<void> {}
}

describe('file operations over a real shell (local)', () => {
  const ex = localExecutor();
  let dir: string;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'clawops-files-')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('readFile: null when missing, bytes exactly (binary-safe), an error for a directory', async () => {
    assert.equal(await ex.readFile(join(dir, 'missing')), null);
    const bin = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\0\0\r\n\xff')]);
    writeFileSync(join(dir, 'bin'), bin);
    assert.deepEqual(await ex.readFile(join(dir, 'bin')), bin);
    writeFileSync(join(dir, 'empty'), '');
    assert.deepEqual(await ex.readFile(join(dir, 'empty')), Buffer.alloc(0));
    await assert.rejects(ex.readFile(dir), (e: unknown) => e instanceof CommandError && /Is a directory/.test(e.message));
  });

  it('stat: type, mode, owner, group, size; lstat semantics; null when missing', async () => {
    writeFileSync(join(dir, 's'), '12345');
    symlinkSync(join(dir, 's'), join(dir, 'link'));
    const f = await ex.stat(join(dir, 's'));
    assert.equal(f?.type, 'file');
    assert.equal(f?.size, 5);
    assert.equal(f?.uid, process.getuid?.());
    assert.ok(f && f.owner.length > 0 && f.group.length > 0);
    assert.equal((await ex.stat(join(dir, 'link')))?.type, 'symlink');
    assert.equal((await ex.stat(dir))?.type, 'directory');
    assert.equal(await ex.stat(join(dir, 'nope')), null);
  });

  it('writeFile: content, mode, owner and group set; replaces atomically; no temp files left', { skip: isRoot ? false : 'needs root for chown' }, async () => {
    const p = join(dir, 'conf');
    await ex.writeFile(p, 'one\n', { mode: 0o644 });
    await ex.writeFile(p, Buffer.from('two\n'), { mode: 0o640, owner: 'nobody', group: 'nogroup' });
    assert.equal(readFileSync(p, 'utf8'), 'two\n');
    const st = await ex.stat(p);
    assert.deepEqual([st?.type, st?.mode, st?.owner, st?.group, st?.size], ['file', 0o640, 'nobody', 'nogroup', 4]);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('clawops-')), []);
  });

  it('writeFile: refuses to write into a missing directory or over a directory, with a hint', async () => {
    await assert.rejects(ex.writeFile(join(dir, 'no/such/file'), 'x', { mode: 0o600 }), (e: unknown) => {
      assert.ok(e instanceof ClawopsError);
      assert.match(e.message, /no such directory/);
      assert.match(e.hint ?? '', /create the directory/);
      return true;
    });
    mkdirSync(join(dir, 'adir'));
    await assert.rejects(ex.writeFile(join(dir, 'adir'), 'x', { mode: 0o600 }), /is a directory/);
    assert.ok(statSync(join(dir, 'adir')).isDirectory());
    assert.deepEqual(readdirSync(join(dir, 'adir')), [], 'nothing moved into the directory');
  });

  it('writeFile whose sender dies mid-stream (stdin ends early) never renames the short file into place', async () => {
    const p = join(dir, 'truncated.conf');
    writeFileSync(p, 'old contents\n');
    // a transport that loses the second half of stdin, as when clawops (the sender) dies mid-pipe
    const local = new LocalTransport();
    const halfStdin: Transport = {
      target: 'local-half-stdin',
      spawn: (argv: readonly string[], o: SpawnOptions) =>
        local.spawn(argv, { ...o, ...(o.stdin ? { stdin: o.stdin.subarray(0, Math.floor(o.stdin.length / 2)) } : {}) }),
      reopen: () => halfStdin,
      close: () => local.close(),
    };
    const content = 'new line\n'.repeat(1000);
    await assert.rejects(new ShellExecutor(halfStdin).writeFile(p, content, { mode: 0o644 }), /short write/);
    assert.equal(readFileSync(p, 'utf8'), 'old contents\n');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.truncated.conf.clawops-')), [], 'temp file removed');
    await ex.writeFile(p, content, { mode: 0o644 });
    assert.equal(readFileSync(p, 'utf8'), content);
  });

  it('writeFile killed -9 mid-stream leaves the old file whole; the secret never reached argv or env; a re-run converges', { timeout: 30_000 }, async () => {
    const sub = join(dir, 'atomic');
    mkdirSync(sub);
    const p = join(sub, 'secret.env');
    writeFileSync(p, 'OLD=1\n', { mode: 0o600 });
    const canary = `CANARY-${Math.random().toString(36).slice(2)}-SECRET`;
    const content = Buffer.concat([Buffer.from(`TOKEN=${canary}\n`), Buffer.alloc(4 * 1024 * 1024, 'x'), Buffer.from('\nEND\n')]);

    const slow = new SlowKillTransport(sub);
    const killed = new ShellExecutor(slow);
    await assert.rejects(killed.writeFile(p, content, { mode: 0o600 }), (e: unknown) => e instanceof CommandError && e.signal === 'SIGKILL');
    assert.equal(readFileSync(p, 'utf8'), 'OLD=1\n', 'destination is entirely the old file');
    assert.ok(slow.seen.length >= 1, `looked at the writer's processes: ${slow.seen.map((s) => s.cmdline.replace(/\0/g, ' ').slice(0, 40)).join(' | ')}`);
    assert.ok(slow.seen.some((s) => s.cmdline.startsWith('perl\0')), 'caught the writer mid-stream');
    for (const s of slow.seen) {
      assert.ok(!s.cmdline.includes(canary), `canary in argv of ${s.pid}`);
      assert.ok(!s.environ.includes(canary), `canary in env of ${s.pid}`);
    }
    const leftovers = readdirSync(sub).filter((f) => f.includes('.clawops-'));
    assert.equal(leftovers.length, 1, 'the killed writer left its temp file');
    const temp = join(sub, leftovers[0] ?? '');
    assert.equal(statSync(temp).mode & 0o777, 0o600, 'and it is private');

    await ex.writeFile(p, content, { mode: 0o600 });
    assert.deepEqual(readFileSync(p), content, 'the re-run converges');
    const old = new Date(Date.now() - 30 * 60_000);
    utimesSync(temp, old, old);
    await ex.writeFile(p, content, { mode: 0o600 });
    assert.deepEqual(readdirSync(sub).sort(), ['secret.env'], 'a later write sweeps the stale temp file');
  });

  it('writeFile killed -9 at moments spread over the write: the destination is always entirely old or entirely new', { timeout: 60_000 }, async (t) => {
    const sub = join(dir, 'random');
    mkdirSync(sub);
    const p = join(sub, 'f');
    const oldC = Buffer.alloc(2 * 1024 * 1024, 'o');
    const newC = Buffer.alloc(2 * 1024 * 1024, 'n');
    const outcomes = { old: 0, new: 0 };
    const t0 = performance.now();
    await ex.writeFile(p, newC, { mode: 0o600 });
    const full = performance.now() - t0;
    const n = 24;
    for (let i = 0; i < n; i++) {
      writeFileSync(p, oldC);
      chmodSync(p, 0o644);
      // kill moments spread from "at once" to well past a full write's duration
      const delay = Math.round((i / (n - 1)) * full * 1.6);
      const killer: Transport = {
        target: 'local-random-kill',
        spawn: (argv: readonly string[], o: SpawnOptions) =>
          spawnLocal(argv, { env: baseEnv(o.env), timeoutMs: o.timeoutMs, ...(o.stdin ? { stdin: o.stdin } : {}), onSpawn: (pid) => setTimeout(() => killGroup(pid, 'SIGKILL'), delay) }),
        reopen: () => killer,
        close: async () => undefined,
      };
      await new ShellExecutor(killer).writeFile(p, newC, { mode: 0o600 }).catch(() => undefined);
      const now = readFileSync(p);
      const mode = statSync(p).mode & 0o777;
      if (now.equals(oldC)) {
        outcomes.old++;
        assert.equal(mode, 0o644);
      } else {
        assert.ok(now.equals(newC), `iteration ${i}: destination is neither old nor new (${now.length} bytes)`);
        assert.equal(mode, 0o600, 'the new file arrives with its mode already set');
        outcomes.new++;
      }
    }
    t.diagnostic(`kills spread over 0..${Math.round(full * 1.6)} ms (a full write takes ${Math.round(full)} ms): ${outcomes.old} left the old file, ${outcomes.new} completed`);
    assert.ok(outcomes.old > 0 && outcomes.new > 0, 'the kills landed both before and after the rename');
    await ex.writeFile(p, newC, { mode: 0o600 });
    assert.ok(readFileSync(p).equals(newC));
  });
});
