/**
 * The one interface through which clawops touches a host. Nothing else spawns processes or
 * writes host files. Secrets travel on stdin or in files (mode 600), never in argv or env.
 */
export interface RunOptions {
  /** Bytes for the command's standard input (the channel for secrets). */
  stdin?: string | Buffer;
  /** Extra non-secret environment for the command. */
  env?: Record<string, string>;
  /** Kill the command (its whole process group) after this long. Default 60 s. */
  timeoutMs?: number;
  cwd?: string;
  /** Run as this user (root executors drop privileges with runuser). */
  user?: string;
  /** Return the result instead of throwing when the command exits non-zero. */
  allowFailure?: boolean;
  /** Values to redact from errors besides the registered secrets. */
  secrets?: readonly string[];
  /**
   * Kill the command when stdout or stderr grows past this many bytes (default 64 MiB). Exceeding
   * it is always an error (CommandError with `outputLimitExceeded`), even with allowFailure.
   */
  maxOutputBytes?: number;
}

export interface RunResult {
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Raw stdout bytes (for binary reads). */
  stdoutBytes: Buffer;
  durationMs: number;
}

export type FileType = 'file' | 'directory' | 'symlink' | 'other';

export interface FileStat {
  path: string;
  type: FileType;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
  size: number;
  mtimeMs: number;
}

export interface WriteOptions {
  mode: number;
  owner?: string;
  group?: string;
}

export interface Executor {
  /** Human description of the target: "local", "ssh://user@host:22", "nspawn:NAME", "recorder". */
  readonly target: string;
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** File contents, or null when the file does not exist. */
  readFile(path: string): Promise<Buffer | null>;
  /** Atomic write: temp file in the same directory, owner and mode set, fsync, rename. */
  writeFile(path: string, content: string | Buffer, opts: WriteOptions): Promise<void>;
  /** lstat of a path, or null when it does not exist. */
  stat(path: string): Promise<FileStat | null>;
  /**
   * Start a long-lived command whose stdin stays open until `end()` (or until clawops dies: the
   * pipe then closes and a command that waits for end-of-input exits). No timeout. The host lock
   * (core/lock.ts) is held this way. Absent on executors that cannot keep a process (recordings).
   */
  start?(argv: readonly string[], opts?: StartOptions): LiveProcess;
  /** A second, independent connection to the same target with the same options (the firewall guard confirms through it). */
  reopen?(): Executor;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  user?: string;
}

/** A running command started with `start()`. */
export interface LiveProcess {
  /** The next line of its stdout (without the newline), or null once its stdout ended. */
  readLine(): Promise<string | null>;
  /** Close its stdin. */
  end(): void;
  /** It no longer keeps clawops running (if clawops exits first, it is killed on the way out). */
  unref(): void;
  /** Its exit, with everything it wrote to stderr. */
  readonly exited: Promise<{ exitCode: number | null; signal: string | null; stderr: string }>;
}

/** What a concrete transport provides; file operations are built on it once (see shell-executor.ts). */
export interface Transport {
  readonly target: string;
  spawn(argv: readonly string[], opts: SpawnOptions): Promise<RawResult>;
  /** How to run a long-lived command (Executor.start) from here: the local argv and its environment. */
  startCommand?(argv: readonly string[], opts: StartOptions): { argv: string[]; env?: NodeJS.ProcessEnv };
  /** A new, independent transport to the same target with the same options. */
  reopen(): Transport;
  close(): Promise<void>;
}

export interface SpawnOptions {
  stdin?: Buffer;
  env: Record<string, string>;
  timeoutMs: number;
  cwd?: string;
  user?: string;
  maxOutputBytes?: number;
}

export interface RawResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Set when the command was killed for producing more output than allowed. */
  outputLimitExceeded?: boolean;
  stdout: Buffer;
  stderr: Buffer;
  durationMs: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
