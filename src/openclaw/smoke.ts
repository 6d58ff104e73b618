/**
 * `clawops smoke`: the hardened guide's end-to-end test (phase 8.2) as a command. Through the
 * running gateway (never `--local`), as the service user:
 *   1. gateway  the gateway answers its health probe;
 *   2. answer   an agent turn gets a non-empty answer from the configured model;
 *   3. tool     a turn that needs the exec tool: the answer must carry the sha256 of a fresh nonce,
 *               which only running the command yields (a model cannot guess it); skipped, with the
 *               reason, when the spec's tool policy offers no exec tool (profiles minimal, messaging);
 *   4. sandbox  the turn ran in a new `openclaw-sbx-` container whose inspected settings are the
 *               spec's: network, read-only root, read-only workspace, no capabilities.
 * A fresh session key per run, so the sandbox container (scope session) is new. The tool policy
 * is the spec's own: nothing is loosened for the test.
 */
import { isObject } from './config-doc.ts';
import { createHash, randomBytes } from 'node:crypto';
import { redact } from '../core/redact.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { openclawRun } from './config-write.ts';
import { probeHealth } from './probe.ts';
import { SANDBOX_CONTAINER_PREFIX } from './sandbox-run.ts';

export type SmokeStepName = 'gateway' | 'answer' | 'tool' | 'sandbox';

export interface SmokeStep {
  name: SmokeStepName;
  status: 'pass' | 'fail' | 'skipped';
  ms: number;
  detail: string;
}

export interface SmokeResult {
  schemaVersion: 1;
  instance: string;
  ok: boolean;
  sessionKey: string;
  steps: SmokeStep[];
}

/** What `openclaw agent --json` answered, read leniently (its envelope grew over releases). */
export interface AgentAnswer {
  ok: boolean;
  text: string;
  error?: string;
  toolCalls?: number;
  model?: string;
}


/** Pure: the answer text, status and tool count from `openclaw agent --json` stdout. */
export function parseAgentAnswer(stdout: string, exitCode: number | null): AgentAnswer {
  let j: unknown;
  try {
    j = JSON.parse(stdout.slice(stdout.indexOf('{')));
  } catch {
    return { ok: false, text: '', error: `exit ${exitCode}: no JSON answer` };
  }
  if (!isObject(j)) return { ok: false, text: '', error: 'the answer is not a JSON object' };
  const body = isObject(j.result) ? { ...j, ...j.result } : j;
  const payloads = Array.isArray(body.payloads) ? body.payloads : [];
  const texts = payloads.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).filter(Boolean);
  const text = typeof body.final === 'string' && body.final ? body.final : texts.join('\n');
  const meta = isObject(body.meta) ? body.meta : {};
  const agentMeta = isObject(meta.agentMeta) ? meta.agentMeta : {};
  const summary = isObject(meta.toolSummary) ? meta.toolSummary : isObject(body.toolSummary) ? body.toolSummary : undefined;
  const err = isObject(body.error) ? String(body.error.message ?? body.error.type ?? 'error') : isObject(meta.error) ? String(meta.error.message ?? 'error') : undefined;
  const status = typeof body.status === 'string' ? body.status : undefined;
  const ok = exitCode === 0 && body.ok !== false && (status === undefined || status === 'ok') && err === undefined;
  const model = typeof agentMeta.model === 'string' ? `${typeof agentMeta.provider === 'string' ? `${agentMeta.provider}/` : ''}${agentMeta.model}` : typeof body.model === 'string' ? body.model : undefined;
  return {
    ok,
    text,
    ...(err ? { error: err } : !ok ? { error: `exit ${exitCode}${status ? `, status ${status}` : ''}` } : {}),
    ...(summary && typeof summary.calls === 'number' ? { toolCalls: summary.calls } : {}),
    ...(model ? { model } : {}),
  };
}

/** The instruction of the tool step: a real model follows it; the expected output is the nonce's sha256. */
export function toolPrompt(nonce: string): { message: string; expect: string } {
  return {
    message: `Use your exec tool to run exactly this shell command, then reply with its output only: \`printf %s ${nonce} | sha256sum\``,
    expect: createHash('sha256').update(nonce).digest('hex'),
  };
}

/**
 * Why the spec's own tool policy offers no exec tool (so nothing can run in the sandbox and the tool
 * and sandbox steps are skipped, never forced by loosening the policy), or undefined when it does.
 * OpenClaw's profiles: minimal and messaging carry no runtime tools; coding and full carry group:runtime.
 */
export function noExecReason(spec: ResolvedSpec): string | undefined {
  if (spec.tools.profile === 'minimal' || spec.tools.profile === 'messaging') {
    return `tools.profile ${spec.tools.profile} offers no exec tool: agents run nothing in the sandbox (the coding and full profiles do)`;
  }
  const denied = spec.tools.deny.find((d) => ['exec', 'bash', 'group:runtime'].includes(d));
  return denied ? `tools.deny holds ${denied}: agents run nothing in the sandbox` : undefined;
}

interface Inspected {
  Name?: string;
  HostConfig?: { NetworkMode?: string; ReadonlyRootfs?: boolean; CapDrop?: string[] | null; SecurityOpt?: string[] | null };
  Mounts?: { Destination?: string; RW?: boolean }[];
}

/** Pure: how a sandbox container's inspected settings differ from the spec's sandbox. */
export function sandboxProblems(spec: ResolvedSpec, c: Inspected): string[] {
  const out: string[] = [];
  const hc = c.HostConfig ?? {};
  if (hc.NetworkMode !== spec.sandbox.network) out.push(`network ${hc.NetworkMode ?? '?'} (spec: ${spec.sandbox.network})`);
  if (spec.sandbox.readOnlyRoot && hc.ReadonlyRootfs !== true) out.push('root filesystem writable (spec: read-only)');
  if (!(hc.CapDrop ?? []).some((x) => /^(CAP_)?ALL$/i.test(x))) out.push('capabilities not dropped');
  if (spec.sandbox.workspaceAccess === 'ro') {
    const rw = (c.Mounts ?? []).filter((m) => m.RW && /^\/(workspace|agent)\b/.test(m.Destination ?? ''));
    if (rw.length > 0) out.push(`writable ${rw.map((m) => m.Destination).join(', ')} (spec: workspace read-only)`);
  }
  return out;
}

async function sandboxNames(ex: Executor): Promise<string[] | string> {
  const r = await ex.run(['docker', 'ps', '-a', '--filter', `name=${SANDBOX_CONTAINER_PREFIX}`, '--format', '{{.Names}}'], { allowFailure: true, timeoutMs: 30_000 });
  if (r.exitCode !== 0) return `docker ps: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 200) || `exit ${r.exitCode}`}`;
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** One agent turn through the running gateway, as the service user, in session `sessionKey`. */
export async function agentTurn(ex: Executor, inst: ResolvedInstance, version: string, sessionKey: string, message: string, timeoutSec: number): Promise<AgentAnswer> {
  const r = await openclawRun(ex, inst, version, ['agent', '--agent', 'main', '--session-key', sessionKey, '--message', message, '--json', '--timeout', String(timeoutSec)], {
    allowFailure: true,
    timeoutMs: (timeoutSec + 60) * 1000,
  });
  const a = parseAgentAnswer(r.stdout, r.exitCode);
  if (!a.ok && r.stderr.trim()) a.error = `${a.error ?? 'failed'}: ${r.stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300)}`;
  return a;
}

export interface SmokeOptions {
  /** each agent turn's deadline */
  timeoutSec: number;
  /** progress lines (stderr) */
  log?: (line: string) => void;
}

export async function runSmoke(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, opts: SmokeOptions): Promise<SmokeResult> {
  const version = spec.openclaw.version;
  const nonce = randomBytes(8).toString('hex');
  const sessionKey = `clawops-smoke-${nonce}`;
  const steps: SmokeStep[] = [];
  const step = async (name: SmokeStepName, fn: () => Promise<Omit<SmokeStep, 'name' | 'ms'>>): Promise<SmokeStep> => {
    opts.log?.(`smoke: ${name} ...`);
    const t0 = performance.now();
    let s: SmokeStep;
    try {
      s = { name, ...(await fn()), ms: Math.round(performance.now() - t0) };
    } catch (err) {
      s = { name, status: 'fail', detail: err instanceof Error ? err.message : String(err), ms: Math.round(performance.now() - t0) };
    }
    s.detail = redact(s.detail);
    steps.push(s);
    return s;
  };
  const skip = (name: SmokeStepName, why: string) => steps.push({ name, status: 'skipped', ms: 0, detail: why });
  const turn = (message: string): Promise<AgentAnswer> => agentTurn(ex, inst, version, sessionKey, message, opts.timeoutSec);

  const gw = await step('gateway', async () => {
    const h = await probeHealth(ex, inst, version);
    return h.ok ? { status: 'pass', detail: h.detail } : { status: 'fail', detail: `${h.detail} (start it: systemctl start ${inst.unit}; why it stopped: clawops check)` };
  });
  const sandboxed = spec.sandbox.mode !== 'off' && spec.docker.enabled;
  const before = sandboxed ? await sandboxNames(ex) : [];
  const answered = gw.status !== 'pass' ? undefined : await step('answer', async () => {
    const a = await turn('Reply in one short sentence: which model are you?');
    if (!a.ok) return { status: 'fail', detail: `the agent turn failed: ${a.error}` };
    if (!a.text.trim()) return { status: 'fail', detail: 'the agent turn returned no text' };
    return { status: 'pass', detail: `${a.model ? `${a.model}: ` : ''}${JSON.stringify(a.text.trim().slice(0, 160))}` };
  });
  if (!answered) skip('answer', 'the gateway is not healthy');
  const noExec = noExecReason(spec);
  const tooled = answered?.status !== 'pass' || noExec ? undefined : await step('tool', async () => {
    const p = toolPrompt(nonce);
    const a = await turn(p.message);
    if (!a.ok) return { status: 'fail', detail: `the agent turn failed: ${a.error}` };
    if (!a.text.includes(p.expect)) {
      return { status: 'fail', detail: `the answer lacks the command's output (sha256 of the nonce): ${JSON.stringify(a.text.trim().slice(0, 200))}${a.toolCalls === 0 ? '; no tool was called (tools.profile / tools.deny may hide exec)' : ''}` };
    }
    return { status: 'pass', detail: `the exec tool ran${a.toolCalls === undefined ? '' : ` (${a.toolCalls} tool call${a.toolCalls === 1 ? '' : 's'})`} and its output came back` };
  });
  if (!tooled) skip('tool', noExec ?? 'no answer to build on');
  if (!sandboxed) skip('sandbox', spec.docker.enabled ? 'sandbox.mode is off in the spec' : 'docker is disabled in the spec');
  else if (tooled?.status !== 'pass') skip('sandbox', noExec ?? 'no tool call to look for');
  else {
    await step('sandbox', async () => {
      const after = await sandboxNames(ex);
      if (typeof before === 'string') return { status: 'fail', detail: before };
      if (typeof after === 'string') return { status: 'fail', detail: after };
      const fresh = after.filter((n) => !before.includes(n));
      if (fresh.length === 0) return { status: 'fail', detail: `no new ${SANDBOX_CONTAINER_PREFIX} container: the tool did not run in the sandbox` };
      const problems: string[] = [];
      for (const name of fresh) {
        const r = await ex.run(['docker', 'inspect', '--type', 'container', name], { timeoutMs: 30_000 });
        const c = (JSON.parse(r.stdout) as Inspected[])[0] ?? {};
        for (const p of sandboxProblems(spec, c)) problems.push(`${name}: ${p}`);
      }
      if (problems.length > 0) return { status: 'fail', detail: `${problems.join('; ')} (the gate's openclaw.config.sandbox names the key; clawops apply restores it)` };
      return { status: 'pass', detail: `${fresh.join(', ')}: network ${spec.sandbox.network}, ${spec.sandbox.readOnlyRoot ? 'read-only root, ' : ''}capabilities dropped${spec.sandbox.workspaceAccess === 'ro' ? ', workspace read-only' : ''}` };
    });
  }
  return { schemaVersion: 1, instance: inst.name, ok: steps.every((s) => s.status !== 'fail') && steps.some((s) => s.name === 'answer' && s.status === 'pass'), sessionKey, steps };
}
