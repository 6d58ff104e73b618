/**
 * A throwaway OpenClaw-like host under a temp dir for the backup e2e tests: an instance home with
 * a 9.x-shaped state dir (config, env file, workspace identity files, credentials, a WAL-mode
 * SQLite state DB and an agent DB), a clawops state dir with a baseline, a unit file, a restic
 * password file, a repository path and a textfile dir. Nothing outside the temp dir is touched.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import type { BackupContext } from '../../src/backup/context.ts';
import { localExecutor } from '../../src/exec/local.ts';
import { parseSpec } from '../../src/desired/parse.ts';
import type { ResolvedSpec } from '../../src/desired/resolve.ts';

export interface BackupEnv {
  root: string;
  home: string;
  state: string;
  db: string;
  stateDir: string;
  repo: string;
  pwFile: string;
  textfileDir: string;
  unitDir: string;
  specFile: string;
  spec: ResolvedSpec;
  ctx: BackupContext;
  logs: string[];
  cleanup(): void;
}

export function specYaml(o: { home: string; stateDir: string; repo: string; pwFile: string; textfileDir: string }): string {
  return `instances:
  - name: oc
    home: ${o.home}
openclaw:
  version: 2026.9.6
monitoring:
  textfileDir: ${o.textfileDir}
backup:
  repository: ${o.repo}
  password: { file: ${o.pwFile} }
  checkSubsetPercent: 25
stateDir: ${o.stateDir}
`;
}

export function makeBackupEnv(opts: { extraBytes?: number } = {}): BackupEnv {
  const root = mkdtempSync('/tmp/clawops-bk-');
  const home = join(root, 'home');
  const state = join(home, '.openclaw');
  for (const d of ['state', 'agents/main/agent', 'workspace', 'credentials', 'logs', 'tmp/openclaw-0']) mkdirSync(join(state, d), { recursive: true });
  writeFileSync(join(state, 'tmp/openclaw-0/gateway.state.lock'), JSON.stringify({ pid: process.pid }));
  chmodSync(state, 0o700);
  writeFileSync(join(state, 'openclaw.json'), JSON.stringify({ gateway: { mode: 'local', bind: 'loopback', auth: { mode: 'token', token: '${OPENCLAW_GATEWAY_TOKEN}' } } }, null, 2));
  writeFileSync(join(state, 'gateway.systemd.env'), `OPENCLAW_GATEWAY_TOKEN=${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  writeFileSync(join(state, 'workspace', 'SOUL.md'), '# Soul\nBe helpful, never reveal secrets.\n');
  writeFileSync(join(state, 'workspace', 'AGENTS.md'), '# Agents\nmain\n');
  writeFileSync(join(state, 'credentials', 'telegram.json'), JSON.stringify({ botToken: 'x'.repeat(40) }), { mode: 0o600 });
  writeFileSync(join(state, 'logs', 'gateway.log'), 'started\n'.repeat(1000));
  if (opts.extraBytes) writeFileSync(join(state, 'workspace', 'blob.bin'), randomBytes(opts.extraBytes));
  const db = join(state, 'state', 'openclaw.sqlite');
  initDb(db);
  initDb(join(state, 'agents', 'main', 'agent', 'openclaw-agent.sqlite'));
  const stateDir = join(root, 'clawops-state');
  mkdirSync(join(stateDir, 'baselines'), { recursive: true });
  writeFileSync(join(stateDir, 'baselines', 'identity.json'), JSON.stringify({ 'SOUL.md': 'abc' }));
  const unitDir = join(root, 'units');
  mkdirSync(unitDir);
  writeFileSync(join(unitDir, 'oc.service'), '[Service]\nExecStart=/usr/bin/true\n');
  const pwFile = join(root, 'restic-password');
  writeFileSync(pwFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  const repo = join(root, 'repo');
  const textfileDir = join(root, 'textfile');
  const specFile = join(root, 'clawops.yaml');
  const text = specYaml({ home, stateDir, repo, pwFile, textfileDir });
  writeFileSync(specFile, text);
  const parsed = parseSpec(text, specFile);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const logs: string[] = [];
  const ctx: BackupContext = {
    ex: localExecutor(), spec: parsed.spec, env: {}, specText: { name: 'clawops.yaml', text }, unitDir,
    log: (l) => logs.push(l),
  };
  return { root, home, state, db, stateDir, repo, pwFile, textfileDir, unitDir, specFile, spec: parsed.spec, ctx, logs, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function initDb(path: string): void {
  const d = new DatabaseSync(path);
  d.exec(`PRAGMA journal_mode=WAL;
    CREATE TABLE IF NOT EXISTS msgs (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS batches (batch INTEGER PRIMARY KEY, n INTEGER NOT NULL);`);
  d.close();
}

/**
 * A bounded writer: every `everyMs` one transaction inserts `perTx` rows of a new batch and the
 * batch's row count, so a consistent copy has, for every batch, exactly that many rows.
 * wal_autocheckpoint is off so the WAL holds the recent commits (a bare file copy would miss them).
 */
export class Writer {
  private readonly db: DatabaseSync;
  private timer: NodeJS.Timeout | undefined;
  batches = 0;
  readonly perTx = 50;
  readonly everyMs = 5;
  readonly maxBatches = 20_000;
  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; PRAGMA busy_timeout=5000;');
  }
  write(): void {
    const b = this.batches + 1;
    const ins = this.db.prepare('INSERT INTO msgs (batch, body) VALUES (?, ?)');
    this.db.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < this.perTx; i++) ins.run(b, `message ${i} of batch ${b} ${'x'.repeat(100)}`);
    this.db.prepare('INSERT INTO batches (batch, n) VALUES (?, ?)').run(b, this.perTx);
    this.db.exec('COMMIT');
    this.batches = b;
  }
  start(): void {
    this.timer = setInterval(() => {
      if (this.batches >= this.maxBatches) return this.stop();
      this.write();
    }, this.everyMs);
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
  close(): void {
    this.stop();
    this.db.close();
  }
}

/** Consistency of a (restored) DB: integrity_check, batch count, and every batch complete. */
export function inspectDb(path: string): { integrity: string; batches: number; rows: number; incomplete: number } {
  const d = new DatabaseSync(path, { readOnly: true });
  try {
    const integrity = String((d.prepare('PRAGMA integrity_check').get() as Record<string, unknown>).integrity_check);
    const batches = Number((d.prepare('SELECT count(*) AS c FROM batches').get() as { c: number }).c);
    const rows = Number((d.prepare('SELECT count(*) AS c FROM msgs').get() as { c: number }).c);
    const incomplete = Number((d.prepare('SELECT count(*) AS c FROM batches b WHERE b.n != (SELECT count(*) FROM msgs m WHERE m.batch = b.batch)').get() as { c: number }).c);
    return { integrity, batches, rows, incomplete };
  } finally {
    d.close();
  }
}

/** sha256 of every file under `dir` (path -> hex), to prove a failed command left a tree alone. */
export function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[p.slice(dir.length + 1)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
