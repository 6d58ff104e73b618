/**
 * A throwaway gateway on restored state: `openclaw gateway run` with OPENCLAW_STATE_DIR pointing at
 * the restored copy, on a free loopback port, channels/cron/mDNS/auto-update off (a clone of
 * production must never talk to the messaging platforms), probed over HTTP until healthy, then
 * stopped. One bounded script on the target; the gateway runs in its own session and is always
 * killed (trap) when the script ends. The scratch copy's gateway owner lease (9.x: a row in
 * state/openclaw.sqlite naming the live production gateway) is dropped first, after verification:
 * otherwise the clone refuses to start ("Another Gateway owner lease is still active").
 */
import type { Executor } from '../exec/types.ts';
import { capabilities } from '../openclaw/versions.ts';

export interface GatewayProbe {
  status: 'pass' | 'fail' | 'skipped';
  detail: string;
  durationMs: number;
  port?: number;
}

const SCRIPT = `set -u
bin=$1; state=$2; envfile=$3; path=$4; want=$5; limit=$6; home=$7
port=0
for i in $(seq 1 50); do p=$(( (RANDOM % 25000) + 30000 )); if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then port=$p; break; fi; done
[ "$port" != 0 ] || { echo "no free loopback port"; exit 1; }
log=$(mktemp); mkdir -p "$home"
# the copy carries the production gateway's owner lease (state_leases, scope gateway-owner); its
# owner is alive on this host, so a clone would refuse to start: drop the lease in the scratch copy only
db="$state/state/openclaw.sqlite"
if [ -f "$db" ] && [ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name='state_leases'" 2>/dev/null)" = 1 ]; then
  sqlite3 "$db" "PRAGMA busy_timeout=5000; DELETE FROM state_leases WHERE scope='gateway-owner'" || { echo "cannot clear the copied gateway owner lease in $db"; exit 1; }
fi
(
  if [ -n "$envfile" ] && [ -r "$envfile" ]; then set -a; . "$envfile"; set +a; fi
  export HOME="$home" OPENCLAW_STATE_DIR="$state" OPENCLAW_CONFIG_PATH="$state/openclaw.json" OPENCLAW_GATEWAY_PORT="$port" \\
    OPENCLAW_SKIP_CHANNELS=1 OPENCLAW_SKIP_CRON=1 OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_NO_RESPAWN=1 OPENCLAW_NO_AUTO_UPDATE=1 \\
    OPENCLAW_SKIP_GMAIL_WATCHER=1 OPENCLAW_SKIP_CANVAS_HOST=1 OPENCLAW_SKIP_BROWSER_CONTROL_SERVER=1
  exec setsid "$bin" gateway run
) >"$log" 2>&1 </dev/null &
pid=$!
cleanup() { kill -TERM -- -$pid 2>/dev/null; for i in $(seq 1 40); do kill -0 $pid 2>/dev/null || break; sleep 0.25; done; kill -KILL -- -$pid 2>/dev/null; rm -f "$log"; }
trap cleanup EXIT
trap 'exit 143' TERM INT
start=$(date +%s%N)
deadline=$(( $(date +%s) + limit ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  if ! kill -0 $pid 2>/dev/null; then wait $pid; rc=$?; echo "exited with code $rc before it was healthy: $(tail -n 3 "$log" | tr '\\n' ' ')"; exit 1; fi
  resp=$( (exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET %s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' "$path" >&3 && timeout 5 cat <&3) 2>/dev/null | tr -d '\\r')
  case $resp in "HTTP/1."?" 200"*) if [ -z "$want" ] || printf '%s' "$resp" | grep -q -- "$want"; then echo "healthy port=$port ms=$(( ($(date +%s%N) - start) / 1000000 ))"; exit 0; fi;; esac
  sleep 0.5
done
echo "not healthy on 127.0.0.1:$port within \${limit} s: $(tail -n 3 "$log" | tr '\\n' ' ')"; exit 1`;

/** Where the openclaw binary is on the target: the instance's install, else PATH; undefined if none. */
export async function findOpenclaw(ex: Executor, instanceBin: string): Promise<string | undefined> {
  const r = await ex.run(['sh', '-c', '[ -x "$1" ] && { echo "$1"; exit 0; }; command -v openclaw || true', 'sh', instanceBin], { allowFailure: true });
  return r.stdout.trim() || undefined;
}

export async function probeGateway(
  ex: Executor,
  opts: { bin: string | undefined; stateDir: string; envFile: string; home: string; version: string; limitSec?: number },
): Promise<GatewayProbe> {
  if (!opts.bin) return { status: 'skipped', detail: 'OpenClaw is not installed on the target: no throwaway gateway started', durationMs: 0 };
  const caps = capabilities(opts.version);
  const limit = opts.limitSec ?? 120;
  // 2026.3.1+ answers /healthz with {"ok":true,...}; older versions serve the Control UI there (any 200 will do)
  const [path, want] = caps.httpHealthz ? ['/healthz', '"ok":true'] : ['/healthz', ''];
  const r = await ex.run(['bash', '-c', SCRIPT, 'bash', opts.bin, opts.stateDir, opts.envFile, path, want, String(limit), opts.home], {
    allowFailure: true,
    timeoutMs: (limit + 30) * 1000,
  });
  const out = r.stdout.trim().split('\n').pop() ?? '';
  const m = /^healthy port=(\d+) ms=(\d+)$/.exec(out);
  if (r.exitCode === 0 && m) {
    return { status: 'pass', detail: `gateway ${opts.bin} healthy on 127.0.0.1:${m[1]} (${path})`, durationMs: Number(m[2]), port: Number(m[1]) };
  }
  return { status: 'fail', detail: `throwaway gateway: ${out || r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`}`, durationMs: r.durationMs };
}
