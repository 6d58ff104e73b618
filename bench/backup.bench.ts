/**
 * Backup and restore throughput of an OpenClaw state dir (~150 MB: session transcripts, workspace
 * markdown, media blobs, a WAL-mode SQLite DB), `clawops backup run` / `clawops backup restore`
 * beside plain `restic backup` / `restic restore` of the same data into a fresh repository.
 * clawops does more per run (online SQLite copy into staging, sha256 manifest, forget --prune,
 * restic check of a data subset; on restore, verification of every file), so the ratio is the
 * price of a backup that is consistent and proven.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { measure, report } from './lib.ts';

const root = mkdtempSync('/tmp/clawops-bench-backup-');
const cli = join(new URL('..', import.meta.url).pathname, 'src/cli.ts');
try {
  const home = join(root, 'home');
  const state = join(home, '.openclaw');
  const bytes = generateState(state);
  const mbTotal = bytes / 1e6;
  const pw = join(root, 'pw');
  writeFileSync(pw, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  const spec = join(root, 'clawops.yaml');
  writeFileSync(spec, `instances: [{name: oc, home: ${home}}]
monitoring: {textfileDir: ${root}/textfile}
backup: {repository: ${root}/repo-clawops, password: {file: ${pw}}}
stateDir: ${root}/clawops-state
`);
  const env = { ...process.env, RESTIC_PASSWORD_FILE: pw, RESTIC_CACHE_DIR: join(root, 'cache'), RESTIC_REPOSITORY: join(root, 'repo-plain') };
  console.log(`state dir: ${mbTotal.toFixed(1)} MB`);
  ok(measure(['restic', 'init', '-q'], { env }));

  // clawops initialises its repository inside the run; give it one first so both runs measure the backup alone
  ok(measure(['restic', 'init', '-q'], { env: { ...env, RESTIC_REPOSITORY: join(root, 'repo-clawops') } }));
  const plainB = ok(measure(['restic', 'backup', '-q', state], { env }));
  const ourB = ok(measure([process.execPath, cli, '-f', spec, 'backup', 'run']));
  const plainR = ok(measure(['restic', 'restore', 'latest', '--target', join(root, 'restore-plain')], { env }));
  const ourR = ok(measure([process.execPath, cli, '-f', spec, 'backup', 'restore', 'latest', '--to', join(root, 'restore-clawops')]));

  const rate = (ms: number) => mbTotal / (ms / 1000);
  console.log(`backup : clawops ${rate(ourB.wallMs).toFixed(1)} MB/s (${(ourB.wallMs / 1000).toFixed(2)} s, peak RSS ${(ourB.maxRssKb / 1024).toFixed(0)} MB) | restic ${rate(plainB.wallMs).toFixed(1)} MB/s (${(plainB.wallMs / 1000).toFixed(2)} s)`);
  console.log(`restore: clawops ${rate(ourR.wallMs).toFixed(1)} MB/s (${(ourR.wallMs / 1000).toFixed(2)} s, incl. verification) | restic ${rate(plainR.wallMs).toFixed(1)} MB/s (${(plainR.wallMs / 1000).toFixed(2)} s)`);
  // report() compares times (lower is better): clawops time / restic time
  const a = report('backup wall time', ourB.wallMs / 1000, plainB.wallMs / 1000, 's', { max: 3 });
  const b = report('restore wall time', ourR.wallMs / 1000, plainR.wallMs / 1000, 's', { max: 2 });
  process.exitCode = a && b ? 0 : 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}

function ok<T extends { exitCode: number | null }>(m: T): T {
  if (m.exitCode !== 0) throw new Error(`a benchmark command failed (exit ${m.exitCode})`);
  return m;
}

/** ~150 MB: transcripts (JSONL), workspace markdown, media (random), and a ~50 MB SQLite DB in WAL mode. */
function generateState(state: string): number {
  let total = 0;
  const put = (rel: string, data: string | Buffer) => {
    const p = join(state, rel);
    mkdirSync(p.slice(0, p.lastIndexOf('/')), { recursive: true });
    writeFileSync(p, data);
    total += Buffer.byteLength(data);
  };
  put('openclaw.json', JSON.stringify({ gateway: { mode: 'local', port: 18789 } }));
  for (let s = 0; s < 200; s++) {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) lines.push(JSON.stringify({ ts: 1_700_000_000 + i, role: i % 2 ? 'assistant' : 'user', text: `message ${i} of session ${s}: ${randomBytes(60).toString('base64')}` }));
    put(`agents/main/sessions/s${s}.jsonl`, `${lines.join('\n')}\n`);
  }
  for (let i = 0; i < 500; i++) put(`workspace/notes/n${i}.md`, `# Note ${i}\n${'Lorem ipsum dolor sit amet. '.repeat(40)}\n`);
  for (let i = 0; i < 20; i++) put(`media/m${i}.bin`, randomBytes(2_000_000));
  const dbPath = join(state, 'state', 'openclaw.sqlite');
  mkdirSync(join(state, 'state'), { recursive: true });
  const db = new DatabaseSync(dbPath);
  db.exec('PRAGMA journal_mode=WAL; CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, payload TEXT);');
  const ins = db.prepare('INSERT INTO events (kind, payload) VALUES (?, ?)');
  db.exec('BEGIN');
  for (let i = 0; i < 120_000; i++) ins.run(i % 7 ? 'msg' : 'tool', randomBytes(200).toString('base64'));
  db.exec('COMMIT');
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  total += Number(new DatabaseSync(dbPath, { readOnly: true }).prepare('SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()').get()?.b ?? 0);
  return total;
}
