/**
 * TEST-ONLY fault injection. With `CLAWOPS_FAULT_AT=<point>` in its environment, clawops SIGKILLs
 * itself when an apply reaches that point, so tests can prove that a kill -9 anywhere leaves no
 * half-written file and that a re-run converges. Points (see `clawops apply`):
 *   lock-acquired, journal-begun, before:<resourceId>, saved:<resourceId>, after:<resourceId>,
 *   before-finish; and `during:<resourceId>` kills the process CLAWOPS_FAULT_DELAY_MS (default 200)
 *   after that resource's apply started (e.g. while apt-get runs).
 * Never set it outside tests.
 */
export function faultPoint(point: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.CLAWOPS_FAULT_AT === point) process.kill(process.pid, 'SIGKILL');
}

/** Arms a delayed SIGKILL for `during:<id>`; returns a disarm function. */
export function armDuringFault(resourceId: string, env: NodeJS.ProcessEnv = process.env): () => void {
  if (env.CLAWOPS_FAULT_AT !== `during:${resourceId}`) return () => {};
  const delay = Number(env.CLAWOPS_FAULT_DELAY_MS ?? 200);
  const t = setTimeout(() => process.kill(process.pid, 'SIGKILL'), delay);
  return () => clearTimeout(t);
}

/**
 * TEST-ONLY: with `CLAWOPS_TEST_HOLD_LOCK_MS=<ms>`, a command sleeps that long right after it took
 * the host lock, before any work, so tests can start a second command against a held lock.
 */
export async function lockHeldPause(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const ms = Number(env.CLAWOPS_TEST_HOLD_LOCK_MS ?? 0);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
