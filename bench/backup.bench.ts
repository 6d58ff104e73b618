/**
 * Backup and restore throughput of an OpenClaw state dir (~106 MB: session transcripts, workspace
 * markdown, media blobs, a WAL-mode SQLite DB), the built CLI (dist/cli.js, what ships) beside
 * plain restic on the same data, each side into its own fresh repository, median of RUNS runs:
 *
 *   backup       `clawops backup run --no-maintenance`  vs `restic backup`
 *   + upkeep     `clawops backup run` (retention and a rotating `restic check` subset)
 *                vs `restic backup` + `restic forget --prune` (same keep rules) + `restic check --read-data-subset=1/10`
 *   restore      `clawops backup restore latest --to DIR` (verifies every file against the manifest)
 *                vs `restic restore latest --target DIR`
 *
 * What clawops does beyond restic: an online SQLite copy and the rest of the tree into a staging
 * dir (a stable input: the manifest hashes are what restic reads), the sha256 manifest, the
 * records for the gate; on restore, the manifest check of every file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { measure, report, type Measurement } from './lib.ts';

const RUNS = Number(process.env.CLAWOPS_BENCH_RUNS ?? 3);
const repoRoot = new URL('..', import.meta.url).pathname;
const root = mkdtempSync('/tmp/clawops-bench-backup-');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
try {
  // measure what ships (package.json bin: dist/cli.js, as `npm run build` makes it)
  const built = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('tsc build failed');
  const cli = join(repoRoot, 'dist/cli.js');
  const home = join(root, 'home');
  const state = join(home, '.openclaw');
  const bytes = generateState(state);
  const mbTotal = bytes / 1e6;
  const pw = join(root, 'pw');
  writeFileSync(pw, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  console.log(`state dir: ${mbTotal.toFixed(1)} MB, ${RUNS} runs (median)`);
  const keep = ['--keep-daily', '7', '--keep-weekly', '4', '--keep-monthly', '6'];
  const t = { ours: [] as number[], plain: [] as number[], oursFull: [] as number[], plainFull: [] as number[], oursR: [] as number[], plainR: [] as number[] };
  let rss = 0;
  for (let run = 0; run < RUNS; run++) {
    const dir = join(root, `run${run}`);
    const repo = (name: string) => join(dir, `repo-${name}`);
    const env = (name: string) => ({ ...process.env, RESTIC_PASSWORD_FILE: pw, RESTIC_CACHE_DIR: join(dir, `cache-${name}`), RESTIC_REPOSITORY: repo(name) });
    const spec = (name: string) => {
      const f = join(dir, `${name}.yaml`);
      writeFileSync(f, `instances: [{name: oc, home: ${home}}]
monitoring: {textfileDir: ${dir}/textfile-${name}}
backup: {repository: ${repo(name)}, password: {file: ${pw}}, retention: {daily: 7, weekly: 4, monthly: 6}, checkSubsetPercent: 10}
stateDir: ${dir}/state-${name}
`);
      return f;
    };
    mkdirSync(dir);
    // every repository exists before its side is measured (clawops would otherwise initialise it inside the run)
    for (const name of ['plain', 'ours', 'plain-full', 'ours-full']) ok(measure(['restic', 'init', '-q'], { env: env(name) }));
    t.plain.push(ok(measure(['restic', 'backup', '-q', state], { env: env('plain') })).wallMs);
    const ours = ok(measure([process.execPath, cli, '-f', spec('ours'), 'backup', 'run', '--no-maintenance']));
    t.ours.push(ours.wallMs);
    rss = Math.max(rss, ours.maxRssKb);
    t.plainFull.push(sum(
      ok(measure(['restic', 'backup', '-q', state], { env: env('plain-full') })),
      ok(measure(['restic', 'forget', '-q', '--prune', ...keep], { env: env('plain-full') })),
      ok(measure(['restic', 'check', '-q', '--read-data-subset=1/10'], { env: env('plain-full') })),
    ));
    t.oursFull.push(ok(measure([process.execPath, cli, '-f', spec('ours-full'), 'backup', 'run'])).wallMs);
    t.plainR.push(ok(measure(['restic', 'restore', 'latest', '--target', join(dir, 'restore-plain')], { env: env('plain') })).wallMs);
    t.oursR.push(ok(measure([process.execPath, cli, '-f', spec('ours'), 'backup', 'restore', 'latest', '--to', join(dir, 'restore-ours')])).wallMs);
    rmSync(dir, { recursive: true, force: true });
  }
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
  const rate = (ms: number) => `${(mbTotal / (ms / 1000)).toFixed(1)} MB/s (${(ms / 1000).toFixed(2)} s)`;
  console.log(`backup          : clawops ${rate(m.ours)}, peak RSS ${(rss / 1024).toFixed(0)} MB | restic ${rate(m.plain)}`);
  console.log(`backup + upkeep : clawops ${rate(m.oursFull)} | restic backup+forget+check ${rate(m.plainFull)}`);
  console.log(`restore         : clawops ${rate(m.oursR)} incl. verification | restic ${rate(m.plainR)}`);
  // report() compares times (lower is better): clawops time / restic time
  const a = report('backup wall time', m.ours / 1000, m.plain / 1000, 's', { max: 2 });
  const b = report('backup+upkeep wall time', m.oursFull / 1000, m.plainFull / 1000, 's', { max: 2 });
  const c = report('restore wall time', m.oursR / 1000, m.plainR / 1000, 's', { max: 2 });
  process.exitCode = a && b && c ? 0 : 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}

function sum(...ms: Measurement[]): number {
  return ms.reduce((s, x) => s + x.wallMs, 0);
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
