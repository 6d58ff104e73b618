/**
 * `clawops ansible NAME ARGS_FILE`: the module side of the Ansible collection, run on the managed
 * host. Ansible's JSON arguments in (WANT_JSON protocol: the shim passes the file), the clawops
 * CLI run with `--json`, its exit code and output mapped to the result Ansible reads
 * (`changed`, `failed`, `msg`, `diff`, and each module's own keys). The CLI runs through an
 * injected runner so the mapping is tested without a host.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupRecord } from '../backup/records.ts';
import { formatPlan } from '../engine/view.ts';
import type { Plan } from '../engine/types.ts';
import { ALREADY_RUNNING, type UpgradeReport } from '../upgrade/steps.ts';
import { style } from '../views/style.ts';
import type { CheckReport } from '../views/check-report.ts';
import { type ModuleDef, type ModuleOption } from './ansible-modules.ts';
import { blockingOf, statusCounts } from './gate-view.ts';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the clawops CLI on this host with these arguments (global options included). */
export type Runner = (argv: readonly string[]) => Promise<Ran>;

export interface ModuleResult {
  changed: boolean;
  failed?: boolean;
  msg: string;
  diff?: { prepared: string };
  [key: string]: unknown;
}

type Value = string | number | boolean | string[] | undefined;
export type Args = Record<string, Value>;

/** Ansible's arguments checked against the module's options: values typed, defaults filled; errors name the option. */
export function parseArgs(def: ModuleDef, raw: Record<string, unknown>): { args: Args; checkMode: boolean; diff: boolean; errors: string[] } {
  const errors: string[] = [];
  const args: Args = {};
  const known = Object.keys(def.options);
  for (const k of Object.keys(raw)) {
    if (!k.startsWith('_ansible_') && !known.includes(k)) errors.push(`unsupported parameter ${k} (supported: ${known.join(', ')})`);
  }
  for (const [k, opt] of Object.entries(def.options)) {
    const v = raw[k] ?? opt.default;
    if (v === undefined || v === null) {
      if (opt.required) errors.push(`missing required parameter ${k}`);
      continue;
    }
    const typed = coerce(opt, v);
    if (typed === undefined) errors.push(`${k}: expected ${opt.type}${opt.type === 'list' ? ' of strings' : ''}, got ${JSON.stringify(v)}`);
    else if (opt.choices && !opt.choices.includes(String(typed))) errors.push(`${k}: ${JSON.stringify(typed)} is not one of ${opt.choices.join(', ')}`);
    else args[k] = typed;
  }
  return { args, checkMode: raw._ansible_check_mode === true, diff: raw._ansible_diff === true, errors };
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

function coerce(opt: ModuleOption, v: unknown): Value {
  switch (opt.type) {
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (TRUE.has(String(v).toLowerCase())) return true;
      return FALSE.has(String(v).toLowerCase()) ? false : undefined;
    case 'int':
      return Number.isInteger(Number(v)) && String(v).trim() !== '' ? Number(v) : undefined;
    case 'list':
      if (Array.isArray(v)) return v.every((x) => typeof x === 'string' || typeof x === 'number') ? v.map(String) : undefined;
      return typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : undefined;
    default:
      return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  }
}

/** The last lines of what the CLI said on stderr: its error and the hint, for `msg`. */
const said = (r: Ran): string => r.stderr.trim().split('\n').slice(-6).join('\n') || `exit ${r.code} with no message`;

function json<T>(r: Ran): T | undefined {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    return undefined;
  }
}

const failed = (msg: string, extra: Record<string, unknown> = {}): ModuleResult => ({ changed: false, failed: true, msg, ...extra });

/** Runs one module with parsed arguments. `scratch` is a private directory (the spec given as text, apply's plan between plan and apply). */
export async function runModule(def: ModuleDef, raw: Record<string, unknown>, run: Runner, scratch: string): Promise<ModuleResult> {
  const { args, checkMode, diff, errors } = parseArgs(def, raw);
  if (errors.length > 0) return failed(`clawops_${def.name}: ${errors.join('; ')}`);
  let spec = String(args.spec);
  if (typeof args.spec_content === 'string') {
    spec = join(scratch, 'clawops.yaml');
    writeFileSync(spec, args.spec_content, { mode: 0o600 });
  }
  const g = ['--no-color', '-f', spec];
  const wait = args.wait === undefined ? [] : ['--wait', String(args.wait)];
  switch (def.name) {
    case 'check':
      return check(args, checkMode, run, g);
    case 'apply':
      return apply(checkMode, diff, run, g, wait, join(scratch, 'plan.json'));
    case 'backup':
      if (checkMode) return { changed: true, msg: 'check mode: a backup would be taken' };
      return backup(await run([...g, '--json', 'backup', 'run', ...(args.maintenance ? [] : ['--no-maintenance']), ...wait]));
    case 'upgrade':
      if (checkMode) return { changed: true, msg: `check mode: OpenClaw would be upgraded to ${String(args.version)} unless it runs already`, outcome: 'unknown', rolled_back: false };
      return upgrade(String(args.version), await run([...g, '--json', 'upgrade', String(args.version), '--yes', ...upgradeFlags(args), ...wait]));
  }
}

async function check(args: Args, checkMode: boolean, run: Runner, g: string[]): Promise<ModuleResult> {
  const only = Array.isArray(args.only) && args.only.length > 0 ? ['--only', args.only.join(',')] : [];
  const r = await run([...g, 'check', '--format', 'json', '-p', String(args.profile), '--fail-on', String(args.fail_on), ...only,
    ...(args.allow_unknown ? ['--allow-unknown'] : []), ...(args.waivers ? ['--waivers', String(args.waivers)] : []), ...(checkMode ? ['--no-record-known-good'] : [])]);
  const report = json<CheckReport>(r);
  if ((r.code !== 0 && r.code !== 2) || !report?.summary) return failed(`clawops check could not run: ${said(r)}`);
  const blocking = blockingOf(report);
  const counts = statusCounts(report);
  const out = { changed: false, gate: report.summary.gate, summary: report.summary, blocking, report };
  if (report.summary.gate === 'pass') return { ...out, msg: `the ${report.profile} gate passes (${counts})` };
  const named = blocking.map((b) => `${b.id}${b.instance ? ` [${b.instance}]` : ''} ${b.status}: ${b.evidence} (fix: ${b.remediation})`);
  return { ...out, failed: true, msg: `the ${report.profile} gate fails on ${blocking.length} check(s): ${named.join('; ')}` };
}

async function apply(checkMode: boolean, diff: boolean, run: Runner, g: string[], wait: string[], tmpPlan: string): Promise<ModuleResult> {
  const p = await run([...g, '--json', 'plan', ...(checkMode ? [] : ['--out', tmpPlan])]);
  const plan = json<Plan>(p);
  if (p.code !== 0 || !plan?.summary) return failed(`clawops plan failed: ${said(p)}`);
  const { add, change, remove } = plan.summary;
  const changes = add + change + remove;
  const out = { plan: plan.summary, journal_id: null, steps: 0, ...(diff ? { diff: { prepared: `${formatPlan(plan, style(false)).join('\n')}\n` } } : {}) };
  if (changes === 0) return { ...out, changed: false, msg: 'the host matches the spec' };
  const what = `${add} to add, ${change} to change, ${remove} to remove`;
  if (checkMode) return { ...out, changed: true, msg: `check mode: ${what}` };
  // the saved plan: apply refuses it when the host changed since, so what ran is what the diff shows
  const a = await run([...g, '--json', 'apply', tmpPlan, '--yes', ...wait]);
  const res = json<{ applied: boolean; journalId: string | null; steps: unknown[] }>(a);
  if (a.code !== 0 || !res) return failed(`clawops apply failed (${what} planned): ${said(a)}`, { ...out, changed: true });
  return { ...out, changed: res.applied, journal_id: res.journalId, steps: res.steps.length, msg: `applied ${what} (journal ${res.journalId}; \`clawops undo\` on the host restores it)` };
}

function backup(r: Ran): ModuleResult {
  const rec = json<BackupRecord>(r);
  if (!rec?.instances) return failed(`clawops backup run failed: ${said(r)}`);
  const snapshots = rec.instances.map((i) => ({ instance: i.name, ok: i.ok, snapshot: i.shortId ?? null, ...(i.error ? { error: i.error } : {}) }));
  const out = { changed: rec.instances.some((i) => i.ok), snapshots, record: rec };
  if (!rec.ok || r.code !== 0) return { ...out, failed: true, msg: `backup failed: ${rec.error ?? snapshots.filter((s) => !s.ok).map((s) => `${s.instance}: ${s.error ?? 'failed'}`).join('; ')}` };
  return { ...out, msg: `backup: ${snapshots.map((s) => `${s.instance} ${s.snapshot}`).join(', ')}` };
}

function upgradeFlags(args: Args): string[] {
  return [
    ...(args.instance ? ['--instance', String(args.instance)] : []),
    ...(Array.isArray(args.checks) ? ['--checks', args.checks.join(',')] : []),
    ...(args.smoke ? ['--smoke'] : []),
    ...(args.health_timeout !== undefined ? ['--health-timeout', String(args.health_timeout)] : []),
    ...(args.npm_cache ? ['--npm-cache', String(args.npm_cache)] : []),
  ];
}

function upgrade(version: string, r: Ran): ModuleResult {
  const rep = json<UpgradeReport>(r);
  if (!rep?.outcome) return failed(`clawops upgrade ${version} failed: ${said(r)}`, { outcome: 'failed', rolled_back: false });
  const out = { report: rep, rolled_back: rep.outcome === 'rolled-back' };
  if (rep.failedStep === 'preflight' && rep.error?.endsWith(ALREADY_RUNNING)) return { ...out, changed: false, outcome: 'unchanged', msg: rep.error };
  if (rep.exitCode === 0) return { ...out, changed: true, outcome: rep.outcome, msg: `upgraded ${rep.instance}: ${rep.from} -> ${rep.to}` };
  const why = `upgrade of ${rep.instance} to ${rep.to} failed${rep.failedStep ? ` at ${rep.failedStep}` : ''}: ${rep.error ?? 'no reason given'}`;
  if (rep.outcome === 'rolled-back') return { ...out, changed: true, failed: true, outcome: rep.outcome, msg: `${why}; rolled back to ${rep.rollback?.to ?? rep.from}, which runs again` };
  return { ...out, changed: rep.steps.some((s) => s.name !== 'preflight' && s.status === 'ok'), failed: true, outcome: rep.outcome, msg: `${why}${rep.rollback?.error ? `; the rollback failed too: ${rep.rollback.error}` : ''}` };
}
