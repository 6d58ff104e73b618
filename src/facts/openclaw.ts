/** OpenClaw facts: the installed version (from its package.json, no CLI spawn), config, env file, audit. */
import { envTextVars, LOAD_ENV_FN } from '../core/env-file.ts';
import type { Executor } from '../exec/types.ts';
import { parseVersion, type OpenclawVersion } from '../openclaw/versions.ts';
import { parseJson5 } from './json5.ts';
import { cmdProblem, firstLine, readRaw, runRaw, sh } from './probe.ts';
import { sanitizeEnvFile, sanitizeJson } from './secrets.ts';
import { type FactKind, FactUnknownError, type Raw, unknown } from './types.ts';

const FIND_BIN = `b=$1
if [ ! -e "$b" ]; then b=$(command -v openclaw) || { echo "openclaw: not installed (neither $1 nor on PATH)" >&2; exit 127; }; fi`;

/**
 * A probe running `openclaw ARGS` as the service user. arg: `USER HOME ENVFILE BIN` (auditArg); the
 * EnvironmentFile is parsed, never sourced (core/env-file.ts). `pre`: shell lines run first.
 */
export function serviceUserCli(args: string, timeoutMs: number, pre = ''): (ex: Executor, arg: string) => Promise<Raw> {
  const script = `${FIND_BIN}
${pre}cd "$2" 2>/dev/null || cd /
${LOAD_ENV_FN}load_env "$3"
exec "$b" ${args}`;
  return (ex, arg) => {
    const [user = '', home = '', env = '', bin = ''] = arg.split(' ');
    return runRaw(ex, ['sh', '-c', script, 'sh', bin, home, env], timeoutMs, { user, env: { HOME: home, NO_COLOR: '1' } });
  };
}

const INSTALL_SCRIPT = `${FIND_BIN}
p=$(readlink -f "$b"); d=$(dirname "$p")
while [ "$d" != / ]; do
  if [ -f "$d/package.json" ] && grep -q '"name": *"openclaw"' "$d/package.json"; then
    echo "BIN=$b"; echo "PKG=$d/package.json"; grep -m1 '"version"' "$d/package.json"; exit 0
  fi
  d=$(dirname "$d")
done
echo "no openclaw package.json above $p" >&2; exit 3`;

export interface InstallValue {
  bin: string;
  packageJson: string;
  version: OpenclawVersion;
}

export const openclawInstall: FactKind<InstallValue> = {
  kind: 'openclaw.install',
  describe: 'the installed OpenClaw: binary (spec path, else PATH) and version from its package.json',
  probe: (ex, bin) => sh(ex, INSTALL_SCRIPT, [bin]),
  parse(raw, bin) {
    const p = cmdProblem(raw, `openclaw at ${bin}`);
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`openclaw at ${bin}: ${raw.t === 'cmd' ? firstLine(raw.stderr) : ''}`);
    const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(raw.stdout)?.[1] ?? '';
    const version = parseVersion(/"version":\s*"([^"]+)"/.exec(raw.stdout)?.[1] ?? '');
    if (!version) return unknown(`openclaw at ${bin}: no version in ${get('PKG')}`);
    return { bin: get('BIN'), packageJson: get('PKG'), version };
  },
};

/**
 * The config, sanitised at probe time (secret values become descriptors, see secrets.ts). A file
 * that does not parse is a reading too (OpenClaw exits 78 on it): `unparsable` holds the parser's
 * first line (a position and at most one character of the text), never the content.
 */
export type ConfigValue =
  | { missing: true }
  | { missing: false; config: Record<string, unknown> }
  | { missing: false; unparsable: string };

/** In the sanitised raw content: the only key of a config that did not parse. */
const UNPARSABLE = '$clawops:unparsable';

export const openclawConfig: FactKind<ConfigValue> = {
  kind: 'openclaw.config',
  describe: 'openclaw.json (JSON5), with secret values replaced by length+fingerprint descriptors',
  async probe(ex, path) {
    const raw = await readRaw(ex, path);
    if (raw.t !== 'file' || raw.content === null) return raw;
    let doc: unknown;
    try {
      doc = raw.content.trim() === '' ? {} : parseJson5(raw.content);
    } catch (err) {
      return { ...raw, content: JSON.stringify({ [UNPARSABLE]: firstLine((err as Error).message).slice(0, 200) }) };
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { ...raw, content: JSON.stringify({ [UNPARSABLE]: 'not a JSON object at the top level' }) };
    return { ...raw, content: JSON.stringify(sanitizeJson(doc), null, 2) };
  },
  parse(raw, path) {
    if (raw.t === 'error') return unknown(raw.message);
    if (raw.t !== 'file') return unknown(`${path}: unexpected raw`);
    if (raw.content === null) return { missing: true };
    try {
      const v = parseJson5(raw.content);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return unknown(`${path}: not a JSON object`);
      const o = v as Record<string, unknown>;
      if (typeof o[UNPARSABLE] === 'string') return { missing: false, unparsable: o[UNPARSABLE] };
      return { missing: false, config: o };
    } catch (err) {
      return unknown(`${path} is not valid JSON5: ${(err as Error).message}`);
    }
  },
};

/** The config object, null when the file is missing; an unparsable file is unknown to whoever needs its keys. */
export function configObject(v: ConfigValue, path: string): Record<string, unknown> | null {
  if (v.missing) return null;
  if ('unparsable' in v) throw new FactUnknownError(`${path} does not parse (${v.unparsable}): see openclaw.config.present`);
  return v.config;
}

/** Dotted-path lookup into a parsed config. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export type EnvFileValue = { missing: true } | { missing: false; vars: Record<string, string> };

export const envFile: FactKind<EnvFileValue> = {
  kind: 'envfile',
  describe: 'an EnvironmentFile, secret values replaced by descriptors',
  async probe(ex, path) {
    const raw = await readRaw(ex, path);
    return raw.t === 'file' && raw.content !== null ? { ...raw, content: sanitizeEnvFile(raw.content) } : raw;
  },
  parse(raw, path) {
    if (raw.t === 'error') return unknown(`read ${path}: ${raw.message}`);
    if (raw.t !== 'file') return unknown(`${path}: unexpected raw`);
    if (raw.content === null) return { missing: true };
    return { missing: false, vars: envTextVars(raw.content) };
  },
};

export interface AuditFinding {
  checkId: string;
  severity: string;
  title: string;
  detail?: string;
  remediation?: string;
}

export interface AuditValue {
  summary: { critical: number; warn: number; info: number };
  findings: AuditFinding[];
}

// --deep loads the plugin security collectors too: ~9 s idle, past 90 s on a loaded 2-core host
export const AUDIT_TIMEOUT_MS = 240_000;

/** arg: `USER HOME ENVFILE BIN` (space separated; none of them contain spaces). */
export function auditArg(user: string, home: string, envFilePath: string, bin: string): string {
  return [user, home, envFilePath, bin].join(' ');
}

export const openclawAudit: FactKind<AuditValue> = {
  kind: 'openclaw.audit',
  describe: '`openclaw security audit --deep --json` as the service user (the deep probe of the live gateway included), under a timeout (it always exits 0 and can hang)',
  spawnsOpenclaw: true,
  probe: serviceUserCli('security audit --deep --json', AUDIT_TIMEOUT_MS),
  parse(raw) {
    const p = cmdProblem(raw, 'openclaw security audit --deep --json');
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('openclaw security audit: no output');
    const start = raw.stdout.indexOf('{');
    if (start < 0) return unknown(`openclaw security audit --json printed no JSON (exit ${raw.exitCode}): ${firstLine(raw.stderr)}`);
    try {
      const v = JSON.parse(raw.stdout.slice(start)) as Partial<AuditValue>;
      if (!v.summary || !Array.isArray(v.findings)) return unknown('openclaw security audit --json: no summary/findings in its JSON');
      return { summary: v.summary, findings: v.findings };
    } catch (err) {
      return unknown(`openclaw security audit --json: invalid JSON: ${(err as Error).message}`);
    }
  },
};

export const NO_MODEL = 64;

/**
 * `openclaw models status --check`: exit 0 ok, 1 missing/expired, 2 expiring. arg as auditArg.
 * Not spawned when the config names no model (exit NO_MODEL): the CLI costs seconds and 400 MB.
 */
export const openclawModels: FactKind<{ exitCode: number; summary: string }> = {
  kind: 'openclaw.models',
  describe: '`openclaw models status --check` as the service user (credential check)',
  spawnsOpenclaw: true,
  probe: serviceUserCli('models status --check', 60_000,
    `grep -q '"primary"' "$2/.openclaw/openclaw.json" 2>/dev/null || { echo "no LLM model configured (agents.defaults.model.primary)" >&2; exit ${NO_MODEL}; }\n`),
  parse(raw) {
    const p = cmdProblem(raw, 'openclaw models status --check');
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode === null) return unknown('openclaw models status: no exit code');
    if (raw.exitCode === NO_MODEL) return unknown(firstLine(raw.stderr));
    return { exitCode: raw.exitCode, summary: firstLine(raw.stderr) || firstLine(raw.stdout) };
  },
};

export interface UsageCostValue {
  /** per day (OpenClaw's date, YYYY-MM-DD), estimated USD from the configured model prices */
  daily: { date: string; usd: number; tokens: number }[];
  /** calls whose cost OpenClaw could not price (a model without prices) */
  missingCostEntries: number;
}

/**
 * `openclaw gateway usage-cost --days 31 --all-agents --json` as the service user: OpenClaw's own
 * estimate from its session logs (it has no spend cap: the budget check is clawops'). Needs the
 * gateway and a device with operator.read (apply pairs the CLI device). arg as auditArg.
 */
export const openclawUsageCost: FactKind<UsageCostValue> = {
  kind: 'openclaw.usage-cost',
  describe: '`openclaw gateway usage-cost --json` as the service user (estimated spend per day)',
  spawnsOpenclaw: true,
  probe: serviceUserCli('gateway usage-cost --days 31 --all-agents --json', 120_000),
  parse(raw) {
    const p = cmdProblem(raw, 'openclaw gateway usage-cost --json');
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('openclaw gateway usage-cost: no output');
    const start = raw.stdout.indexOf('{');
    if (raw.exitCode !== 0 || start < 0) return unknown(`openclaw gateway usage-cost failed (exit ${raw.exitCode}): ${firstLine(raw.stderr) || firstLine(raw.stdout)}`);
    try {
      const v = JSON.parse(raw.stdout.slice(start)) as { daily?: unknown; totals?: { missingCostEntries?: unknown } };
      if (!Array.isArray(v.daily)) return unknown('openclaw gateway usage-cost --json: no daily list in its JSON');
      const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
      const daily = v.daily.flatMap((d) => {
        const o = d as { date?: unknown; totalCost?: unknown; totalTokens?: unknown };
        return typeof o.date === 'string' ? [{ date: o.date, usd: num(o.totalCost), tokens: num(o.totalTokens) }] : [];
      });
      return { daily, missingCostEntries: num(v.totals?.missingCostEntries) };
    } catch (err) {
      return unknown(`openclaw gateway usage-cost --json: invalid JSON: ${(err as Error).message}`);
    }
  },
};
