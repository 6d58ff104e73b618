/** The OpenClaw gateway config, version-aware (2026.2.x vs 2026.9.x). */
import { wildcardSenderLists } from '../desired/policy.ts';
import { known } from '../facts/types.ts';
import { configPath } from '../facts/paths.ts';
import { config, configRef, CONFIG_FIX, envRef, tokenInfo } from './config-helpers.ts';
import { effectiveVersion, installRef, list } from './helpers.ts';
import { type CheckDef, fail, pass, skipped } from './types.ts';

const MIN_TOKEN_BYTES = 32;
const cfgNeeds: CheckDef['needs'] = (ctx) => [configRef(ctx), installRef(ctx)];

function simple(id: string, title: string, severity: 'critical' | 'warn', runbook: string, key: string, want: (ctx: Parameters<CheckDef['needs']>[0]) => unknown, dflt: unknown): CheckDef {
  return {
    id, title, area: 'openclaw-config', severity, profiles: ['go-live', 'security'], scope: 'instance', runbook,
    remediation: CONFIG_FIX,
    needs: cfgNeeds,
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const got = c.get(key) ?? dflt;
      const w = want(ctx);
      if (got !== w) return fail(`${key} = ${JSON.stringify(got)}${c.get(key) === undefined ? ' (default)' : ''}; spec wants ${JSON.stringify(w)}`, `${CONFIG_FIX}; sets ${key}=${JSON.stringify(w)} and restarts ${ctx.inst.unit}`);
      return pass(`${key} = ${JSON.stringify(got)}`);
    },
  };
}

export const configChecks: CheckDef[] = [
  {
    id: 'openclaw.config.present',
    title: 'openclaw.json exists, parses, and runs the gateway in local mode',
    area: 'openclaw-config', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 2.5 (onboard), 5.7; known pain: missing gateway.mode makes a restart loop',
    remediation: CONFIG_FIX,
    needs: (ctx) => [configRef(ctx)],
    evaluate(f, ctx) {
      const c = known(f, configRef(ctx));
      if (c.missing) return fail(`${configPath(ctx.inst)} does not exist`);
      if ('unparsable' in c) {
        return fail(
          `${configPath(ctx.inst)} does not parse (${c.unparsable}): the gateway cannot start on it`,
          `clawops apply (puts back the newest copy in OpenClaw's .bak ring that parses, keeping this file as ${configPath(ctx.inst)}.bak, then sets the managed keys, validated)`,
        );
      }
      const mode = (c.config.gateway as { mode?: unknown } | undefined)?.mode;
      if (mode !== 'local') return fail(`gateway.mode = ${JSON.stringify(mode)}; the gateway refuses to start unless it is "local"`);
      return pass(`${configPath(ctx.inst)}: gateway.mode local`);
    },
  },
  simple('openclaw.config.bind', 'The gateway binds to loopback (as the spec says)', 'critical', 'hardened guide 5.7 (gateway.bind loopback)', 'gateway.bind', (ctx) => ctx.spec.gateway.bind, 'loopback'),
  {
    ...simple('openclaw.config.port', 'The gateway port matches the spec instance', 'warn', 'hardened guide 5.7 (gateway.port 18789)', 'gateway.port', (ctx) => ctx.inst.port, 18789),
  },
  simple('openclaw.config.mdns', 'mDNS discovery is off', 'warn', 'hardened guide 5.7 (discovery.mdns.mode off)', 'discovery.mdns.mode', (ctx) => ctx.spec.gateway.mdns, 'minimal'),
  {
    id: 'openclaw.config.auth',
    title: `Gateway auth is token mode with a token of at least ${MIN_TOKEN_BYTES} bytes`,
    area: 'openclaw-config', severity: 'critical', profiles: ['go-live', 'security', 'credentials'], scope: 'instance',
    runbook: 'hardened guide 5.7 (gateway.auth.mode token; openssl rand -hex 32)',
    remediation: 'clawops rotate gateway-token (generates 32 random bytes, hex, and writes both sides)',
    needs: (ctx) => [configRef(ctx), envRef(ctx)],
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const mode = c.get('gateway.auth.mode');
      if (mode !== ctx.spec.gateway.auth.mode) return fail(`gateway.auth.mode = ${JSON.stringify(mode)}; spec wants ${ctx.spec.gateway.auth.mode}`, CONFIG_FIX);
      if (mode !== 'token') return pass(`gateway.auth.mode = ${mode}`);
      const t = tokenInfo(c.get('gateway.auth.token'), f, ctx);
      const rotate = 'clawops rotate gateway-token';
      if (t.kind === 'absent') return fail('gateway.auth.token is not set', rotate);
      if (t.kind === 'other') return fail(`gateway.auth.token is ${t.text}, not a token`, rotate);
      if (t.kind === 'env' && !t.secret) return fail(`gateway.auth.token references \${${t.variable}} but ${ctx.inst.envFile} ${t.envFileMissing ? 'does not exist' : `does not define ${t.variable}`}`, rotate);
      const secret = t.kind === 'env' ? t.secret! : t.secret;
      const where = t.kind === 'env' ? `\${${t.variable}} from ${ctx.inst.envFile}` : 'literal in openclaw.json';
      if (secret.length < MIN_TOKEN_BYTES) return fail(`gateway token (${where}) is ${secret.length} bytes < ${MIN_TOKEN_BYTES}`, rotate);
      return pass(`token mode, token ${secret.length} bytes (${where})`);
    },
  },
  {
    id: 'openclaw.config.token-alignment',
    title: 'Token wiring: auth.token = remote.token (2026.2.x) / token fed by env reference (2026.9.x)',
    area: 'openclaw-config', severity: 'critical', profiles: ['go-live', 'credentials'], scope: 'instance',
    runbook: 'hardened guide 5.7 (validate token alignment); known pain: gateway token mismatch',
    remediation: 'clawops rotate gateway-token (writes the token on both sides atomically)',
    needs: (ctx) => [configRef(ctx), envRef(ctx), installRef(ctx)],
    evaluate(f, ctx) {
      const c = config(f, ctx);
      if (c.get('gateway.auth.mode') !== 'token') return skipped('gateway.auth.mode is not token');
      const { caps, note } = effectiveVersion(f, ctx);
      const auth = tokenInfo(c.get('gateway.auth.token'), f, ctx);
      const remote = tokenInfo(c.get('gateway.remote.token'), f, ctx);
      const fp = (t: typeof auth) => (t.kind === 'literal' ? t.secret.fingerprint : t.kind === 'env' ? t.secret?.fingerprint : undefined);
      if (caps.tokenEnvReference) {
        if (auth.kind !== 'env') return fail(`${note}: gateway.auth.token is ${auth.kind === 'literal' ? 'a literal in openclaw.json' : auth.kind}; expected \${OPENCLAW_GATEWAY_TOKEN} from ${ctx.inst.envFile}`, 'clawops rotate gateway-token (moves the token to the env file)');
        if (!auth.secret) return fail(`\${${auth.variable}} is not defined in ${ctx.inst.envFile}`, 'clawops rotate gateway-token');
        if (remote.kind !== 'absent' && fp(remote) !== fp(auth)) return fail('gateway.remote.token differs from the gateway token (token mismatch)', 'clawops rotate gateway-token');
        return pass(`${note}: gateway.auth.token = \${${auth.variable}} defined in ${ctx.inst.envFile}`);
      }
      if (auth.kind === 'absent' || remote.kind === 'absent') return fail(`${note}: gateway.${auth.kind === 'absent' ? 'auth' : 'remote'}.token is not set`, 'clawops rotate gateway-token');
      if (fp(auth) === undefined || fp(auth) !== fp(remote)) return fail(`${note}: gateway.auth.token and gateway.remote.token differ (CLI calls fail with "gateway token mismatch")`, 'clawops rotate gateway-token');
      return pass(`${note}: gateway.auth.token and gateway.remote.token match`);
    },
  },
  {
    id: 'openclaw.config.control-ui',
    title: 'Control UI policy: as the spec says; allowInsecureAuth false (2026.2.x) / absent (2026.9.x)',
    area: 'openclaw-config', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 5.7 (Control UI Option A/B; allowInsecureAuth must be false)',
    remediation: CONFIG_FIX,
    needs: cfgNeeds,
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const { caps, note } = effectiveVersion(f, ctx);
      const enabled = c.get('gateway.controlUi.enabled') ?? true;
      const insecure = c.get('gateway.controlUi.allowInsecureAuth');
      if (enabled !== ctx.spec.gateway.controlUi.enabled) return fail(`gateway.controlUi.enabled = ${enabled}${c.get('gateway.controlUi.enabled') === undefined ? ' (default)' : ''}; spec wants ${ctx.spec.gateway.controlUi.enabled}`);
      if (!caps.allowInsecureAuthKey) {
        if (insecure !== undefined) return fail(`${note}: gateway.controlUi.allowInsecureAuth is set (${insecure}); removed in 2026.8.1 and rejected — delete the key`, `${CONFIG_FIX} (removes the key)`);
        return pass(`controlUi.enabled ${enabled}; allowInsecureAuth absent (${note})`);
      }
      if (enabled && insecure !== false) return fail(`${note}: Control UI enabled and allowInsecureAuth = ${JSON.stringify(insecure)}; must be false`, `${CONFIG_FIX} (sets gateway.controlUi.allowInsecureAuth=false)`);
      return pass(`controlUi.enabled ${enabled}${enabled ? ', allowInsecureAuth false' : ''} (${note})`);
    },
  },
  {
    id: 'openclaw.config.terminal',
    title: 'The host PTY operator terminal is off (2026.9.x)',
    area: 'openclaw-config', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'OpenClaw 2026.9 default gateway.terminal.enabled=true (not in the 2026.2 runbook)',
    remediation: CONFIG_FIX,
    needs: cfgNeeds,
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const { caps, note } = effectiveVersion(f, ctx);
      if (!caps.terminalKey) return skipped(`${note} has no operator terminal`);
      const on = c.get('gateway.terminal.enabled') ?? true;
      if (on !== ctx.spec.gateway.terminal.enabled) return fail(`gateway.terminal.enabled = ${on}${c.get('gateway.terminal.enabled') === undefined ? ' (default)' : ''}; spec wants ${ctx.spec.gateway.terminal.enabled}`);
      return pass(`gateway.terminal.enabled = ${on}`);
    },
  },
  {
    id: 'openclaw.config.log-redaction',
    title: 'Log redaction: redactSensitive "tools" (2026.2.x) / key absent (2026.9.x)',
    area: 'openclaw-config', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 5.7 (logging.redactSensitive tools)',
    remediation: CONFIG_FIX,
    needs: cfgNeeds,
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const { caps, note } = effectiveVersion(f, ctx);
      const v = c.get('logging.redactSensitive');
      if (!caps.redactSensitiveKey) return v === undefined ? pass(`${note}: logging.redactSensitive absent (removed in 2026.8.1)`) : fail(`${note}: logging.redactSensitive is set; removed in 2026.8.1 and rejected`);
      return v === 'tools' ? pass('logging.redactSensitive = "tools"') : fail(`logging.redactSensitive = ${JSON.stringify(v)}; want "tools"`);
    },
  },
  {
    id: 'openclaw.config.tools-deny',
    title: 'tools.deny holds every tool the spec denies',
    area: 'openclaw-config', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 5.3 (tools.deny ["gateway","nodes"])',
    remediation: CONFIG_FIX,
    needs: cfgNeeds,
    evaluate(f, ctx) {
      const deny = config(f, ctx).get('tools.deny');
      const have = Array.isArray(deny) ? deny.map(String) : [];
      const missing = ctx.spec.tools.deny.filter((t) => !have.includes(t));
      if (missing.length) return fail(`tools.deny = ${JSON.stringify(have)}; missing ${list(missing)}`);
      return pass(`tools.deny = ${JSON.stringify(have)}`);
    },
  },
  {
    id: 'openclaw.config.tools-profile',
    title: 'tools.profile matches the spec',
    area: 'openclaw-config', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 5.3 (tool policy); OpenClaw 2026.9 onboarding sets tools.profile "full" when unset',
    remediation: CONFIG_FIX,
    needs: cfgNeeds,
    evaluate(f, ctx) {
      const { caps, note } = effectiveVersion(f, ctx);
      if (!caps.toolsProfileKey) return skipped(`${note} has no tools.profile`);
      const p = config(f, ctx).get('tools.profile');
      return p === ctx.spec.tools.profile ? pass(`tools.profile = ${p}`) : fail(`tools.profile = ${JSON.stringify(p)}; spec wants ${ctx.spec.tools.profile}`);
    },
  },
  {
    id: 'openclaw.config.elevated',
    title: 'Elevated (host) tools are off, or restricted to the spec allowFrom ids with no wildcard',
    area: 'openclaw-config', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 5.4 (tools.elevated Option A disable / Option B allowFrom)',
    remediation: CONFIG_FIX,
    needs: cfgNeeds,
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const enabled = c.get('tools.elevated.enabled') ?? true;
      const allow = (c.get('tools.elevated.allowFrom') ?? {}) as Record<string, unknown>;
      const spec = ctx.spec.tools.elevated;
      if (!enabled) return pass('tools.elevated.enabled = false');
      if (!spec.enabled) return fail(`tools.elevated.enabled = true${c.get('tools.elevated.enabled') === undefined ? ' (default)' : ''}; spec disables it`, `${CONFIG_FIX} (sets tools.elevated.enabled=false)`);
      const problems: string[] = [];
      for (const [ch, ids] of Object.entries(allow)) {
        const arr = Array.isArray(ids) ? ids.map(String) : [];
        if (arr.includes('*')) problems.push(`allowFrom.${ch} contains "*" (anyone on ${ch} can run host commands)`);
        const extra = arr.filter((i) => i !== '*' && !(spec.allowFrom[ch] ?? []).includes(i));
        if (extra.length) problems.push(`allowFrom.${ch} has ids not in the spec: ${list(extra)}`);
      }
      if (Object.keys(allow).length === 0) problems.push('enabled with an empty allowFrom');
      if (problems.length) return fail(problems.join('; '), `${CONFIG_FIX} (writes tools.elevated.allowFrom from the spec)`);
      return pass(`enabled, allowFrom ${JSON.stringify(allow)}`);
    },
  },
  {
    id: 'openclaw.config.sandbox',
    title: 'Sandbox: mode all, scope session, no network, read-only workspace and root (as the spec says)',
    area: 'openclaw-config', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 5.2 (agents.defaults.sandbox.*)',
    remediation: CONFIG_FIX,
    needs: cfgNeeds,
    evaluate(f, ctx) {
      const c = config(f, ctx);
      const s = ctx.spec.sandbox;
      const want: [string, unknown, unknown][] = [
        ['agents.defaults.sandbox.mode', s.mode, 'off'],
        ['agents.defaults.sandbox.scope', s.scope, 'agent'],
        ['agents.defaults.sandbox.workspaceAccess', s.workspaceAccess, 'none'],
        ['agents.defaults.sandbox.docker.network', s.network, 'none'],
        ['agents.defaults.sandbox.docker.readOnlyRoot', s.readOnlyRoot, true],
      ];
      const wrong = want.filter(([k, w, d]) => (c.get(k) ?? d) !== w).map(([k, w, d]) => `${k.replace('agents.defaults.sandbox.', '')} = ${JSON.stringify(c.get(k) ?? d)} (want ${JSON.stringify(w)})`);
      if (wrong.length) return fail(wrong.join('; '));
      return pass(want.map(([k, w]) => `${k.replace('agents.defaults.sandbox.', '')}=${JSON.stringify(w)}`).join(', '));
    },
  },
  {
    id: 'openclaw.config.channels',
    title: 'Every channel: DM pairing, groups disabled, configWrites false, no "*" sender',
    area: 'openclaw-config', severity: 'warn', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 4.3-4.4 (pairing); production runbook 1.3 (pairing, mention gating)',
    remediation: CONFIG_FIX,
    needs: cfgNeeds,
    evaluate(f, ctx) {
      const chans = (config(f, ctx).get('channels') ?? {}) as Record<string, Record<string, unknown>>;
      const s = ctx.spec.channels;
      const problems: string[] = [];
      for (const [name, ch] of Object.entries(chans)) {
        if (typeof ch !== 'object' || ch === null) continue;
        // some channels keep the legacy `dm.policy` spelling
        const dm = ch.dmPolicy ?? (ch.dm as { policy?: unknown } | undefined)?.policy ?? 'pairing';
        if (dm !== s.dmPolicy) problems.push(`${name}.dmPolicy = ${JSON.stringify(dm)}`);
        if ((ch.groupPolicy ?? 'open') !== s.groupPolicy) problems.push(`${name}.groupPolicy = ${JSON.stringify(ch.groupPolicy ?? 'open (default)')}`);
        if ((ch.configWrites ?? true) !== s.configWrites) problems.push(`${name}.configWrites = ${JSON.stringify(ch.configWrites ?? 'true (default)')}`);
      }
      for (const w of wildcardSenderLists(ctx.spec, chans)) problems.push(`${w.path.slice(1).join('.')} includes "*" (anyone)`);
      if (problems.length) return fail(`${problems.join('; ')} (spec: dmPolicy ${s.dmPolicy}, groupPolicy ${s.groupPolicy}, configWrites ${s.configWrites})`);
      const names = Object.keys(chans);
      return pass(names.length ? `channels ${list(names)} follow the policy` : 'no channels configured');
    },
  },
];
