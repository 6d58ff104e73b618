import { redact, redactValue } from '../core/redact.ts';

/**
 * What a command may touch of the process: its output streams and environment. Passed in, so
 * tests run commands in-process and nothing but main() ever exits.
 */
export interface Runtime {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Ask a yes/no question on the terminal (absent when stdin is not a terminal: commands then refuse to prompt). */
  confirm?: (question: string) => Promise<boolean>;
  /** All of standard input (absent when it is a terminal: a secret is never typed into an echoing prompt). */
  readStdin?: () => Promise<string>;
}

export interface GlobalOptions {
  spec?: string;
  target?: string;
  json: boolean;
  color: boolean;
  debug: boolean;
}

export function processRuntime(): Runtime {
  // a reader that went away (`clawops render timers | head`) ends the output, not the command
  let readerGone = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    readerGone = true;
  });
  return {
    // the one exit of every byte a command prints: redacted here whatever path it took
    out: (t) => void (readerGone || process.stdout.write(redact(t))),
    err: (t) => process.stderr.write(redact(t)),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    ...(process.stdin.isTTY ? { confirm: askOnTerminal } : { readStdin: readAllStdin }),
  };
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** A runtime that collects output in memory (tests). */
export function memoryRuntime(env: NodeJS.ProcessEnv = {}): Runtime & { stdout: string; stderr: string } {
  const rt = {
    stdout: '',
    stderr: '',
    env,
    isTTY: false,
    out(t: string) {
      rt.stdout += redact(t);
    },
    err(t: string) {
      rt.stderr += redact(t);
    },
  };
  return rt;
}

/** Every line of output leaves through here: secrets are redacted on the way. */
export function printLine(rt: Runtime, text = ''): void {
  rt.out(`${redact(text)}\n`);
}

export function printJson(rt: Runtime, value: unknown): void {
  rt.out(`${JSON.stringify(redactValue(value), null, 2)}\n`);
}

export function useColor(rt: Runtime, opts: Pick<GlobalOptions, 'color'>): boolean {
  return opts.color && rt.isTTY && rt.env.NO_COLOR === undefined;
}
