/**
 * The one place that knows what each OpenClaw version range supports. Resources and checks ask
 * it; nothing else compares version strings. Facts from ../shared/reference/openclaw.md, checked
 * against the published packages.
 */
export interface OpenclawVersion {
  year: number;
  minor: number;
  patch: number;
  pre?: string;
  raw: string;
}

const VERSION_RE = /(\d{4})\.(\d+)\.(\d+)(-[\w.]+)?/;

/** Parses `OpenClaw 2026.9.6 (eb377ac)` or `2026.2.9`. */
export function parseVersion(text: string): OpenclawVersion | undefined {
  const m = VERSION_RE.exec(text);
  if (!m) return undefined;
  const v: OpenclawVersion = { year: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), raw: m[0] };
  if (m[4]) v.pre = m[4].slice(1);
  return v;
}

export function compareVersions(a: OpenclawVersion | string, b: OpenclawVersion | string): number {
  const x = typeof a === 'string' ? mustParse(a) : a;
  const y = typeof b === 'string' ? mustParse(b) : b;
  const d = x.year - y.year || x.minor - y.minor || x.patch - y.patch;
  if (d !== 0) return Math.sign(d);
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1; // a release sorts after its prereleases
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

function mustParse(s: string): OpenclawVersion {
  const v = parseVersion(s);
  if (!v) throw new Error(`not an OpenClaw version: ${s}`);
  return v;
}

const atLeast = (v: OpenclawVersion, min: string) => compareVersions(v, min) >= 0;

export interface Capabilities {
  /** engines.node lower bound of that release line */
  nodeMin: string;
  /** `gateway.controlUi.allowInsecureAuth` exists (must be false) — removed in 2026.8.1 (rejected if present) */
  allowInsecureAuthKey: boolean;
  /** `logging.redactSensitive` exists — removed in 2026.8.1 */
  redactSensitiveKey: boolean;
  /** `/healthz` answers JSON `{ok,status}` (from 2026.3.1); before, it serves the Control UI HTML */
  httpHealthz: boolean;
  /** `gateway.terminal.enabled` (host PTY operator terminal) exists */
  terminalKey: boolean;
  /** `tools.profile` exists */
  toolsProfileKey: boolean;
  /** `gateway.auth.token` may be `${ENV}` (token fed from an EnvironmentFile) */
  tokenEnvReference: boolean;
  /** `config patch --stdin` / `config validate --json` exist */
  configPatch: boolean;
  /** `openclaw backup create --verify --json` exists */
  backupCreate: boolean;
  /** state is SQLite (needs an online backup, never a bare file copy) */
  sqliteState: boolean;
  /** `doctor --json` exists */
  doctorJson: boolean;
  /** manual restart signal for the gateway process */
  restartSignal: 'SIGUSR1' | 'SIGUSR2';
  /** `RestrictSUIDSGID=yes` breaks the gateway lock (openat2 ENOSYS) */
  breaksUnderRestrictSuidSgid: boolean;
  /** audit check ids that this version no longer emits */
  removedAuditIds: readonly string[];
  /** `OPENCLAW_SUPERVISOR_MODE=external` (another process manager owns the gateway lifecycle) — from 2026.8.1 */
  externalSupervisor: boolean;
  /** channels whose DM policy is `channels.<ch>.dm.policy` (before 2026.3.1); later: `channels.<ch>.dmPolicy` */
  legacyDmPolicyChannels: readonly string[];
  /** the gateway's own shutdown drain budget needs this systemd stop timeout (330 s from 2026.8.1; upstream used 30 before) */
  serviceStopTimeoutSec: number;
  /**
   * `gateway.auth.token` as a SecretRef object `{source: "env", provider: "default", id}`; `doctor --lint`
   * flags the `${ENV}` string form as a plaintext secret-bearing field (config.plaintext_secrets)
   */
  tokenSecretRef: boolean;
  /**
   * `security audit --deep` probes the gateway with a device identity only when the service user's CLI
   * device holds a cached operator token (state/openclaw.sqlite); without one: gateway.probe_failed
   * ("missing scope: operator.read"). clawops pairs that device once with operator.read.
   */
  deepAuditNeedsDevicePairing: boolean;
  /** `doctor --lint --json` (read-only findings for a deployment gate) */
  doctorLint: boolean;
  /** `logging.file` (the gateway's file log path; default /tmp/openclaw/openclaw-YYYY-MM-DD.log) */
  loggingFileKey: boolean;
  /** the gateway rotates `logging.file` itself (logging.maxFileBytes, default 100 MB, 5 archives); before: logrotate's job */
  logSelfRotation: boolean;
  /** `channels.telegram.apiRoot` (a self-hosted Bot API); 2026.2.9 rejects it as an unknown key */
  telegramApiRoot: boolean;
}

export function capabilities(v: OpenclawVersion | string): Capabilities {
  const ver = typeof v === 'string' ? mustParse(v) : v;
  const nine = atLeast(ver, '2026.8.1');
  return {
    nodeMin: atLeast(ver, '2026.9.3')
      ? '24.16.0'
      : atLeast(ver, '2026.7.1')
        ? '22.22.3'
        : atLeast(ver, '2026.5.28')
          ? '22.19.0'
          : atLeast(ver, '2026.3.24')
            ? '22.14.0'
            : '22.12.0',
    allowInsecureAuthKey: !nine,
    redactSensitiveKey: !nine,
    httpHealthz: atLeast(ver, '2026.3.1'),
    // absent in 2026.6.35's schema and docs, present (default false) in 2026.7.1; default true by 9.x
    terminalKey: atLeast(ver, '2026.7.1'),
    // present in 2026.2.9's config schema (minimal/coding/messaging/full), checked in the package
    toolsProfileKey: true,
    tokenEnvReference: nine,
    // `config patch` subcommand: absent in 2026.3.24, present in 2026.4.29 (versions between unchecked)
    configPatch: atLeast(ver, '2026.4.29'),
    backupCreate: nine,
    sqliteState: nine,
    doctorJson: nine,
    restartSignal: atLeast(ver, '2026.9.6') ? 'SIGUSR2' : 'SIGUSR1',
    breaksUnderRestrictSuidSgid: nine,
    removedAuditIds: nine
      ? ['gateway.control_ui.insecure_auth', 'logging.redact_off', 'gateway.control_ui.device_auth_disabled']
      : [],
    legacyDmPolicyChannels: atLeast(ver, '2026.3.1') ? [] : ['discord', 'slack', 'googlechat'],
    // OPENCLAW_SUPERVISOR_MODE: absent in 2026.7.35, present in 2026.8.1
    externalSupervisor: nine,
    serviceStopTimeoutSec: nine ? 330 : 30,
    // checked in 2026.9.6 (docs/gateway/secrets/secretref-contract.md); releases between 2.9 and 9.6 unchecked
    tokenSecretRef: nine,
    // 2026.2.9's deep probe passes with the shared token alone (sample oc2026.2.9-security-audit-deep.json);
    // 2026.9.6 needs the paired device; releases between unchecked
    deepAuditNeedsDevicePairing: nine,
    // reference/openclaw.md: `doctor --lint` appears in 2026.5.28
    doctorLint: atLeast(ver, '2026.5.28'),
    // present in both 2026.2.9 and 2026.9.6 (docs/logging.md)
    loggingFileKey: true,
    // 2026.9.6 docs/logging.md (maxFileBytes, five numbered archives); 2026.2.9's docs name no rotation
    logSelfRotation: nine,
    // 2026.2.9: "Unknown config keys: channels.telegram.apiRoot" (seen on the testbed); 2026.9.6 accepts it; between unchecked
    telegramApiRoot: nine,
  };
}
