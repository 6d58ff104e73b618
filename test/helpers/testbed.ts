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
import { startTestbed as start, testbedSkipReason } from '../../src/testbed/index.ts';
import type { Testbed, TestbedOptions } from '../../src/testbed/index.ts';

export type { Testbed, TestbedOptions };
export { testbedSkipReason };

/** Boots a testbed; build and boot progress goes to stderr (visible in the test output). */
export function startTestbed(opts: TestbedOptions = {}): Promise<Testbed> {
  return start({ log: (line) => process.stderr.write(`# ${line}\n`), ...opts });
}

/** One diagnostic line with the timings, for `t.diagnostic(...)`. */
export function timingsLine(tb: Testbed): string {
  const t = tb.timings;
  const parts = [
    `rootfs ${t.rootfsBuilt ? 'built' : 'cached'} ${t.rootfsMs} ms`,
    ...(t.dockerLayerMs !== undefined ? [`docker layer ${t.dockerLayerBuilt ? 'built' : 'cached'} ${t.dockerLayerMs} ms`] : []),
    ...(t.openclawMs !== undefined ? [`openclaw ${t.openclawBuilt ? 'installed' : 'cached'} ${t.openclawMs} ms`] : []),
    `boot-to-running ${t.bootToRunningMs} ms`,
    ...(t.dockerReadyMs !== undefined ? [`docker ready ${t.dockerReadyMs} ms`] : []),
  ];
  return `testbed ${tb.name}: ${parts.join(', ')}`;
}
