/**
 * core/safe-fs for real, with the local executor, only inside temp dirs this test creates: a
 * directory owned by `nobody` stands for the service user's home, root-owned probe files for what
 * an attacker would aim at. Every refusal must leave the probe byte for byte and mode for mode.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync,
  rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { localExecutor } from '../../../src/exec/local.ts';
import {
  safeChmod, safeChown, safeMkdir, safeRead, safeRemove, safeSymlink, safeWrite,
} from '../../../src/core/safe-fs.ts';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** true when every directory from / to dir is root-owned and not group/other-writable */
function trustedChain(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    const st = statSync(d);
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) return false;
    if (d === '/') return true;
  }
}

describe('core/safe-fs (local, as root)', { skip: isRoot ? false : 'needs root (chown, mknod)' }, () => {
  const ex = localExecutor();
  let dir: string;
  let home: string;
  let probe: string;
  let probeDir: string;
  const probeState = () => {
    const st = statSync(probe);
    return `${readFileSync(probe, 'utf8')}|${(st.mode & 0o7777).toString(8)}|${st.uid}:${st.gid}`;
  };
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'clawops-safefs-')));
    chmodSync(dir, 0o755);
    home = join(dir, 'home');
    mkdirSync(home);
    chownSync(home, NOBODY, NOBODY);
    probeDir = join(dir, 'rootdir');
    mkdirSync(probeDir, { mode: 0o700 });
    probe = join(probeDir, 'secret');
    writeFileSync(probe, 'ROOT-ONLY\n', { mode: 0o600 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('write: content, mode and owner set by descriptor; a symlink at the name is replaced, not followed', async () => {
    const p = join(home, 'openclaw.json');
    symlinkSync(probe, p);
    const before = probeState();
    await safeWrite(ex, p, '{"a":1}\n', { mode: 0o600, owner: 'nobody', group: 'nogroup' });
    const st = lstatSync(p);
    assert.ok(st.isFile());
    assert.deepEqual([st.mode & 0o777, st.uid, readFileSync(p, 'utf8')], [0o600, NOBODY, '{"a":1}\n']);
    assert.equal(probeState(), before);
    assert.deepEqual(readdirSync(home).filter((f) => f.includes('clawops-')), [], 'no temp file left');
  });

  it('every operation through a symlinked dir in a user-writable dir is refused; the target is untouched', async () => {
    symlinkSync(probeDir, join(home, 'workspace'));
    const before = probeState();
    const via = join(home, 'workspace', 'secret');
    for (const attempt of [
      () => safeWrite(ex, via, 'owned\n', { mode: 0o644, owner: 'nobody' }),
      () => safeChmod(ex, via, 0o444),
      () => safeChown(ex, via, 'nobody', 'nogroup'),
      () => safeMkdir(ex, join(home, 'workspace', 'sub'), { mode: 0o777, owner: 'nobody' }),
      () => safeSymlink(ex, join(home, 'workspace', 'l'), '/etc/shadow'),
      () => safeRemove(ex, via),
      () => safeRead(ex, via),
    ]) {
      await assert.rejects(attempt(), /refused to .*workspace is a symlink in a directory others can write/);
    }
    assert.equal(probeState(), before);
    assert.deepEqual(readdirSync(probeDir), ['secret']);
  });

  it('chmod/chown of a final symlink, a device node or a fifo are refused; read of a fifo does not hang', async () => {
    const link = join(home, 'SOUL.md');
    symlinkSync(probe, link);
    const before = probeState();
    await assert.rejects(safeChmod(ex, link, 0o444), /SOUL.md is a symlink/);
    await assert.rejects(safeChown(ex, link, 'root', 'nogroup'), /SOUL.md is a symlink/);
    await assert.rejects(safeRead(ex, link), /symlink in a directory others can write/);
    assert.equal(probeState(), before);
    const fifo = join(home, 'fifo');
    await ex.run(['mkfifo', fifo]);
    await assert.rejects(safeRead(ex, fifo), /not a regular file/);
    await assert.rejects(safeChmod(ex, fifo, 0o644), /not a regular file or directory/);
    const dev = join(home, 'null');
    await ex.run(['mknod', dev, 'c', '1', '3']);
    await assert.rejects(safeChown(ex, dev, 'nobody'), /not a regular file or directory/);
  });

  it('read: bytes of a file, null when missing; mkdir/chmod/chown/symlink/remove do what they say', async () => {
    const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    writeFileSync(join(home, 'bin'), bin);
    assert.deepEqual(await safeRead(ex, join(home, 'bin')), bin);
    assert.equal(await safeRead(ex, join(home, 'missing')), null);
    const d = join(home, 'a', 'b');
    await safeMkdir(ex, d, { mode: 0o750, owner: 'nobody', group: 'nogroup' });
    assert.deepEqual([statSync(d).mode & 0o777, statSync(d).uid], [0o750, NOBODY]);
    await safeMkdir(ex, d, { mode: 0o700, owner: 'root', group: 'root' });
    assert.deepEqual([statSync(d).mode & 0o777, statSync(d).uid], [0o700, 0], 'an existing dir gets owner and mode');
    await assert.rejects(safeMkdir(ex, join(home, 'bin'), { mode: 0o700 }), /exists and is not a directory/);
    await safeChmod(ex, join(home, 'bin'), 0o444);
    await safeChown(ex, join(home, 'bin'), 'root', 'nogroup');
    assert.deepEqual([statSync(join(home, 'bin')).mode & 0o777, statSync(join(home, 'bin')).uid], [0o444, 0]);
    const l = join(home, 'prefix');
    await safeSymlink(ex, l, 'prefix.versions/1', 'nobody', 'nogroup');
    await safeSymlink(ex, l, 'prefix.versions/2', 'nobody', 'nogroup');
    assert.deepEqual([readlinkSync(l), lstatSync(l).uid], ['prefix.versions/2', NOBODY]);
    await safeRemove(ex, l);
    await safeRemove(ex, join(home, 'a', 'b'));
    await safeRemove(ex, join(home, 'never-there'));
    assert.deepEqual([readdirSync(join(home, 'a')), readdirSync(home).includes('prefix')], [[], false]);
    await assert.rejects(safeWrite(ex, join(home, 'no', 'dir', 'f'), 'x', { mode: 0o600 }), /no such directory/);
  });

  const skipTrusted = trustedChain(process.cwd()) ? false : 'the checkout is not under root-only directories';
  it('links are followed where only root can have placed them (/var/run -> /run)', { skip: skipTrusted }, async () => {
    const t = mkdtempSync(join(process.cwd(), '.safe-fs-'));
    try {
      chmodSync(t, 0o755);
      mkdirSync(join(t, 'real'), { mode: 0o755 });
      symlinkSync('real', join(t, 'alias'));
      await safeWrite(ex, join(t, 'alias', 'f'), 'through\n', { mode: 0o644 });
      assert.equal(readFileSync(join(t, 'real', 'f'), 'utf8'), 'through\n');
      assert.equal((await safeRead(ex, join(t, 'alias', 'f')))?.toString(), 'through\n');
    } finally {
      rmSync(t, { recursive: true, force: true });
    }
  });

  const RACE = 'races: a dir swapped for a symlink over and over during 40 writes never lets one land in the target';
  it(RACE, { timeout: 60_000 }, async (t) => {
    const ws = join(home, 'race');
    mkdirSync(ws);
    chownSync(ws, NOBODY, NOBODY);
    const before = probeState();
    // the attacker: swaps race/ for a link to the root dir and back, as fast as it can, bounded
    const loop = `cd "$1" && i=0; while [ $i -lt 200000 ] && [ ! -e stop ]; do
      mv race race.real; ln -s "$2" race; rm race; mv race.real race; i=$((i+1)); done; echo $i`;
    const swapper = spawn('sh', ['-c', loop, 'sh', home, probeDir], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    swapper.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const outcomes = { written: 0, refused: 0, missing: 0 };
    for (let i = 0; i < 40; i++) {
      try {
        await safeWrite(ex, join(ws, 'secret'), 'owned by the attacker\n', { mode: 0o666, owner: 'nobody' });
        outcomes.written++;
      } catch (e) {
        if (/refused/.test((e as Error).message)) outcomes.refused++;
        else outcomes.missing++;
      }
    }
    writeFileSync(join(home, 'stop'), '');
    await new Promise((r) => swapper.on('close', r));
    t.diagnostic(`swaps ${out.trim()}, writes ${JSON.stringify(outcomes)}`);
    assert.equal(probeState(), before, 'the probe behind the swapped-in link is unchanged');
    assert.deepEqual(readdirSync(probeDir), ['secret'], 'no temp file or new entry in the target dir');
    assert.ok(outcomes.written + outcomes.refused + outcomes.missing === 40);
    assert.ok(Number(out.trim()) > 0, 'the swapper ran');
  });
});
