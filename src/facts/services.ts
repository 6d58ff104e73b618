/** Other host services: fail2ban, Tailscale, clawops' own status records (backup, drill). */
import { cmdProblem, firstLine, sh } from './probe.ts';
import { type FactKind, unknown } from './types.ts';

export const fail2banStatus: FactKind<{ jails: string[] }> = {
  kind: 'fail2ban',
  describe: '`fail2ban-client status` (jail list)',
  probe: (ex) => sh(ex, 'command -v fail2ban-client >/dev/null 2>&1 || { echo "fail2ban-client: not installed" >&2; exit 127; }; exec fail2ban-client status', [], 10_000),
  parse(raw) {
    const p = cmdProblem(raw, 'fail2ban-client status');
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`fail2ban-client status: ${raw.t === 'cmd' ? firstLine(raw.stderr) || `exit ${raw.exitCode}` : ''}`);
    const m = /Jail list:\s*(.*)$/m.exec(raw.stdout);
    if (!m) return unknown('fail2ban-client status: no jail list');
    return { jails: (m[1] ?? '').split(/[,\s]+/).filter(Boolean) };
  },
};

const TAILSCALE = 'command -v tailscale >/dev/null 2>&1 || { echo "tailscale: not installed on the target (cannot verify the tailnet from here)" >&2; exit 127; }';

export interface TailscaleStatus {
  backendState: string;
  online: boolean;
  ips: string[];
}

export const tailscaleStatus: FactKind<TailscaleStatus> = {
  kind: 'tailscale.status',
  describe: '`tailscale status --json`',
  probe: (ex) => sh(ex, `${TAILSCALE}; exec tailscale status --json`, [], 10_000),
  parse(raw) {
    const p = cmdProblem(raw, 'tailscale status --json');
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('tailscale status: no output');
    try {
      const v = JSON.parse(raw.stdout) as { BackendState?: string; Self?: { Online?: boolean; TailscaleIPs?: string[] } };
      return { backendState: v.BackendState ?? 'unknown', online: v.Self?.Online === true, ips: v.Self?.TailscaleIPs ?? [] };
    } catch {
      return unknown(`tailscale status --json: ${firstLine(raw.stderr) || 'not JSON'}`);
    }
  },
};

export interface ServeValue {
  /** proxy targets by "host:port/path" */
  proxies: Record<string, string>;
  /** "host:port" entries with Funnel on */
  funnel: string[];
}

export const tailscaleServe: FactKind<ServeValue> = {
  kind: 'tailscale.serve',
  describe: '`tailscale serve status --json` (Serve handlers and Funnel)',
  probe: (ex) => sh(ex, `${TAILSCALE}; exec tailscale serve status --json`, [], 10_000),
  parse(raw) {
    const p = cmdProblem(raw, 'tailscale serve status --json');
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`tailscale serve status: ${raw.t === 'cmd' ? firstLine(raw.stderr) : ''}`);
    try {
      const text = raw.stdout.trim();
      const v = (text ? JSON.parse(text) : {}) as {
        Web?: Record<string, { Handlers?: Record<string, { Proxy?: string }> }>;
        AllowFunnel?: Record<string, boolean>;
      };
      const proxies: Record<string, string> = {};
      for (const [hp, web] of Object.entries(v.Web ?? {})) {
        for (const [path, h] of Object.entries(web.Handlers ?? {})) if (h.Proxy) proxies[`${hp}${path}`] = h.Proxy;
      }
      return { proxies, funnel: Object.entries(v.AllowFunnel ?? {}).filter(([, on]) => on).map(([hp]) => hp) };
    } catch {
      return unknown('tailscale serve status --json: not JSON');
    }
  },
};
