/**
 * A throwaway gateway on restored state: `openclaw gateway run` with OPENCLAW_STATE_DIR pointing at
 * the restored copy, on a free loopback port, channels/cron/mDNS/auto-update off (a clone of
 * production must never talk to the messaging platforms), probed over HTTP until healthy, then
 * stopped. One bounded script on the target; the gateway is always stopped when the script ends.
 * It gets the production unit's restart policy, bounded to three starts: OpenClaw's own startup
 * deadlines (9.x: the state-lease heartbeat must be ready within 5 s) can be missed on a loaded
 * host, and systemd would simply start the real gateway again; a gateway that cannot start at all
 * still fails the drill, with the restart count and its log lines.
 * The scratch copy's gateway owner lease (9.x: a row in state/openclaw.sqlite naming the live
 * production gateway) is dropped first, after verification: otherwise the clone refuses to start
 * ("Another Gateway owner lease is still active").
 *
 * The root boundary: the openclaw binary, its node and the restored env file are the service
 * user's, so the gateway runs AS the service user in a transient unit (systemd-run, User=), never as
 * root. The restored state and home are handed to the user while they sit in root's 0700 scratch,
 * and bound into the unit at /run/clawops-drill-ID (BindPaths=), so no other process of the user
 * reaches them. The env file is read by the user's own shell and parsed, never sourced
 * (core/env-file.ts), and the drill's overrides (port, state dir, channels off) are applied after it.
 */
import type { Executor } from '../exec/types.ts';
import { LOAD_ENV_FN } from '../core/env-file.ts';
import { capabilities } from '../openclaw/versions.ts';
import { RESTART_SEC } from '../openclaw/unit.ts';

export interface GatewayProbe {
  status: 'pass' | 'fail' | 'skipped';
  detail: string;
  durationMs: number;
  port?: number;
  /** how often systemd restarted it before it answered (the production unit's policy, bounded) */
  restarts?: number;
}

/** starts of the throwaway gateway before the drill gives up: a slow start is retried, a crash loop is not */
const DRILL_STARTS = 3;

// as the service user, inside the transient unit: $1 env file, $2 openclaw bin; the rest comes from the unit's Environment=
const AS_USER = `${LOAD_ENV_FN}load_env "$1"
export HOME="$DRILL_HOME" OPENCLAW_STATE_DIR="$DRILL_STATE" OPENCLAW_CONFIG_PATH="$DRILL_STATE/openclaw.json" \\
  OPENCLAW_GATEWAY_PORT="$DRILL_PORT" PATH="$DRILL_PATH" OPENCLAW_SKIP_CHANNELS=1 OPENCLAW_SKIP_CRON=1 \\
  OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_NO_RESPAWN=1 OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_SKIP_GMAIL_WATCHER=1 \\
  OPENCLAW_SKIP_CANVAS_HOST=1 OPENCLAW_SKIP_BROWSER_CONTROL_SERVER=1
exec "$2" gateway run`;

const SCRIPT = `set -u
bin=$1; state=$2; envfile=$3; path=$4; want=$5; limit=$6; home=$7; user=$8; upath=$9; asuser=\${10}; restartsec=\${11}; starts=\${12}
port=0
for i in $(seq 1 50); do p=$(( (RANDOM % 25000) + 30000 )); if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then port=$p; break; fi; done
[ "$port" != 0 ] || { echo "no free loopback port"; exit 1; }
id -u -- "$user" >/dev/null 2>&1 || { echo "no user $user to run the throwaway gateway as"; exit 1; }
mkdir -p -m 0700 -- "$home"
# the copy carries the production gateway's owner lease (state_leases, scope gateway-owner); its
# owner is alive on this host, so a clone would refuse to start: drop the lease in the scratch copy only
db="$state/state/openclaw.sqlite"
if [ -f "$db" ] && [ ! -L "$db" ] && [ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name='state_leases'" 2>/dev/null)" = 1 ]; then
  sqlite3 "$db" "PRAGMA busy_timeout=5000; DELETE FROM state_leases WHERE scope='gateway-owner'" || { echo "cannot clear the copied gateway owner lease in $db"; exit 1; }
fi
# still in root's 0700 scratch: nobody else can reach these while they change hands
chown -R -h -- "$user:" "$state" "$home"
id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \\n'); unit="clawops-drill-$id"; at="/run/clawops-drill-$id"
rel=\${envfile#"$state"}
# the user's part as a root-owned file: systemd would expand every $ of a script given on its command line
printf '%s\\n' "$asuser" > "$at.sh" && chmod 0644 "$at.sh" || { echo "cannot write $at.sh"; exit 1; }
# the production unit's restart policy (openclaw/unit.ts), bounded: a start that misses OpenClaw's own
# startup deadlines on a loaded host is retried as systemd would retry the real gateway; EX_CONFIG is final
systemd-run --quiet --collect --unit="$unit" -p User="$user" -p NoNewPrivileges=yes -p PrivateTmp=yes \\
  -p Restart=on-failure -p RestartSec=$restartsec -p RestartPreventExitStatus=78 \\
  -p StartLimitIntervalSec=$(( limit + 60 )) -p StartLimitBurst=$starts \\
  -p KillMode=control-group -p TimeoutStopSec=10 -p BindPaths="$state:$at/state $home:$at/home" \\
  -p Environment="DRILL_HOME=$at/home DRILL_STATE=$at/state DRILL_PORT=$port DRILL_PATH=$upath" \\
  -- /bin/sh "$at.sh" "$at/state$rel" "$bin" || { rm -f -- "$at.sh"; echo "systemd-run could not start the throwaway gateway"; exit 1; }
cleanup() { systemctl stop -- "$unit" >/dev/null 2>&1; systemctl reset-failed -- "$unit" >/dev/null 2>&1; rmdir -- "$at/state" "$at/home" "$at" 2>/dev/null; rm -f -- "$at.sh"; true; }
trap cleanup EXIT
trap 'exit 143' TERM INT
# NRestarts as last seen while the unit was loaded (a collected unit reads 0)
seen=0
restarts() { n=$(systemctl show -p NRestarts --value -- "$unit" 2>/dev/null); [ "\${n:-0}" -gt "$seen" ] 2>/dev/null && seen=$n; echo "$seen"; }
# the gateway's own lines (errors first, then its last words), then systemd's last word on the unit; each line once
logtail() { { journalctl _SYSTEMD_UNIT="$unit.service" -o cat --no-pager 2>/dev/null | grep -iE 'refus|denied|EACCES|EPERM|error' | head -n 4; journalctl _SYSTEMD_UNIT="$unit.service" -n 3 -o cat --no-pager 2>/dev/null; journalctl -u "$unit" -n 1 -o cat --no-pager 2>/dev/null; } | awk '!seen[$0]++' | cut -c1-400 | tr '\\n' ' '; }
start=$(date +%s%N)
deadline=$(( $(date +%s) + limit ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  # activating = between two starts (auto-restart); inactive/failed = it gave up (a collected unit reads inactive)
  case $(systemctl show -p ActiveState --value -- "$unit" 2>/dev/null) in
    active|activating|reloading) restarts >/dev/null;;
    *) echo "exited before it was healthy ($seen restarts): $(logtail)"; exit 1;;
  esac
  resp=$( (exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET %s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' "$path" >&3 && timeout 5 cat <&3) 2>/dev/null | tr -d '\\r')
  case $resp in "HTTP/1."?" 200"*) if [ -z "$want" ] || printf '%s' "$resp" | grep -q -- "$want"; then echo "healthy port=$port ms=$(( ($(date +%s%N) - start) / 1000000 )) restarts=$(restarts)"; exit 0; fi;; esac
  sleep 0.5
done
echo "not healthy on 127.0.0.1:$port within \${limit} s ($(restarts) restarts): $(logtail)"; exit 1`;

/** Where the openclaw binary is on the target: the instance's install, else PATH; undefined if none. */
export async function findOpenclaw(ex: Executor, instanceBin: string): Promise<string | undefined> {
  const r = await ex.run(['sh', '-c', '[ -x "$1" ] && { echo "$1"; exit 0; }; command -v openclaw || true', 'sh', instanceBin], { allowFailure: true });
  return r.stdout.trim() || undefined;
}

export async function probeGateway(
  ex: Executor,
  opts: {
    bin: string | undefined; stateDir: string; envFile: string; home: string; version: string; limitSec?: number;
    /** the service user the gateway runs as, and the PATH it gets (its npm prefix first) */
    user: string; userPath: string;
  },
): Promise<GatewayProbe> {
  if (!opts.bin) return { status: 'skipped', detail: 'OpenClaw is not installed on the target: no throwaway gateway started', durationMs: 0 };
  const caps = capabilities(opts.version);
  const limit = opts.limitSec ?? 120;
  // 2026.3.1+ answers /healthz with {"ok":true,...}; older versions serve the Control UI there (any 200 will do)
  const [path, want] = caps.httpHealthz ? ['/healthz', '"ok":true'] : ['/healthz', ''];
  const args = [opts.bin, opts.stateDir, opts.envFile, path, want, String(limit), opts.home, opts.user, opts.userPath, AS_USER, String(RESTART_SEC), String(DRILL_STARTS)];
  const r = await ex.run(['bash', '-c', SCRIPT, 'bash', ...args], {
    allowFailure: true,
    timeoutMs: (limit + 30) * 1000,
  });
  const out = r.stdout.trim().split('\n').pop() ?? '';
  const m = /^healthy port=(\d+) ms=(\d+) restarts=(\d+)$/.exec(out);
  if (r.exitCode === 0 && m) {
    const restarts = Number(m[3]);
    const after = restarts > 0 ? `, after ${restarts} restart${restarts === 1 ? '' : 's'}` : '';
    return { status: 'pass', detail: `gateway ${opts.bin} (as ${opts.user}) healthy on 127.0.0.1:${m[1]} (${path})${after}`, durationMs: Number(m[2]), port: Number(m[1]), restarts };
  }
  return { status: 'fail', detail: `throwaway gateway: ${out || r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`}`, durationMs: r.durationMs };
}
