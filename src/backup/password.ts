/**
 * The restic password as a file on the target, from the spec's secret reference:
 * - `{file}`: that file, used in place (it must exist and be non-empty);
 * - `{env}`: the variable's value (from clawops' own environment), registered as a secret and
 *   written to a 0600 temp file on the target through stdin (atomic write), removed afterwards.
 * The value is never put in argv, env or output.
 */
import { randomBytes } from 'node:crypto';
import { ClawopsError } from '../core/errors.ts';
import { registerSecret } from '../core/redact.ts';
import type { Executor } from '../exec/types.ts';
import type { SecretRefData } from '../desired/schema.ts';

export interface PasswordFile {
  path: string;
  /** removes a temp file clawops wrote (no-op for a `{file}` reference) */
  cleanup(): Promise<void>;
}

export async function resticPasswordFile(ex: Executor, ref: SecretRefData, env: NodeJS.ProcessEnv, tempDir: string): Promise<PasswordFile> {
  if ('file' in ref) {
    const st = await ex.stat(ref.file);
    if (!st) {
      throw new ClawopsError(`the restic password file ${ref.file} does not exist on ${ex.target}`, {
        hint: `create it (e.g. \`install -m 600 /dev/null ${ref.file}\`, then write a long random password into it) or fix backup.password in the spec`,
      });
    }
    if (st.type !== 'file') throw new ClawopsError(`the restic password file ${ref.file} is not a regular file on ${ex.target}`, { hint: 'point backup.password.file at a file (mode 600)' });
    if (st.size === 0) throw new ClawopsError(`the restic password file ${ref.file} is empty on ${ex.target}`, { hint: 'write the repository password into it' });
    return { path: ref.file, cleanup: async () => {} };
  }
  const value = env[ref.env];
  if (value === undefined || value.trim() === '') {
    throw new ClawopsError(`the restic password variable ${ref.env} is not set`, {
      hint: `export ${ref.env} before running clawops, or point backup.password at a file`,
    });
  }
  registerSecret(value);
  await ex.run(['mkdir', '-p', '-m', '0700', '--', tempDir]);
  const path = `${tempDir}/.restic-password-${randomBytes(6).toString('hex')}`;
  await ex.writeFile(path, value, { mode: 0o600 });
  return {
    path,
    cleanup: async () => {
      await ex.run(['rm', '-f', '--', path], { allowFailure: true });
    },
  };
}
