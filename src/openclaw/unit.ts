/**
 * The gateway's systemd unit, rendered per OpenClaw version from the spec. Starts from the
 * runbook's unit (Phase 6.1), drops what breaks the real gateway, and adds every hardening
 * directive the gateway was seen to tolerate under a real systemd (test/e2e/openclaw-unit.test.ts).
 * No secret is ever inside the unit: 9.x reads OPENCLAW_GATEWAY_TOKEN from the EnvironmentFile.
 */
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import { identityFilePath, logDir, logFilePath, serviceTmpDir, servicePath } from './paths.ts';
import { renderUnit, unitPath, unitWord, type UnitLine, type UnitModel } from './systemd.ts';
import { capabilities } from './versions.ts';
import { alertUnit } from './timers.ts';

/** Restart policy: survives clean exits (9.x supervisor handoff exits 0), stops on EX_CONFIG (78). */
export const RESTART_SEC = 2;
export const START_LIMIT_BURST = 5;
export const START_LIMIT_INTERVAL_SEC = 300;

const line = (key: string, value: string, comment?: string): UnitLine => (comment ? { key, value, comment } : { key, value });

export function gatewayUnitModel(spec: ResolvedSpec, inst: ResolvedInstance, version: string): UnitModel {
  const caps = capabilities(version);
  const docker = spec.docker.enabled;
  const deps = ['network-online.target', ...(docker ? ['docker.service'] : [])].join(' ');

  const unit: UnitLine[] = [
    line('Description', `OpenClaw gateway ${inst.name} (openclaw ${version}, managed by clawops)`),
    line('After', deps),
    line(
      'Wants',
      deps,
      docker ? 'Wants, not Requires: a Docker restart must not take the gateway down (only sandboxed runs need it)' : undefined,
    ),
    line(
      'StartLimitIntervalSec',
      String(START_LIMIT_INTERVAL_SEC),
      `a crash loop latches after ${START_LIMIT_BURST} starts in ${START_LIMIT_INTERVAL_SEC} s; \`clawops check --profile restart\` reports the latch`,
    ),
    line('StartLimitBurst', String(START_LIMIT_BURST)),
    line('OnFailure', alertUnit(inst.name, 'failed'), 'failed for good (the start limit latched, or exit 78): an alert at once, not at the next timer tick'),
  ];

  const env: UnitLine[] = [
    line('Environment', unitWord(`HOME=${inst.home}`)),
    line('Environment', unitWord(`PATH=${servicePath(inst)}`)),
    line('Environment', 'NODE_ENV=production'),
    line('Environment', unitWord(`TMPDIR=${serviceTmpDir(inst)}`), 'persistent private temp (jiti compile cache on 2.x); /tmp itself stays private'),
  ];
  if (spec.gateway.mdns === 'off') env.push(line('Environment', 'OPENCLAW_DISABLE_BONJOUR=1'));
  if (caps.externalSupervisor) {
    env.push(
      line(
        'Environment',
        'OPENCLAW_SUPERVISOR_MODE=external',
        'systemd owns the lifecycle: openclaw refuses to install/start/stop its own user unit or self-update,\nand a restart is a clean exit that Restart=always turns into a fresh process',
      ),
      line('Environment', 'OPENCLAW_SERVICE_REPAIR_POLICY=external', 'doctor must not rewrite this unit'),
    );
  }
  env.push(line('EnvironmentFile', `-${unitPath(`${inst.stateDir}/.env`)}`, 'provider keys (optional file)'));
  if (caps.tokenEnvReference) {
    env.push(
      line(
        'EnvironmentFile',
        unitPath(inst.envFile),
        'OPENCLAW_GATEWAY_TOKEN (0600, service user); openclaw.json holds "${OPENCLAW_GATEWAY_TOKEN}", never the value',
      ),
    );
  }

  const service: UnitLine[] = [
    line('Type', 'simple', 'no sd_notify in the gateway: no Type=notify, no WatchdogSec'),
    line('User', inst.user),
    line('Group', inst.user),
    line('WorkingDirectory', unitPath(inst.home)),
    ...env,
    line('ExecStartPre', `/bin/mkdir -p -m 0700 ${unitWord(serviceTmpDir(inst))}`),
    line('ExecStart', `${unitWord(inst.bin)} gateway run`),
    line(
      'ExecReload',
      `/bin/kill -s ${caps.restartSignal} $MAINPID`,
      `the gateway has no SIGHUP reload; ${caps.restartSignal} is its restart signal in ${version}`,
    ),
    line(
      'ExecStopPost',
      `-+/bin/sh -c '[ "$$SERVICE_RESULT" = success ] || exec /bin/systemctl start --no-block ${alertUnit(inst.name, 'crash')}'`,
      'a crash (not a stop or restart asked for) alerts within seconds; "+" root, "-" never changes the result',
    ),
    line('Restart', 'always'),
    line('RestartSec', String(RESTART_SEC), `2026.9.6 takes about 12 s to listen: back within 20 s of a crash; the start limit still latches a loop`),
    line('RestartPreventExitStatus', '78', 'EX_CONFIG (e.g. state schema newer than this build): restarting cannot help'),
    line('SuccessExitStatus', '0 143'),
    line('TimeoutStartSec', '30'),
    line('TimeoutStopSec', String(caps.serviceStopTimeoutSec), 'the gateway drains active work for up to this long'),
    line('KillMode', 'mixed', 'SIGTERM to the gateway, SIGKILL to leftover helpers at the stop deadline'),
    line('OOMPolicy', 'continue', 'a helper killed by the OOM killer does not stop the gateway'),
    ...hardening(spec, inst, version),
    line('StandardOutput', 'journal'),
    line('StandardError', 'journal'),
    line('SyslogIdentifier', inst.name),
    line('IPAccounting', 'yes'),
    line('MemoryHigh', '1536M'),
    line('MemoryMax', '2G', 'known memory growth: the kernel stops it here and Restart=always brings it back'),
    line('TasksMax', '512'),
    line('LimitNOFILE', '4096'),
  ];

  return {
    header: [
      `${inst.unit}: generated by clawops from the spec; do not edit (clawops apply rewrites it).`,
      'Show it with `clawops render unit`.',
    ],
    sections: [
      { name: 'Unit', lines: unit },
      { name: 'Service', lines: service },
      { name: 'Install', lines: [line('WantedBy', 'multi-user.target')] },
    ],
  };
}

function hardening(spec: ResolvedSpec, inst: ResolvedInstance, version: string): UnitLine[] {
  const caps = capabilities(version);
  const identity = spec.identity.files.map((f) => `-${unitPath(identityFilePath(inst, f))}`);
  const out: UnitLine[] = [
    line('NoNewPrivileges', 'yes', '---- hardening (each directive below was run with the real gateway) ----'),
    line(
      'CapabilityBoundingSet',
      '',
      'no capabilities at all: the Docker socket is reached through the docker group, not a capability',
    ),
    line('AmbientCapabilities', ''),
    line('UMask', '0077'),
    line('PrivateTmp', 'yes'),
    line('PrivateDevices', 'yes'),
    line('DevicePolicy', 'closed'),
    line('PrivateMounts', 'yes'),
    line('ProtectSystem', 'strict'),
    line('ProtectHome', 'tmpfs', 'other homes disappear; only this instance home is bound back in'),
    line('BindPaths', unitPath(inst.home)),
    line(
      'LogsDirectory',
      logDir(inst).replace(/^\/var\/log\//, ''),
      `${logFilePath(inst)} (logging.file): writable here under ProtectSystem=strict, kept across restarts;\n${
        caps.logSelfRotation ? 'OpenClaw rotates it itself (logging.maxFileBytes, 5 archives)' : `logrotate rotates it (/etc/logrotate.d/openclaw-${inst.name})`
      }`,
    ),
    line('LogsDirectoryMode', '0750', 'the service user only: logs carry message metadata'),
    line('ReadWritePaths', unitPath(inst.home)),
    line('ReadOnlyPaths', unitPath(inst.npmPrefix), 'the gateway cannot rewrite its own code'),
  ];
  if (identity.length > 0) {
    out.push(line('ReadOnlyPaths', identity.join(' '), 'identity files are read-only mounts: not even replaceable by rename'));
  }
  out.push(
    line('ProtectKernelTunables', 'yes'),
    line('ProtectKernelModules', 'yes'),
    line('ProtectKernelLogs', 'yes'),
    line('ProtectControlGroups', 'yes'),
    line('ProtectClock', 'yes'),
    line('ProtectHostname', 'yes'),
    line('ProtectProc', 'invisible'),
    line('ProcSubset', 'pid'),
    line('RestrictAddressFamilies', 'AF_UNIX AF_INET AF_INET6 AF_NETLINK', 'AF_NETLINK: interface discovery (getifaddrs)'),
    line('RestrictNamespaces', 'yes', 'the docker CLI only talks to the socket: dockerd creates the namespaces'),
    line('RestrictRealtime', 'yes'),
  );
  if (caps.breaksUnderRestrictSuidSgid) {
    out.push(
      line(
        'RestrictSUIDSGID',
        'no',
        `off on ${version}: its seccomp filter turns openat2 into ENOSYS and the gateway lock fails (crash loop);\nNoNewPrivileges and the empty bounding set already neutralise set-uid binaries`,
      ),
    );
  } else {
    out.push(line('RestrictSUIDSGID', 'yes'));
  }
  out.push(
    line('LockPersonality', 'yes'),
    line('RemoveIPC', 'yes'),
    line('KeyringMode', 'private'),
    line('SystemCallArchitectures', 'native'),
    line('SystemCallFilter', '@system-service'),
    line('SystemCallFilter', '~@privileged @resources'),
    line('SystemCallErrorNumber', 'EPERM'),
    line(
      'MemoryDenyWriteExecute',
      'no',
      'V8 JIT needs writable+executable memory. Not possible either: PrivateNetwork/IPAddressDeny=any\n(the gateway needs outbound HTTPS to its model providers and channels)',
    ),
  );
  return out;
}

export function renderGatewayUnit(spec: ResolvedSpec, inst: ResolvedInstance, version: string): string {
  return renderUnit(gatewayUnitModel(spec, inst, version));
}
