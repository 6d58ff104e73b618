/**
 * `clawops emergency contain` (hardened guide phase 10, "suspected compromise"): in the order that
 * shortens the window most, cut the service users' outbound traffic (except the management
 * interfaces), stop each gateway and keep it from starting (disabled, and a drop-in that fails any
 * start while the record exists, across reboots), take the user out of root-equivalent groups
 * (docker) and expire its account (no login, ssh keys included), kill every process of the user,
 * stop (and keep) the sandbox containers, pause the timers that run the service user's programs or
 * could prune backups, and open an incident. Nothing here runs a program the service user can
 * write: only systemctl, pkill, usermod, docker and iptables as root, so it works when OpenClaw's
 * CLI is broken or tampered with.
 *
 * Each step is idempotent, says whether it changed anything, and never stops the others: a step that
 * fails is reported and the rest still run. The record (./record.ts) is written before the first
 * change and keeps the state found by the first run, so a second run (or one after a killed run)
 * changes nothing and `lift` still knows what to restore.
 */
import { ClawopsError } from '../core/errors.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import type { ScheduleProfile } from '../openclaw/timers.ts';
import { SANDBOX_CONTAINER_PREFIX } from '../openclaw/sandbox-run.ts';
import { applyCut } from './firewall.ts';
import { followWrites } from '../engine/registry.ts';
import {
  CONTAIN_SCHEMA_VERSION, holdDropIn, holdDropInText, moveAsideContainRecord, readContainRecord, writeContainRecord,
  type ContainedInstance, type ContainRecord, type PausedTimer,
} from './record.ts';

export type StepStatus = 'done' | 'already' | 'skipped' | 'failed';

export interface Step {
  step: string;
  status: StepStatus;
  detail: string;
}

/** The check timers contain pauses, and why; the others (health, restart, integrity) keep watching. */
export const PAUSED_WHILE_CONTAINED: Partial<Record<ScheduleProfile, string>> = {
  security: 'runs `openclaw security audit` as the service user',
  credentials: 'runs `openclaw models status` as the service user',
  backup: 'its retention could forget the snapshots from before the incident',
};

/** Groups that make a user root-equivalent: out while contained. */
const ROOT_EQUIVALENT_GROUPS = ['docker'];

export interface ContainOptions {
  reason: string;
  now: Date;
  /** opens the incident (the ledger is the host's: local, or the clawops installed there); null id when it could not */
  openIncident: (key: string, title: string, evidence: string) => Promise<{ id: number | null; note?: string }>;
  /** the incident to keep (recover contains again under the incident it was resolving) */
  incident?: number;
  log?: (line: string) => void;
}

const word = (s: string) => s.trim().split('\n')[0] ?? '';
const RUNNING = new Set(['active', 'activating', 'reloading', 'deactivating']);

async function unitState(ex: Executor, unit: string): Promise<{ enabled: string; active: string }> {
  const en = await ex.run(['systemctl', 'is-enabled', '--', unit], { allowFailure: true });
  const ac = await ex.run(['systemctl', 'show', '-p', 'ActiveState', '--value', '--', unit], { allowFailure: true });
  return { enabled: word(en.stdout), active: word(ac.stdout) };
}

async function instanceState(ex: Executor, inst: ResolvedInstance): Promise<ContainedInstance> {
  const s = await unitState(ex, inst.unit);
  const id = await ex.run(['id', '-u', '--', inst.user], { allowFailure: true });
  const uid = id.exitCode === 0 && /^\d+$/.test(id.stdout.trim()) ? Number(id.stdout.trim()) : null;
  const groups = (await ex.run(['id', '-nG', '--', inst.user], { allowFailure: true })).stdout.trim().split(/\s+/);
  const shadow = (await ex.run(['getent', 'shadow', inst.user], { allowFailure: true })).stdout.trim().split(':');
  return {
    name: inst.name, unit: inst.unit, user: inst.user, uid,
    wasEnabled: s.enabled === 'enabled', wasActive: RUNNING.has(s.active),
    removedGroups: ROOT_EQUIVALENT_GROUPS.filter((g) => groups.includes(g)),
    expiry: shadow[7] ?? '',
  };
}

async function timerStates(ex: Executor): Promise<PausedTimer[]> {
  const out: PausedTimer[] = [];
  for (const [p, why] of Object.entries(PAUSED_WHILE_CONTAINED)) {
    const unit = `clawops-${p}.timer`;
    const s = await unitState(ex, unit);
    if (s.enabled !== 'enabled' && s.enabled !== 'disabled') continue; // not installed
    out.push({ unit, why, wasEnabled: s.enabled === 'enabled', wasActive: RUNNING.has(s.active) });
  }
  return out;
}

/** Stop the gateway now and keep it from starting until lift. */
async function stopGateway(ex: Executor, spec: ResolvedSpec, i: ContainedInstance): Promise<Step> {
  const s = await unitState(ex, i.unit);
  const did: string[] = [];
  const dropIn = holdDropIn(i.unit);
  if ((await ex.readFile(dropIn))?.toString('utf8') !== holdDropInText(spec)) {
    await ex.run(['install', '-d', '-m', '0755', '--', dropIn.replace(/\/[^/]+$/, '')]);
    await ex.writeFile(dropIn, holdDropInText(spec), { mode: 0o644, owner: 'root', group: 'root' });
    await ex.run(['systemctl', 'daemon-reload']);
    did.push(`held (${dropIn}: no start while contained, reboots included)`, ...(await followWrites(spec, ex, [dropIn])));
  }
  if (s.enabled === 'enabled') {
    await ex.run(['systemctl', 'disable', '--quiet', '--', i.unit]);
    did.push('disabled');
  }
  // whatever its state (a crash loop sits in "activating" between restarts). A stop, not a kill: the
  // network is cut already, and a killed gateway would read as a crash (its alert hook, a failed unit);
  // what outlives the stop is killed with the user's other processes next
  await ex.run(['systemctl', 'stop', '--', i.unit], { timeoutMs: 120_000 });
  await ex.run(['systemctl', 'reset-failed', '--', i.unit], { allowFailure: true });
  if (RUNNING.has(s.active)) did.push(`stopped (was ${s.active})`);
  const after = (await unitState(ex, i.unit)).active;
  if (RUNNING.has(after)) return { step: `gateway ${i.unit}`, status: 'failed', detail: `still ${after} after stop` };
  return { step: `gateway ${i.unit}`, status: did.length ? 'done' : 'already', detail: did.length ? did.join(', ') : 'stopped, held, not enabled' };
}

/** No login (ssh keys included) and no root-equivalent group for the service user. */
async function lockAccount(ex: Executor, i: ContainedInstance): Promise<Step> {
  const step = `account ${i.user}`;
  if (i.uid === null) return { step, status: 'skipped', detail: `no user ${i.user} on the host` };
  const did: string[] = [];
  const shadow = (await ex.run(['getent', 'shadow', i.user], { allowFailure: true })).stdout.trim().split(':');
  if (shadow[7] !== '1') {
    await ex.run(['usermod', '--expiredate', '1', '--', i.user]);
    did.push('expired (no login, keys included)');
  }
  const groups = (await ex.run(['id', '-nG', '--', i.user], { allowFailure: true })).stdout.trim().split(/\s+/);
  for (const g of i.removedGroups.filter((x) => groups.includes(x))) {
    await ex.run(['gpasswd', '-d', i.user, g]);
    did.push(`out of group ${g}`);
  }
  return { step, status: did.length ? 'done' : 'already', detail: did.length ? did.join(', ') : `expired${i.removedGroups.length ? `, out of ${i.removedGroups.join(', ')}` : ''}` };
}

// $1 uid: stop its systemd --user manager, then SIGKILL whatever is left until nothing is (bounded)
const KILL_USER = `uid=$1
systemctl stop "user@$uid.service" 2>/dev/null || true
first=$(pgrep -u "$uid" | wc -l); i=0
while [ "$(pgrep -u "$uid" | wc -l)" -gt 0 ]; do
  [ $i -ge 100 ] && { echo "$first"; pgrep -a -u "$uid" >&2; exit 3; }
  pkill -KILL -u "$uid" || true; sleep 0.1; i=$((i+1))
done
echo "$first"`;

async function killUser(ex: Executor, i: ContainedInstance): Promise<Step> {
  const step = `processes of ${i.user}`;
  if (i.uid === null) return { step, status: 'skipped', detail: `no user ${i.user} on the host` };
  const r = await ex.run(['sh', '-c', KILL_USER, 'sh', String(i.uid)], { allowFailure: true, timeoutMs: 60_000 });
  const n = Number(r.stdout.trim()) || 0;
  if (r.exitCode !== 0) return { step, status: 'failed', detail: `still running after SIGKILL: ${r.stderr.trim().split('\n').slice(0, 5).join('; ')}` };
  return { step, status: n > 0 ? 'done' : 'already', detail: n > 0 ? `${n} killed (SIGKILL)` : 'none running' };
}

/** Stop (never remove) the running sandbox containers; name the other running containers for a person to judge. */
async function stopContainers(ex: Executor): Promise<{ step: Step; stopped: string[]; policies: Record<string, string> }> {
  const step = 'sandbox containers';
  const docker = await ex.run(['sh', '-c', 'command -v docker >/dev/null && docker info --format "{{.ServerVersion}}"'], { allowFailure: true, timeoutMs: 30_000 });
  if (docker.exitCode !== 0) return { step: { step, status: 'skipped', detail: 'no Docker engine answers' }, stopped: [], policies: {} };
  const ps = await ex.run(['docker', 'ps', '--format', '{{.Names}}'], { timeoutMs: 30_000 });
  const all = ps.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const names = all.filter((n) => n.startsWith(SANDBOX_CONTAINER_PREFIX));
  const others = all.filter((n) => !names.includes(n));
  const othersNote = others.length ? `; other running containers, not OpenClaw's (judge them: docker inspect): ${others.join(', ')}` : '';
  if (names.length === 0) return { step: { step, status: 'already', detail: `none running (${SANDBOX_CONTAINER_PREFIX}*)${othersNote}` }, stopped: [], policies: {} };
  const policies: Record<string, string> = {};
  for (const n of names) policies[n] = word((await ex.run(['docker', 'inspect', '--format', '{{.HostConfig.RestartPolicy.Name}}', n], { allowFailure: true })).stdout) || 'no';
  const restarting = names.filter((n) => policies[n] !== 'no' && policies[n] !== '');
  if (restarting.length) await ex.run(['docker', 'update', '--restart=no', ...restarting], { allowFailure: true, timeoutMs: 30_000 });
  await ex.run(['docker', 'stop', '--time', '2', ...names], { timeoutMs: 120_000 });
  return { step: { step, status: 'done', detail: `stopped and kept for inspection: ${names.join(', ')}${restarting.length ? ` (restart policy set to no: ${restarting.map((n) => `${n} was ${policies[n]}`).join(', ')})` : ''}${othersNote}` }, stopped: names, policies };
}

async function pauseTimer(ex: Executor, t: PausedTimer): Promise<Step> {
  const s = await unitState(ex, t.unit);
  if (s.enabled !== 'enabled' && !RUNNING.has(s.active)) return { step: `timer ${t.unit}`, status: 'already', detail: `paused (${t.why})` };
  await ex.run(['systemctl', 'disable', '--now', '--quiet', '--', t.unit]);
  return { step: `timer ${t.unit}`, status: 'done', detail: `paused: ${t.why}` };
}

/** One step, whatever happens: a failure is reported and the next step still runs. */
async function attempt(step: string, fn: () => Promise<Step>): Promise<Step> {
  try {
    return await fn();
  } catch (err) {
    return { step, status: 'failed', detail: err instanceof ClawopsError ? err.message : (err as Error).message };
  }
}

export interface ContainResult {
  record: ContainRecord;
  steps: Step[];
  /** true when this run changed nothing (the host was already contained) */
  unchanged: boolean;
}

/** The ledger key of a containment's incident: one per containment, the same on every re-run. */
export const incidentKey = (r: Pick<ContainRecord, 'at'>): string => `emergency.contained.${r.at.replace(/[^0-9]/g, '').slice(0, 14)}`;

export async function contain(ex: Executor, spec: ResolvedSpec, o: ContainOptions): Promise<ContainResult> {
  const steps: Step[] = [];
  const say = (s: Step) => {
    steps.push(s);
    o.log?.(`${s.status.padEnd(7)} ${s.step}: ${s.detail}`);
  };
  let prior: ContainRecord | null = null;
  try {
    prior = await readContainRecord(ex, spec);
  } catch (err) {
    const aside = await moveAsideContainRecord(ex, spec, o.now);
    say({ step: 'record', status: 'failed', detail: `${(err as Error).message}: moved to ${aside}; the state lift restores is read again now (a gateway already stopped stays stopped after lift)` });
  }
  const record: ContainRecord = prior ?? {
    schemaVersion: CONTAIN_SCHEMA_VERSION,
    at: o.now.toISOString(),
    reason: o.reason,
    incident: o.incident ?? null,
    instances: await Promise.all(spec.resolved.map((i) => instanceState(ex, i))),
    timers: await timerStates(ex),
    containers: [],
    restartPolicies: {},
    allowInterfaces: [...spec.firewall.managementInterfaces],
  };
  if (!prior) await writeContainRecord(ex, spec, record);

  say(await attempt('outbound traffic', async () => {
    const uids = record.instances.flatMap((i) => (i.uid === null || i.uid === 0 ? [] : [i.uid]));
    const cut = await applyCut(ex, uids, record.allowInterfaces);
    const failed = cut.filter((c) => c.failed);
    const tables = cut.filter((c) => !c.skipped && !c.failed).map((c) => c.table);
    if (failed.length > 0 || tables.length === 0) {
      return { step: 'outbound traffic', status: 'failed', detail: [...failed.map((c) => `${c.table}: ${c.failed}`), ...cut.filter((c) => c.skipped).map((c) => `${c.table}: ${c.skipped}`)].join('; ') };
    }
    return {
      step: 'outbound traffic',
      status: cut.some((c) => c.changed) ? 'done' : 'already',
      detail: `uid ${uids.join(', ')} rejected (${tables.join(', ')}) except out of ${record.allowInterfaces.join(', ')}${cut.some((c) => c.skipped) ? `; ${cut.filter((c) => c.skipped).map((c) => c.skipped).join('; ')}` : ''}`,
    };
  }));
  for (const i of record.instances) say(await attempt(`gateway ${i.unit}`, () => stopGateway(ex, spec, i)));
  for (const i of record.instances) say(await attempt(`account ${i.user}`, () => lockAccount(ex, i)));
  for (const i of record.instances) say(await attempt(`processes of ${i.user}`, () => killUser(ex, i)));
  say(await attempt('sandbox containers', async () => {
    const c = await stopContainers(ex);
    record.containers = [...new Set([...record.containers, ...c.stopped])];
    record.restartPolicies = { ...c.policies, ...record.restartPolicies };
    return c.step;
  }));
  for (const t of record.timers) say(await attempt(`timer ${t.unit}`, () => pauseTimer(ex, t)));

  if (record.incident === null) {
    const evidence = JSON.stringify({ reason: record.reason, containedAt: record.at, steps });
    const inc = await o.openIncident(incidentKey(record), `host contained: ${record.reason}`, evidence);
    record.incident = inc.id;
    say({ step: 'incident', status: inc.id === null ? 'failed' : 'done', detail: inc.id === null ? `not opened: ${inc.note ?? 'no ledger'}` : `#${inc.id} opened` });
  } else {
    say({ step: 'incident', status: 'already', detail: `#${record.incident} open since ${record.at}` });
  }
  await writeContainRecord(ex, spec, record);
  return { record, steps, unchanged: prior !== null && steps.every((s) => s.status === 'already' || s.status === 'skipped') };
}
