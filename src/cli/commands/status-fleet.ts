/**
 * `clawops status --inventory FILE`: the fleet's one screen (src/fleet/status.ts), loaded only
 * when asked for.
 */
import { readFile } from 'node:fs/promises';
import { ClawopsError } from '../../core/errors.ts';
import { executorFor } from '../../exec/target.ts';
import { parseInventory, selectHosts } from '../../fleet/inventory.ts';
import { fleetStatus, formatFleet } from '../../fleet/status.ts';
import { EXIT, type CliContext } from '../program.ts';
import { printJson, printLine, type GlobalOptions } from '../runtime.ts';

export interface FleetCliOptions {
  inventory?: string;
  limit?: string;
  sshConfig?: string;
  parallel: string;
  only?: string;
  allowUnknown: boolean;
}

export async function fleetStatusCommand(ctx: CliContext, g: GlobalOptions, opts: FleetCliOptions & { inventory: string }): Promise<void> {
  const parallel = Number(opts.parallel);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw new ClawopsError(`--parallel ${opts.parallel}: want a whole number from 1 to 64`);
  let text: string;
  try {
    text = await readFile(opts.inventory, 'utf8');
  } catch (cause) {
    throw new ClawopsError(`cannot read the inventory ${opts.inventory}`, { cause, hint: 'give the path of an Ansible inventory file (YAML or INI)' });
  }
  const hosts = selectHosts(parseInventory(text, opts.inventory), opts.limit);
  if (hosts.length === 0) throw new ClawopsError(`${opts.inventory} has no hosts`, { hint: 'check it with `ansible-inventory -i FILE --list`' });
  const t0 = Date.now();
  const rows = await fleetStatus(hosts, {
    inventoryFile: opts.inventory, ...(opts.sshConfig ? { sshConfig: opts.sshConfig } : {}), parallel,
    checkArgs: [...(opts.only ? ['--only', opts.only] : []), ...(opts.allowUnknown ? ['--allow-unknown'] : [])],
    connect: (t) => executorFor(t),
  });
  const ms = Date.now() - t0;
  if (g.json) printJson(ctx.rt, { schemaVersion: 1, inventory: opts.inventory, durationMs: ms, hosts: rows });
  else for (const l of formatFleet(rows, ms)) printLine(ctx.rt, l);
  ctx.setExit(rows.every((r) => r.gate?.result === 'pass') ? EXIT.ok : EXIT.gate);
}
