/**
 * The clawops spec: the host's desired state. One zod schema is the single source of truth for
 * validation, defaults, TypeScript types and the published JSON Schema (`clawops spec schema`).
 * Every object is strict (unknown keys are errors); every field has a default, so an empty spec
 * is a complete, hardened deployment of one instance.
 */
import { z } from 'zod';
import { ABS_PATH_RE, absPathProblem, relPathProblem } from './paths.ts';

const VERSION_RE = /^\d{4}\.\d+\.\d+(-[\w.]+)?$/;
const USER_RE = /^[a-z_][a-z0-9_-]{0,31}$/;
const IFACE_RE = /^[a-zA-Z0-9_.:-]{1,15}$/;

/** A normalised absolute path; the message says what is wrong with it (./paths.ts). */
const absPath = () =>
  z.string().regex(ABS_PATH_RE, { error: (iss) => absPathProblem(String(iss.input)) ?? 'must be an absolute path' });
const version = () => z.string().regex(VERSION_RE, 'must be an OpenClaw version like 2026.9.6');
const port = () => z.number().int().min(1).max(65535);
/** A systemd calendar expression (checked with `systemd-analyze calendar` at plan time). */
const calendar = () => z.string().min(1);

const SECRET_FORM = '{file: /etc/clawops/<name>} (a root-only file holding it) or {env: NAME}';

/**
 * A secret is never a value in the spec: only where to find it. A literal (`password: hunter2`) gets a
 * message that shows the reference form; the value itself is never repeated in a message.
 */
export const SecretRef = z.union([
  z.strictObject({ file: absPath().describe('file holding the secret (mode 600)') }),
  z.strictObject({
    env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)')
      .describe('environment variable holding the secret'),
  }),
], {
  error: (iss) => (iss.input !== null && typeof iss.input === 'object' && !Array.isArray(iss.input)
    ? `a secret reference is one of ${SECRET_FORM}`
    : `a secret is never written in the spec, only where to find it: ${SECRET_FORM}`),
});

export const Instance = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'lowercase letters, digits and dashes').describe('instance name; also the systemd unit name'),
  user: z.string().regex(USER_RE, 'must be a valid system user name').optional()
    .describe('service user (default: openclaw-svc for the first instance, else the instance name)'),
  port: port().optional().describe('gateway port (default 18789 + index)'),
  home: absPath().optional().describe('service user home (default /home/<user>)'),
});

export const Spec = z.strictObject({
  version: z.literal(1).default(1).describe('spec format version'),
  instances: z.array(Instance).min(1).default([{ name: 'openclaw' }]).describe('gateway instances on this host (each: own user, port, state dir, unit)'),
  openclaw: z.strictObject({
    version: version().default('2026.9.6').describe('the pinned OpenClaw version'),
    minimumVersion: version().default('2026.2.9').describe('the oldest security-patched version allowed'),
    npmPrefix: z.string().min(1).refine((p) => !relPathProblem(p), { error: (iss) => relPathProblem(String(iss.input)) })
      .default('.npm-global').describe('npm prefix, relative to the service user home'),
    manage: z.boolean().default(true)
      .describe('install, configure and run OpenClaw (false: only the host layer, e.g. to harden the host first)'),
    npmCache: absPath().optional().describe('install offline from this npm cache on the target (hosts without registry access)'),
    npmOverrides: z.record(z.string().regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/, 'an npm package name'), z.string().min(1)).optional()
      .describe('npm overrides for the install, as a project in <prefix>/lib (npm ignores overrides for -g installs); {} for none. Default: those the pinned version needs to install at all (2026.2.9: libsignal 6.0.0, linkedom 0.18.14)'),
  }).prefault({}),
  node: z.strictObject({
    source: z.enum(['nodesource', 'system']).default('nodesource')
      .describe('nodesource: add the NodeSource apt source; system: Node is provided by the host already'),
    major: z.number().int().min(22).default(24).describe('Node.js major version'),
    repository: z.strictObject({
      url: z.url({ protocol: /^https$/ }).describe('https base URL of the NodeSource-style deb repository (the part before /node_<major>.x)'),
      keyring: z.string().min(1).describe('path, on the machine running clawops, of the dearmored signing keyring'),
      fingerprint: z.string().regex(/^(\s*[0-9A-Fa-f]{4}){10}\s*$/, 'the 40 hex digits of the signing key (spaces allowed)')
        .describe('the signing key\'s fingerprint as the repository publishes it: the keyring must hold exactly this primary key, else plan stops'),
    }).optional().describe('where nodejs comes from with source: nodesource (required then)'),
  }).prefault({}),
  os: z.strictObject({
    packages: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/)).default([
      'curl', 'ca-certificates', 'gnupg', 'jq', 'ufw', 'fail2ban', 'git', 'unzip', 'tar', 'restic', 'sqlite3',
    ]).describe('baseline apt packages'),
  }).prefault({}),
  gateway: z.strictObject({
    bind: z.enum(['loopback', 'lan', 'tailnet', 'auto', 'custom']).default('loopback').describe('gateway.bind; anything but loopback fails the gate'),
    auth: z.strictObject({
      mode: z.enum(['token', 'password']).default('token').describe('gateway.auth.mode'),
      token: SecretRef.optional().describe('where the gateway token lives (default: generated into the instance env file)'),
    }).prefault({}),
    controlUi: z.strictObject({ enabled: z.boolean().default(false).describe('serve the Control UI (device-paired auth only)') }).prefault({}),
    mdns: z.enum(['off', 'minimal', 'full']).default('off').describe('discovery.mdns.mode'),
    terminal: z.strictObject({ enabled: z.boolean().default(false).describe('host PTY operator terminal (9.x)') }).prefault({}),
    redactPatterns: z.array(z.string()).default([]).describe('extra logging.redactPatterns'),
  }).prefault({}),
  tools: z.strictObject({
    deny: z.array(z.string()).default(['gateway', 'nodes']).describe('tools.deny: tool names or groups (group:runtime, group:fs)'),
    profile: z.enum(['minimal', 'coding', 'messaging', 'full']).default('messaging').describe('tools.profile (versions that have it)'),
    elevated: z.strictObject({
      enabled: z.boolean().default(false).describe('tools.elevated.enabled: host commands outside the sandbox'),
      allowFrom: z.record(z.string(), z.array(z.string().min(1))).default({})
        .describe('channel -> sender ids allowed to run elevated tools; "*" is refused'),
    }).prefault({}),
  }).prefault({}),
  sandbox: z.strictObject({
    mode: z.enum(['off', 'non-main', 'all']).default('all').describe('which sessions run tools in the Docker sandbox'),
    scope: z.enum(['agent', 'session', 'shared']).default('session').describe('one sandbox container per ...'),
    workspaceAccess: z.enum(['none', 'ro', 'rw']).default('ro').describe('workspace mount inside the sandbox'),
    network: z.enum(['none', 'bridge']).default('none').describe('sandbox container network'),
    readOnlyRoot: z.boolean().default(true).describe('sandbox container root filesystem read-only'),
    image: z.string().default('openclaw-sandbox:bookworm-slim').describe('sandbox image clawops builds'),
    baseDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a registry digest: sha256: and 64 hex digits').optional()
      .describe('pin of the base image (debian:bookworm-slim) by registry digest: the build is FROM debian:bookworm-slim@<digest>, which docker verifies; an offline build needs that digest on the target. Unset: the tag, as upstream builds it'),
  }).prefault({}),
  providers: z.record(
    z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a provider id: lowercase letters, digits and "-" (it prefixes model refs: <id>/<model>)'),
    z.strictObject({
      baseUrl: z.url({ protocol: /^https?$/ }).describe('the OpenAI-compatible endpoint, e.g. https://llm.example.net/v1 (loopback URLs are trusted by OpenClaw)'),
      api: z.enum(['openai-completions', 'openai-responses', 'anthropic-messages']).default('openai-completions').describe('the wire protocol OpenClaw speaks to it'),
      apiKey: SecretRef.optional().describe('where the API key lives; clawops puts it in ~/.openclaw/.env (0600) and the config refers to it, never holds it'),
      models: z.array(z.strictObject({
        id: z.string().regex(/^[\w.:-]+$/, 'a model id: letters, digits, ".", ":", "-", "_"'),
        name: z.string().min(1).optional().describe('display name (default: the id)'),
        contextWindow: z.number().int().positive().default(128000),
        maxTokens: z.number().int().positive().default(4096),
        cost: z.strictObject({
          input: z.number().min(0).default(0),
          output: z.number().min(0).default(0),
          cacheRead: z.number().min(0).default(0),
          cacheWrite: z.number().min(0).default(0),
        }).prefault({}).describe("USD per million tokens, OpenClaw's basis for its usage-cost estimates (0: not priced)"),
      })).min(1).describe('the models it serves'),
    }),
  ).default({}).describe('custom model providers (models.providers in openclaw.json, merged with the built-in ones)'),
  model: z.strictObject({
    primary: z.string().regex(/^[a-z][a-z0-9-]*\/[\w.:-]+$/, 'a model ref: <provider>/<model>').optional()
      .describe('agents.defaults.model.primary; unset: left to OpenClaw (onboarding)'),
    fallbacks: z.array(z.string().regex(/^[a-z][a-z0-9-]*\/[\w.:-]+$/, 'a model ref: <provider>/<model>')).default([])
      .describe('agents.defaults.model.fallbacks, tried in order'),
  }).prefault({}),
  plugins: z.strictObject({
    enable: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a plugin id: lowercase letters, digits and "-"')).default([])
      .describe('plugins.entries.<id>.enabled: true (e.g. diagnostics-prometheus)'),
    disable: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a plugin id: lowercase letters, digits and "-"')).default([])
      .describe('plugins.entries.<id>.enabled: false: bundled plugins this deployment does not use (e.g. browser, webhooks); their config is kept'),
  }).prefault({}),
  cost: z.strictObject({
    dailyUSD: z.number().positive().optional().describe("estimated spend per day (OpenClaw's usage-cost, from the model prices) above which cost.budget fails and alerts"),
    monthlyUSD: z.number().positive().optional().describe('the same for the calendar month so far'),
    stop: z.boolean().default(false).describe('over budget, the check timers stop the gateway (OpenClaw has no spend cap) until an operator starts it: `clawops status` says why'),
  }).prefault({}),
  credentials: z.strictObject({
    gatewayTokenDays: z.number().int().min(0).default(90).describe('rotate the gateway token at least this often (the guide\'s table: quarterly); credentials.age warns past it; 0: only on compromise'),
    providerKeyDays: z.number().int().min(0).default(90).describe('the same for LLM provider API keys (quarterly)'),
    botTokenDays: z.number().int().min(0).default(0).describe('the same for channel bot tokens (the table: on compromise, so 0 by default)'),
  }).prefault({}).describe('rotation intervals (`clawops rotate`; the time of each rotation is recorded on the target)'),
  smoke: z.strictObject({
    timeoutSec: z.number().int().min(10).max(1800).default(180).describe('each agent turn of `clawops smoke` must finish within this'),
  }).prefault({}),
  channels: z.strictObject({
    dmPolicy: z.enum(['pairing', 'allowlist', 'open', 'disabled']).default('pairing').describe('who may DM the bot: pairing = approved codes only'),
    groupPolicy: z.enum(['open', 'allowlist', 'disabled']).default('disabled').describe('group chats'),
    configWrites: z.boolean().default(false).describe('may chat messages change the config'),
    enabled: z.array(z.string()).default([]).describe('channels this deployment uses (policy applies to each)'),
    telegram: z.strictObject({
      botToken: SecretRef.describe("the bot's token from @BotFather (a reference): clawops puts it in ~/.openclaw/.env as TELEGRAM_BOT_TOKEN, the config refers to it"),
      apiRoot: z.url({ protocol: /^https?$/ }).optional().describe("Bot API root (default: Telegram's own), e.g. a self-hosted Bot API server"),
    }).optional().describe('a Telegram bot account (hardened guide phase 4): enabled, the policies above apply, senders pair with `clawops pairing approve telegram CODE`'),
  }).prefault({}),
  firewall: z.strictObject({
    enabled: z.boolean().default(true).describe('manage UFW and the DOCKER-USER chain'),
    outbound: z.enum(['standard', 'hardened']).default('standard').describe('standard: allow all outgoing; hardened: only 53, 80, 443, 41641/udp and the management interfaces'),
    managementInterfaces: z.array(z.string().regex(IFACE_RE, 'must be an interface name')).min(1).default(['tailscale0']).describe('interfaces the operator comes in on (allowed in UFW and DOCKER-USER)'),
    sshSafetyNet: z.boolean().default(true)
      .describe('keep "allow 22/tcp" until the operator session no longer depends on it'),
    confirmTimeoutSec: z.number().int().min(5).max(600).default(60)
      .describe('firewall changes revert unless confirmed over the management path within this time'),
    dockerUser: z.boolean().default(true).describe('DOCKER-USER chain: lo, management, established, then DROP'),
  }).prefault({}),
  access: z.strictObject({
    mode: z.enum(['tailscale-serve', 'ssh-tunnel']).default('ssh-tunnel').describe('how the operator reaches the loopback-only gateway'),
    funnel: z.literal(false).default(false).describe('Tailscale Funnel must stay off'),
    sshFallback: z.strictObject({
      enabled: z.boolean().default(false).describe('opt-in (hardened guide phase 10, option 2): a timer opens the SSH port in UFW while Tailscale is down, for key-only sshd, and closes it when Tailscale is back; prefer the provider\'s console where there is one'),
      downAfterSec: z.number().int().min(0).max(86_400).default(600).describe('Tailscale down this long (seconds) before the port opens'),
      upAfterSec: z.number().int().min(0).max(86_400).default(300).describe('Tailscale back this long before the port closes again'),
      intervalSec: z.number().int().min(10).max(3600).default(60).describe('how often the timer looks'),
    }).prefault({}),
  }).prefault({}),
  fail2ban: z.strictObject({
    enabled: z.boolean().default(true).describe('manage fail2ban jail.local'),
    bantime: z.number().int().positive().default(3600).describe('seconds'),
    findtime: z.number().int().positive().default(600).describe('seconds'),
    maxretry: z.number().int().positive().default(5).describe('failures before a ban'),
    sshd: z.strictObject({
      enabled: z.boolean().default(true).describe('the sshd jail'),
      maxretry: z.number().int().positive().default(3).describe('failures before a ban'),
      backend: z.enum(['systemd', 'auto']).default('systemd').describe('systemd reads the journal (no /var/log/auth.log on minimal hosts)'),
    }).prefault({}),
  }).prefault({}),
  unattendedUpgrades: z.strictObject({ enabled: z.boolean().default(true).describe('security updates installed automatically') }).prefault({}),
  baseline: z.strictObject({
    sysctl: z.boolean().default(true).describe('kernel and network sysctls that harden the host without breaking Docker\'s forwarding or the gateway (/etc/sysctl.d/zz-clawops-hardening.conf; `clawops render sysctl` lists each with why)'),
    coreDumps: z.boolean().default(true).describe('no core dumps: hard limit 0 for every login, systemd\'s DefaultLimitCORE=0, no setuid dumps (fs.suid_dumpable, with sysctl)'),
    umask: z.boolean().default(true).describe('umask 027 for login shells (login.defs UMASK and /etc/profile.d/clawops-umask.sh): new files are not world-readable'),
    modules: z.boolean().default(true).describe('network protocols the gateway never uses (dccp, sctp, rds, tipc) and USB storage cannot be loaded (modprobe.d `install <name> /bin/true`)'),
    auditd: z.boolean().default(true).describe('auditd rules with keys over the gateway\'s config, token env file, identity files, unit and drop-ins, state dir modes and /etc/clawops (`ausearch -k openclaw-config`); on hosts whose kernel is their own (not in a container)'),
    aide: z.boolean().default(true).describe('AIDE over what no package vouches for (/usr/local, systemd units, sudoers, sshd config, clawops and the files it writes): made by apply, refreshed after an apply only for the paths it wrote, checked by the integrity timer'),
    upkeep: z.boolean().default(true).describe('debsums (package files changed since installation) and needrestart (services on outdated libraries, a kernel waiting for a reboot; it lists, it never restarts a service itself)'),
    loginDefs: z.boolean().default(true).describe('login.defs: password aging (max 365 days, min 1, warn 14) and SHA-512 with 65536 rounds for new passwords'),
    banner: z.union([z.literal(false), z.string().trim().min(1).max(2000)]).default(
      'Authorized access only. Activity on this system is monitored and recorded; unauthorized use is prohibited and may be prosecuted.',
    ).describe('the legal banner in /etc/issue and /etc/issue.net (false: leave them alone)'),
  }).prefault({}).describe('host hardening beyond the runbooks (each part switchable): what audits such as Lynis look for'),
  docker: z.strictObject({
    enabled: z.boolean().default(true).describe('Docker is used for the sandbox'),
    serviceUserGroup: z.boolean().default(false).describe(
      'put the service user in the docker group so the sandbox can start containers: root-equivalent (the gateway, or whatever compromises it, can become root through the Docker socket); reported by user.docker-group as a warning while on. Off: the sandbox cannot reach Docker and tools that need it fail closed (sandbox.docker-access says so)',
    ),
    daemon: z.record(z.string(), z.unknown()).default({
      'default-ulimits': {
        nofile: { Name: 'nofile', Hard: 1024, Soft: 1024 },
        nproc: { Name: 'nproc', Hard: 256, Soft: 256 },
      },
      'log-driver': 'json-file',
      'log-opts': { 'max-size': '10m', 'max-file': '3' },
    }).describe('keys merged into /etc/docker/daemon.json (existing keys are kept)'),
  }).prefault({}),
  identity: z.strictObject({
    files: z.array(z.string().regex(/^(?!\.\.?$)[\w.-]+$/, 'a file name in the workspace (no "/", not "." or "..")'))
      .default(['SOUL.md'])
      .describe('workspace identity files locked root:<user> 0444 with a sha256 baseline'),
  }).prefault({}),
  monitoring: z.strictObject({
    schedules: z.strictObject({
      health: calendar().default('*:*:00').describe('systemd OnCalendar= of the health check'),
      security: calendar().default('00/6:00:00').describe('security audit'),
      credentials: calendar().default('daily').describe('credential and provider check'),
      restart: calendar().default('hourly').describe('restart-rate watch'),
      backup: calendar().default('*-*-* 02:00:00').describe('backup (local time)'),
      integrity: calendar().default('weekly').describe('identity file integrity'),
    }).prefault({}),
    // discriminated by type, so a problem inside one sink (a literal webhook URL) is reported as itself
    alerts: z.array(z.discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('webhook'),
        url: SecretRef.describe('the webhook URL (it carries its credential: a reference, never inline)'),
        format: z.enum(['generic', 'slack']).default('generic').describe('generic: the alert as JSON; slack: {text, content} (Slack and Discord webhooks)'),
      }),
      z.strictObject({ type: z.literal('command'), argv: z.array(z.string()).min(1).describe('run as root on the host, the alert as JSON on stdin') }),
      z.strictObject({ type: z.literal('journal') }),
      z.strictObject({
        type: z.literal('ping'),
        url: SecretRef.describe('a healthchecks.io / Uptime Kuma push URL: /start before each health run, the URL itself on a pass, /fail on a failure; silence alerts off-host'),
      }),
      z.strictObject({ type: z.literal('alertmanager'), url: z.url().describe('Alertmanager base URL (alerts go to /api/v2/alerts)') }),
    ])).default([{ type: 'journal' }]).describe('where failed checks are sent (by `check --alert`, which the check timers run)'),
    alerting: z.strictObject({
      remindHours: z.number().positive().default(4).describe('an alert still failing is sent again after this long'),
      minSeverity: z.enum(['warn', 'critical']).default('warn').describe('checks below this severity never alert'),
      retryHours: z.number().positive().default(24).describe('a delivery that keeps failing is retried (with backoff) this long, then dropped and counted'),
    }).prefault({}),
    gateway: z.strictObject({
      memoryMaxMB: z.number().positive().default(2048).describe('the gateway\'s memory (its cgroup\'s MemoryCurrent) above this fails service.memory; the rendered Prometheus rules also alert when it is on course to reach it within a day'),
      healthLatencyMs: z.number().int().positive().default(2000).describe('a /healthz answer slower than this fails network.gateway-latency (the gateway\'s event loop is busy or starved)'),
    }).prefault({}),
    ledger: z.strictObject({
      retentionDays: z.number().int().min(7).default(90).describe('check runs and state changes older than this are kept only as daily summaries'),
      maxMB: z.number().min(1).default(50).describe('the ledger (<stateDir>/ledger.db) is kept under this size: the oldest runs go first'),
    }).prefault({}),
    textfileDir: absPath().default('/var/lib/node_exporter/textfile_collector').describe('node_exporter textfile directory for --format prom'),
    waiversFile: absPath().default('/etc/clawops/waivers.yaml').describe('check waivers: id, reason, expires'),
  }).prefault({}),
  backup: z.strictObject({
    enabled: z.boolean().default(true).describe('daily restic backups'),
    repository: z.string().min(1)
      .refine((r) => !r.startsWith('/') || !absPathProblem(r), { error: (iss) => absPathProblem(String(iss.input)) })
      .default('/var/backups/clawops-restic')
      .describe('restic repository (a path, or sftp:/rest:/s3: URL)'),
    password: SecretRef.default({ file: '/etc/clawops/restic-password' }).describe('restic repository password (reference)'),
    retention: z.strictObject({
      daily: z.number().int().min(0).default(7).describe('restic forget --keep-daily'),
      weekly: z.number().int().min(0).default(4).describe('--keep-weekly'),
      monthly: z.number().int().min(0).default(6).describe('--keep-monthly'),
    }).prefault({}),
    checkSubsetPercent: z.number().min(1).max(100).default(10).describe('restic check --read-data-subset per run (rotating)'),
  }).prefault({}),
  dr: z.strictObject({
    rpoHours: z.number().positive().default(24).describe('recovery point objective: max age of the last backup'),
    rtoHours: z.number().positive().default(2).describe('recovery time objective: max restore drill duration'),
    drillMaxAgeDays: z.number().positive().default(30).describe('a restore drill must be newer than this'),
  }).prefault({}),
  burnIn: z.strictObject({
    days: z.number().int().min(1).default(7).describe('consecutive clean days before sign-off (see `clawops burnin status`)'),
    maxGapMinutes: z.number().int().min(1).default(15).describe('a longer gap between two health runs makes the day not clean'),
  }).prefault({}),
  clawops: z.strictObject({
    install: z.boolean().default(true)
      .describe('install this clawops (/usr/local/bin/clawops) and the applied spec (/etc/clawops/clawops.yaml) on the target: the check timers run them'),
  }).prefault({}),
  report: z.strictObject({
    publish: z.union([
      z.strictObject({
        s3: z.strictObject({
          endpoint: z.url({ protocol: /^https?$/ }).describe('the S3-compatible endpoint, e.g. https://<account>.r2.cloudflarestorage.com or https://s3.eu-central-1.amazonaws.com'),
          region: z.string().regex(/^[a-z0-9-]{1,32}$/, 'a region name: lowercase letters, digits and "-"').default('us-east-1').describe('signing region (R2: auto)'),
          bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name: 3-63 lowercase letters, digits, "." and "-"'),
          prefix: z.string().regex(/^(?:[\w.-]+\/)*$/, 'empty, or path segments each ending in "/" (reports/host1/)').default('').describe('key prefix the report goes under'),
          accessKeyId: SecretRef.describe('where the access key id lives'),
          secretAccessKey: SecretRef.describe('where the secret access key lives'),
        }),
      }).describe('upload to a bucket: each run under <prefix>runs/<time>/, then <prefix>index.html replaced in one PUT (a failed upload leaves the previous page)'),
      z.strictObject({
        command: z.array(z.string().min(1)).min(1).describe('argv run where clawops runs, with the report directory appended (and in $CLAWOPS_REPORT_DIR): your own tooling, e.g. ["wrangler", "pages", "deploy"]'),
      }),
    ]).optional().describe('`clawops report publish DIR` (the runbook\'s report fan-out)'),
  }).prefault({}),
  stateDir: absPath().default('/var/lib/clawops').describe('clawops state on the target: journal, baselines, results'),
  journal: z.strictObject({
    retentionDays: z.number().int().min(1).default(30)
      .describe('apply journals (before-images for `clawops undo`) older than this are removed at the start of each apply; the newest is always kept'),
  }).prefault({}),
});

export type SpecInput = z.input<typeof Spec>;
export type SpecData = z.output<typeof Spec>;
export type SecretRefData = z.output<typeof SecretRef>;
