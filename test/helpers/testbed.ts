/**
 * The shared testbed for end-to-end tests: a fresh Debian bookworm "VPS" booted under
 * systemd-nspawn (see src/testbed/). Usage:
 *
 *   describe('x', { skip: testbedSkipReason() }, () => {
 *     let tb: Testbed;
 *     before(async () => { tb = await startTestbed({ openclaw: '2026.9.6' }); });
 *     after(() => tb?.stop());
 *   });
 */
import { startTestbed as start, testbedSkipReason } from '../testbed/index.ts';
import type { Testbed, TestbedOptions } from '../testbed/index.ts';

export type { Testbed, TestbedOptions };
export { testbedSkipReason };

/** Boots a testbed; build and boot progress goes to stderr (visible in the test output). */
export function startTestbed(opts: TestbedOptions = {}): Promise<Testbed> {
  return start({ log: (line) => process.stderr.write(`# ${line}\n`), ...opts });
}

/** One diagnostic line with the timings, for `t.diagnostic(...)`. */
export function timingsLine(tb: Testbed): string {
  const t = tb.timings;
  // built here / built by another process meanwhile (we waited for it) / already cached
  const how = (built: boolean | undefined, ms: number, verb: string) =>
    `${built ? verb : ms > 1000 ? `waited for (${verb} by another process)` : 'cached'} ${ms} ms`;
  const parts = [
    `rootfs ${how(t.rootfsBuilt, t.rootfsMs, 'built')}`,
    ...(t.dockerLayerMs !== undefined ? [`docker layer ${how(t.dockerLayerBuilt, t.dockerLayerMs, 'built')}`] : []),
    ...(t.openclawMs !== undefined ? [`openclaw ${how(t.openclawBuilt, t.openclawMs, 'installed')}`] : []),
    `boot-to-running ${t.bootToRunningMs} ms`,
    ...(t.dockerReadyMs !== undefined ? [`docker ready ${t.dockerReadyMs} ms`] : []),
  ];
  return `testbed ${tb.name}: ${parts.join(', ')}`;
}
