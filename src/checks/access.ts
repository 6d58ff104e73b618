/** Remote access (Tailscale), and the things only an external service can confirm (channel, LLM). */
import { tailscaleServe, tailscaleStatus } from '../facts/services.ts';
import { openclawModels } from '../facts/openclaw.ts';
import { textFile } from '../facts/system.ts';
import { approvalsPath, parseApprovals } from '../openclaw/dm-pairing.ts';
import { configuredChannels } from '../openclaw/providers.ts';
import { ref, known } from '../facts/types.ts';
import { config, configRef } from './config-helpers.ts';
import { list } from './helpers.ts';
import { type CheckContext, type CheckDef, fail, pass, skipped, unknownV } from './types.ts';

const usesTailscale = (ctx: CheckContext) => ctx.spec.access.mode === 'tailscale-serve' || ctx.spec.firewall.managementInterfaces.includes('tailscale0');

const approvalsRef = (ctx: CheckContext) => ref(textFile, approvalsPath(ctx.spec, ctx.inst));

export const modelsRef = (ctx: CheckContext) => ref(openclawModels, `${ctx.inst.user} ${ctx.inst.home} ${ctx.inst.envFile} ${ctx.inst.bin}`);

export const accessChecks: CheckDef[] = [
  {
    id: 'access.tailscale.up',
    title: 'Tailscale is up (the management path)',
    area: 'access', severity: 'warn', profiles: ['go-live', 'health'], scope: 'host',
    runbook: 'hardened guide 1.7 (tailscale status; tailscale ip -4)',
    remediation: 'tailscale up (then re-check)',
    needs: () => [ref(tailscaleStatus)],
    evaluate(f, ctx) {
      if (!usesTailscale(ctx)) return skipped('the spec does not use Tailscale');
      const s = known(f, ref(tailscaleStatus));
      if (s.backendState !== 'Running' || !s.online) return fail(`BackendState ${s.backendState}, online ${s.online}`, 'tailscale up');
      return pass(`Running, ${list(s.ips)}`);
    },
  },
  {
    id: 'access.tailscale.funnel-off',
    title: 'Tailscale Funnel is off',
    area: 'access', severity: 'critical', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 7, 8.5 (tailscale funnel status: no funnels); checklist "Funnel OFF"',
    remediation: 'tailscale funnel off',
    needs: () => [ref(tailscaleServe)],
    evaluate(f, ctx) {
      if (!usesTailscale(ctx)) return skipped('the spec does not use Tailscale');
      const s = known(f, ref(tailscaleServe));
      if (s.funnel.length) return fail(`Funnel on for ${list(s.funnel)}`, `tailscale funnel ${s.funnel.map((h) => h.split(':')[1] ?? '443').join(' ')} off`);
      return pass('no funnels');
    },
  },
  {
    id: 'access.tailscale.serve',
    title: 'Tailscale Serve proxies to the loopback gateway (access mode tailscale-serve)',
    area: 'access', severity: 'warn', profiles: ['go-live'], scope: 'instance',
    runbook: 'hardened guide 7 Option A (tailscale serve https / http://localhost:18789)',
    remediation: 'tailscale serve --bg --https=443 http://127.0.0.1:<port>',
    needs: () => [ref(tailscaleServe)],
    evaluate(f, ctx) {
      if (ctx.spec.access.mode !== 'tailscale-serve') return skipped(`access.mode is ${ctx.spec.access.mode}`);
      const s = known(f, ref(tailscaleServe));
      const target = Object.values(s.proxies).find((p) => new RegExp(`^https?://(127\\.0\\.0\\.1|localhost):${ctx.inst.port}/?$`).test(p));
      if (!target) return fail(`no Serve handler for 127.0.0.1:${ctx.inst.port} (handlers: ${list(Object.values(s.proxies))})`, `tailscale serve --bg --https=443 http://127.0.0.1:${ctx.inst.port}`);
      return pass(`Serve -> ${target}`);
    },
  },
  {
    id: 'access.channel.paired',
    title: 'A messaging channel is configured for every channel the spec enables',
    area: 'access', severity: 'warn', profiles: ['go-live'], scope: 'instance',
    runbook: 'hardened guide 4.3-4.4, 8.2 (pair your account; end-to-end message); checklist "Channel paired"',
    remediation: 'openclaw channels add ... then pair (hardened guide Phase 4); verify by messaging the bot',
    needs: (ctx) => [configRef(ctx), approvalsRef(ctx)],
    evaluate(f, ctx) {
      const chans = (config(f, ctx).get('channels') ?? {}) as Record<string, unknown>;
      const missing = [...ctx.spec.channels.enabled, ...configuredChannels(ctx.spec)].filter((c) => !(c in chans));
      if (missing.length) return fail(`channels enabled in the spec but not configured: ${list(missing)}`);
      const names = Object.keys(chans);
      if (names.length === 0) return unknownV('no messaging channel configured; pairing can only be verified with a messaging platform (Phase 4)');
      const approved = parseApprovals(known(f, approvalsRef(ctx)).content);
      const paired = names.filter((c) => approved.some((a) => a.channel === c));
      if (paired.length === names.length) return pass(names.map((c) => `${c}: ${list(approved.filter((a) => a.channel === c).map((a) => a.id))} approved`).join('; '));
      return unknownV(`configured: ${list(names)}; no sender approved through clawops for ${list(names.filter((c) => !paired.includes(c)))}: DM the bot, then clawops pairing approve <channel> CODE (Phase 4.4)`);
    },
  },
  {
    id: 'access.elevated-approved',
    title: 'Only approved (paired) senders may run elevated tools',
    area: 'access', severity: 'critical', profiles: ['go-live', 'security'], scope: 'instance',
    runbook: 'hardened guide 5.4 (tools.elevated.allowFrom: only your own, paired, account)',
    remediation: 'pair the sender first (clawops pairing approve <channel> CODE), or remove the id from tools.elevated.allowFrom in the spec and run clawops apply',
    needs: (ctx) => [approvalsRef(ctx)],
    evaluate(f, ctx) {
      const e = ctx.spec.tools.elevated;
      if (!e.enabled) return skipped('tools.elevated.enabled is false');
      const approved = parseApprovals(known(f, approvalsRef(ctx)).content);
      const strangers = Object.entries(e.allowFrom).flatMap(([ch, ids]) => ids.filter((id) => !approved.some((a) => a.channel === ch && (a.id === id || `${ch}:${a.id}` === id))).map((id) => `${ch}:${id}`));
      if (strangers.length) return fail(`tools.elevated.allowFrom names senders nobody approved: ${list(strangers)}`);
      return pass(`elevated tools for ${list(Object.entries(e.allowFrom).flatMap(([ch, ids]) => ids.map((id) => `${ch}:${id}`)))}, each approved`);
    },
  },
  {
    id: 'credentials.llm-provider',
    title: 'The LLM provider credential is valid (`openclaw models status --check`)',
    area: 'access', severity: 'warn', profiles: ['go-live', 'credentials'], scope: 'instance',
    runbook: 'hardened guide Phase 3 (LLM provider); production runbook 6.3 (credential-check timer)',
    remediation: 'openclaw models auth ... (re-authenticate the provider), then re-check',
    needs: (ctx) => [configRef(ctx), modelsRef(ctx)],
    evaluate(f, ctx) {
      const primary = config(f, ctx).get('agents.defaults.model.primary');
      if (primary === undefined) return unknownV('no LLM provider configured (agents.defaults.model.primary unset); needs a provider account (Phase 3)');
      const m = known(f, modelsRef(ctx));
      if (m.exitCode === 0) return pass(`${String(primary)}: credentials ok`);
      if (m.exitCode === 2) return fail(`${String(primary)}: credentials expiring soon`);
      return fail(`${String(primary)}: credentials missing or expired (${m.summary})`);
    },
  },
];
