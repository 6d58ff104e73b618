/** Network facts: listening TCP sockets and the gateway's HTTP health answer over loopback. */
import { cmdProblem, firstLine, sh } from './probe.ts';
import { type FactKind, unknown } from './types.ts';

export interface Listener {
  address: string;
  port: number;
  /** process names from ss -p (`users:(("node",pid=1,fd=2))`) */
  processes: string[];
  /** the first process's pid, and the socket's owner (ss -e), when shown */
  pid: number | null;
  uid: number | null;
}

export const listeners: FactKind<Listener[]> = {
  kind: 'listen',
  describe: 'listening TCP sockets with process and owner (`ss -Htlnpe`)',
  probe: (ex) => sh(ex, 'command -v ss >/dev/null 2>&1 || { echo "ss: not installed (iproute2)" >&2; exit 127; }; exec ss -Htlnpe'),
  parse(raw) {
    const p = cmdProblem(raw, 'ss -tlnpH');
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`ss -tlnpH failed: ${raw.t === 'cmd' ? firstLine(raw.stderr) : ''}`);
    return parseSs(raw.stdout);
  },
};

export function parseSs(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // State Recv-Q Send-Q Local:Port Peer:Port [Process]
    const local = cols[3];
    if (!local || !/^(LISTEN|UNCONN)$/.test(cols[0] ?? '')) continue;
    const i = local.lastIndexOf(':');
    let address = local.slice(0, i).replace(/^\[|\]$/g, '');
    address = address.replace(/%\S+$/, '');
    const port = Number(local.slice(i + 1));
    if (!Number.isInteger(port)) continue;
    const rest = cols.slice(5).join(' ');
    const processes = [...rest.matchAll(/\("([^"]+)"/g)].map((m) => m[1] ?? '');
    const pid = /users:\(\("[^"]*",pid=(\d+)/.exec(rest)?.[1];
    const uid = /\buid:(\d+)/.exec(rest)?.[1];
    out.push({ address, port, processes, pid: pid ? Number(pid) : null, uid: uid ? Number(uid) : null });
  }
  return out;
}

/** Network interfaces (`ip -o link`), names without the `@peer` suffix. */
export const interfaces: FactKind<string[]> = {
  kind: 'interfaces',
  describe: 'network interfaces (`ip -o link`)',
  probe: (ex) => sh(ex, 'command -v ip >/dev/null 2>&1 || { echo "ip: not installed (iproute2)" >&2; exit 127; }; exec ip -o link'),
  parse(raw) {
    const p = cmdProblem(raw, 'ip -o link');
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`ip -o link failed: ${raw.t === 'cmd' ? firstLine(raw.stderr) : ''}`);
    return parseIpLink(raw.stdout);
  },
};

export function parseIpLink(text: string): string[] {
  return [...text.matchAll(/^\d+:\s+([^:@\s]+)/gm)].map((m) => m[1] as string);
}

export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\./.test(address) || address === 'localhost';
}

export interface HttpAnswer {
  /** 0 when nothing answered (refused, timed out): see `error` */
  status: number;
  error?: string;
  body: string;
  contentType: string;
  /** the request's own time, ms (curl's time_total; absent in records made before it was read) */
  timeMs?: number;
}

// curl when the target has it, else a few lines of node: both cheap, neither spawns the openclaw CLI.
const HTTP_SCRIPT = `url=$1
if command -v curl >/dev/null 2>&1; then
  exec curl -sS -m 4 -o - -w '\\n%{http_code} %{time_total} %{content_type}' "$url"
elif command -v node >/dev/null 2>&1; then
  exec node -e 't=performance.now();fetch(process.argv[1],{signal:AbortSignal.timeout(4000)}).then(async r=>{const b=(await r.text()).slice(0,4096);process.stdout.write(b+"\\n"+r.status+" "+((performance.now()-t)/1000).toFixed(6)+" "+(r.headers.get("content-type")||""))}).catch(e=>{console.error(String(e.cause?.code||e.message));process.exit(7)})' "$url"
else
  echo "neither curl nor node on the target" >&2; exit 127
fi`;

export const httpHealth: FactKind<HttpAnswer> = {
  kind: 'http',
  describe: 'HTTP GET of a loopback URL from the target (curl, else node), 4 s timeout',
  probe: (ex, url) => sh(ex, HTTP_SCRIPT, [url], 8000),
  parse(raw, url) {
    const p = cmdProblem(raw, `GET ${url}`);
    if (p) return p;
    if (raw.t !== 'cmd') return unknown(`GET ${url}: no answer`);
    if (raw.exitCode !== 0) return { status: 0, body: '', contentType: '', error: firstLine(raw.stderr) || `exit ${raw.exitCode}` };
    const nl = raw.stdout.lastIndexOf('\n');
    const [code = '', ...rest] = raw.stdout.slice(nl + 1).split(' ');
    const status = Number(code);
    if (!Number.isInteger(status) || status === 0) return unknown(`GET ${url}: no HTTP answer`);
    // "<code> <seconds> <content type>"; a record made before the time was read has no seconds
    const secs = /^\d+(\.\d+)?$/.test(rest[0] ?? '') ? Number(rest.shift()) : undefined;
    return { status, body: raw.stdout.slice(0, Math.max(0, nl)).slice(0, 4096), contentType: rest.join(' '), ...(secs === undefined ? {} : { timeMs: Math.round(secs * 100_000) / 100 }) };
  },
};
