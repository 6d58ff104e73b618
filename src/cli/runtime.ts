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
}

export interface GlobalOptions {
  spec?: string;
  target?: string;
  json: boolean;
  color: boolean;
  debug: boolean;
}

export function processRuntime(): Runtime {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/** A runtime that collects output in memory (tests). */
export function memoryRuntime(env: NodeJS.ProcessEnv = {}): Runtime & { stdout: string; stderr: string } {
  const rt = {
    stdout: '',
    stderr: '',
    env,
    isTTY: false,
    out(t: string) {
      rt.stdout += t;
    },
    err(t: string) {
      rt.stderr += t;
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
