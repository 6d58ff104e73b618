/**
 * The ledger: one SQLite database per host (<stateDir>/ledger.db, root 0600, WAL) holding what
 * happened on it: every check run and check state change, alerts and their delivery, applies and
 * undos, backups, drills, upgrades and rollbacks, gateway restarts, incidents, sign-offs. Burn-in,
 * sign-off and `clawops status` read it; nothing in the gate depends on it.
 *
 * It is the host's own record, written by clawops running on the host (the check timers, and any
 * command run there); a command run against a remote target asks the clawops installed there
 * (ledger/remote.ts). node:sqlite, in process: a check run costs well under a millisecond of
 * ledger time (bench/ledger.ts), where spawning the sqlite3 shell would cost more than the goal.
 *
 * Concurrency: writers take `BEGIN IMMEDIATE` with a busy timeout, so two timers and an apply
 * writing at once queue instead of failing. A database that cannot be opened or is not a database
 * is moved aside (ledger.db.corrupt-<time>) and started anew, and the caller is told: a broken
 * ledger never blocks a health check.
 */
import { DatabaseSync } from 'node:sqlite';
import { chmodSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';

/** Bumped with each migration below; the database's `user_version` says which it has. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE runs (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, profile TEXT NOT NULL, gate TEXT NOT NULL,
     pass INTEGER NOT NULL, warn INTEGER NOT NULL, fail INTEGER NOT NULL, unknown INTEGER NOT NULL,
     critical_failed INTEGER NOT NULL, duration_ms INTEGER NOT NULL);
   CREATE INDEX runs_at ON runs (at);
   CREATE INDEX runs_profile_at ON runs (profile, at);
   CREATE TABLE daily (day TEXT NOT NULL, profile TEXT NOT NULL, runs INTEGER NOT NULL, failed_runs INTEGER NOT NULL,
     first_at INTEGER, last_at INTEGER, max_gap_ms INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (day, profile)) WITHOUT ROWID;
   CREATE TABLE check_state (key TEXT PRIMARY KEY, check_id TEXT NOT NULL, instance TEXT, status TEXT NOT NULL,
     severity TEXT NOT NULL, since INTEGER NOT NULL, last_at INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TABLE transitions (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, key TEXT NOT NULL, check_id TEXT NOT NULL,
     instance TEXT, from_status TEXT, to_status TEXT NOT NULL, severity TEXT NOT NULL, evidence TEXT NOT NULL);
   CREATE INDEX transitions_at ON transitions (at);
   CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, ok INTEGER NOT NULL,
     summary TEXT NOT NULL, detail TEXT);
   CREATE INDEX events_kind_at ON events (kind, at);
   CREATE TABLE incidents (id INTEGER PRIMARY KEY, key TEXT NOT NULL, check_id TEXT NOT NULL, instance TEXT,
     severity TEXT NOT NULL, title TEXT NOT NULL, opened_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,
     cleared_at INTEGER, acked_at INTEGER, ack_note TEXT, resolved_at INTEGER, resolve_note TEXT,
     occurrences INTEGER NOT NULL DEFAULT 1, evidence TEXT NOT NULL);
   CREATE INDEX incidents_open ON incidents (resolved_at, key);
   CREATE INDEX incidents_opened ON incidents (opened_at);
   CREATE TABLE signoffs (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, by TEXT NOT NULL, frozen TEXT NOT NULL);`,
  // 2: each gateway's numbers from a health run (the report's plots); deleted with their runs by compaction
  `CREATE TABLE samples (at INTEGER NOT NULL, instance TEXT NOT NULL, restarts INTEGER, memory_bytes INTEGER, health_ms INTEGER);
   CREATE INDEX samples_at ON samples (at);`,
];

export interface Ledger {
  db: DatabaseSync;
  path: string;
  /** what the caller should say: the ledger was rebuilt, and why */
  notes: string[];
  close(): void;
}

const CORRUPT = /not a database|malformed|corrupt|SQLITE_NOTADB|SQLITE_CORRUPT/i;

export function isCorruption(err: unknown): boolean {
  return CORRUPT.test(String((err as Error)?.message ?? err));
}

function openRaw(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: 15_000 });
  try {
    // auto_vacuum first: it takes effect only on a database with no page written yet (the WAL switch writes one)
    db.exec('PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    if (version > MIGRATIONS.length) throw new Error(`ledger schema ${version} is newer than this clawops (${MIGRATIONS.length}): upgrade clawops`);
    if (version < MIGRATIONS.length) {
      db.exec('BEGIN IMMEDIATE');
      try {
        // another process may have migrated while this one waited for the lock
        const now = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
        for (let v = now; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
        db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Opens (creating, migrating) the ledger at `path`. A file that is not a usable database is moved
 * aside with its -wal/-shm and a new ledger started; `notes` says so.
 */
export function openLedger(path: string, now = new Date()): Ledger {
  if (path === ':memory:') return { db: openRaw(path), path, notes: [], close() { this.db.close(); } };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const notes: string[] = [];
  let db: DatabaseSync;
  try {
    db = openRaw(path);
  } catch (err) {
    if (!isCorruption(err)) throw err;
    moveAside(path, now, err, notes);
    db = openRaw(path);
  }
  for (const ext of ['', '-wal', '-shm']) if (existsSync(path + ext)) chmodSync(path + ext, 0o600);
  return { db, path, notes, close: () => db.close() };
}

/**
 * Opens the ledger, runs `fn` and closes it. Corruption found on the way (at open or by a statement)
 * moves the file aside and runs `fn` once more on a new ledger; its notes say so.
 */
export function withLedger<T>(path: string, now: Date, fn: (l: Ledger) => T): { value: T; notes: string[] } {
  const notes: string[] = [];
  for (let attempt = 0; ; attempt++) {
    const l = openLedger(path, now);
    notes.push(...l.notes);
    try {
      return { value: fn(l), notes };
    } catch (err) {
      if (attempt > 0 || !isCorruption(err)) throw err;
      l.close();
      moveAside(path, now, err, notes);
      continue;
    } finally {
      if (l.db.isOpen) l.close();
    }
  }
}

function moveAside(path: string, now: Date, err: unknown, notes: string[]): void {
  const aside = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '')}`;
  for (const ext of ['', '-wal', '-shm']) if (existsSync(path + ext)) renameSync(path + ext, aside + ext);
  notes.push(`the ledger ${path} could not be read (${(err as Error).message}): moved to ${aside}, a new ledger started`);
}

/** Runs `fn` in one `BEGIN IMMEDIATE` transaction (waits for other writers up to the busy timeout). */
export function write<T>(l: Ledger, fn: () => T): T {
  l.db.exec('BEGIN IMMEDIATE');
  try {
    const r = fn();
    l.db.exec('COMMIT');
    return r;
  } catch (err) {
    if (l.db.isTransaction) l.db.exec('ROLLBACK');
    throw err;
  }
}

export function getMeta(l: Ledger, key: string): string | undefined {
  return (l.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

export function setMeta(l: Ledger, key: string, value: string): void {
  l.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
