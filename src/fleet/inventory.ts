/**
 * An Ansible inventory (YAML or INI) read the way `ansible-inventory` resolves it, for what
 * `clawops status --inventory` needs: each host with its groups and variables (host variables over
 * its groups', a child group's over its parent's), and the ssh:// target its connection
 * variables say. Templates (`{{ }}`) are not evaluated: a connection variable holding one is an
 * error for that host, named.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ClawopsError } from '../core/errors.ts';

export interface InventoryHost {
  name: string;
  /** every group it is in, `all` first */
  groups: string[];
  vars: Record<string, string>;
}

interface Group {
  hosts: Map<string, Record<string, string>>;
  vars: Record<string, string>;
  children: string[];
}

const scalar = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const strVars = (o: unknown): Record<string, string> =>
  o && typeof o === 'object' ? Object.fromEntries(Object.entries(o as Record<string, unknown>).map(([k, v]) => [k, scalar(v)])) : {};

/** `web[01:03]` -> web01, web02, web03 (Ansible's numeric and letter ranges, one per name). */
export function expandHostPattern(name: string): string[] {
  const m = /^(.*)\[([0-9a-z]+):([0-9a-z]+)\](.*)$/.exec(name);
  if (!m) return [name];
  const [, pre = '', a = '', b = '', post = ''] = m;
  const numeric = /^\d+$/.test(a) && /^\d+$/.test(b);
  const [from, to] = numeric ? [Number(a), Number(b)] : [a.charCodeAt(0), b.charCodeAt(0)];
  if (to < from || to - from > 10_000) throw new ClawopsError(`inventory: host range ${name} is empty or too large`);
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${pre}${numeric ? String(i).padStart(a.length, '0') : String.fromCharCode(i)}${post}`);
  return out;
}

function group(groups: Map<string, Group>, name: string): Group {
  let g = groups.get(name);
  if (!g) {
    g = { hosts: new Map(), vars: {}, children: [] };
    groups.set(name, g);
  }
  return g;
}

function fromYaml(doc: unknown, groups: Map<string, Group>, name: string): void {
  const g = group(groups, name);
  if (!doc || typeof doc !== 'object') return;
  const d = doc as { hosts?: Record<string, unknown>; vars?: unknown; children?: Record<string, unknown> };
  for (const [h, v] of Object.entries(d.hosts ?? {})) for (const host of expandHostPattern(h)) g.hosts.set(host, { ...g.hosts.get(host), ...strVars(v) });
  Object.assign(g.vars, strVars(d.vars));
  for (const [child, v] of Object.entries(d.children ?? {})) {
    if (!g.children.includes(child)) g.children.push(child);
    fromYaml(v, groups, child);
  }
}

/** key=value pairs as Ansible's INI writes them (values may be quoted). */
function pairs(text: string, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\S+?)=("([^"]*)"|'([^']*)'|\S*)/g)) out[m[1] ?? ''] = m[3] ?? m[4] ?? m[2] ?? '';
  const rest = text.replace(/(\S+?)=("([^"]*)"|'([^']*)'|\S*)/g, '').trim();
  if (rest !== '') throw new ClawopsError(`inventory ${where}: cannot read ${JSON.stringify(rest)} (want key=value)`);
  return out;
}

function fromIni(text: string, groups: Map<string, Group>): void {
  let section = 'ungrouped';
  let kind: 'hosts' | 'vars' | 'children' = 'hosts';
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/^\s*[#;].*$/, '').trim();
    if (line === '') return;
    const head = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(line);
    if (head) {
      section = head[1] ?? '';
      kind = (head[2] as 'vars' | 'children' | undefined) ?? 'hosts';
      group(groups, section);
      return;
    }
    const where = `line ${i + 1}`;
    const g = group(groups, section);
    if (kind === 'vars') Object.assign(g.vars, pairs(line, where));
    else if (kind === 'children') {
      if (!g.children.includes(line)) g.children.push(line);
      group(groups, line);
    } else {
      const [name = '', ...rest] = line.split(/\s+/);
      for (const host of expandHostPattern(name)) g.hosts.set(host, { ...g.hosts.get(host), ...pairs(rest.join(' '), where) });
    }
  });
}

/** Pure: the inventory's text into its hosts, in the order they first appear. */
export function parseInventory(text: string, file: string): InventoryHost[] {
  const groups = new Map<string, Group>();
  const looksYaml = /^\s*[\w-]+:\s*(#.*)?$/m.test(text) && !/^\s*\[[^\]]+\]\s*$/m.test(text);
  try {
    if (looksYaml) {
      const doc = parseYaml(text) as Record<string, unknown> | null;
      for (const [name, v] of Object.entries(doc ?? {})) fromYaml(v, groups, name);
    } else fromIni(text, groups);
  } catch (cause) {
    if (cause instanceof ClawopsError) throw new ClawopsError(`${file}: ${cause.message}`, { hint: cause.hint });
    throw new ClawopsError(`${file} is not an Ansible inventory (YAML or INI)`, { cause, hint: 'check it with `ansible-inventory -i FILE --list`' });
  }
  const visit = (name: string, path: string[]): void => {
    if (path.includes(name)) throw new ClawopsError(`${file}: group ${name} contains itself (${[...path.slice(path.indexOf(name)), name].join(' -> ')})`);
    for (const c of groups.get(name)?.children ?? []) visit(c, [...path, name]);
  };
  for (const name of groups.keys()) visit(name, []);
  const all = group(groups, 'all');
  for (const name of groups.keys()) if (name !== 'all' && !all.children.includes(name) && ![...groups.values()].some((g) => g.children.includes(name))) all.children.push(name);
  // per host: the groups it is in with their depth (a group's variables lose to a deeper one's), and its own variables
  const found = new Map<string, { groups: Map<string, number>; own: Record<string, string> }>();
  const walk = (name: string, path: string[]): void => {
    const g = groups.get(name);
    if (!g) return;
    const chain = [...path, name];
    for (const [h, hv] of g.hosts) {
      const cur = found.get(h) ?? { groups: new Map<string, number>(), own: {} };
      chain.forEach((p, depth) => cur.groups.set(p, Math.max(depth, cur.groups.get(p) ?? 0)));
      cur.own = { ...cur.own, ...hv };
      found.set(h, cur);
    }
    for (const c of g.children) walk(c, chain);
  };
  walk('all', []);
  const hosts = [...found].map(([name, f]): InventoryHost => {
    const layers = [...f.groups].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    const vars = Object.assign({}, ...layers.map(([g]) => groups.get(g)?.vars ?? {}), f.own) as Record<string, string>;
    return { name, groups: layers.map(([g]) => g), vars };
  });
  return hosts;
}

/** Hosts named by `--limit`: host names or group names, comma-separated (every host when absent). */
export function selectHosts(hosts: readonly InventoryHost[], limit: string | undefined): InventoryHost[] {
  if (!limit) return [...hosts];
  const want = limit.split(',').map((s) => s.trim()).filter(Boolean);
  const picked = hosts.filter((h) => want.some((w) => w === h.name || h.groups.includes(w)));
  const unknown = want.filter((w) => !hosts.some((h) => h.name === w || h.groups.includes(w)));
  if (unknown.length > 0) throw new ClawopsError(`--limit names no host or group of the inventory: ${unknown.join(', ')}`, { hint: `hosts: ${hosts.map((h) => h.name).join(', ')}` });
  return picked;
}

/** The ssh:// target of a host from its connection variables (`ansible_host`, `_port`, `_user`, `_ssh_private_key_file`, `-F`/UserKnownHostsFile/ConnectTimeout in `ansible_ssh_common_args`). */
export function hostTarget(h: InventoryHost, inventoryFile: string, sshConfig?: string): { target: string; ignored: string[] } {
  const v = h.vars;
  for (const k of ['ansible_host', 'ansible_port', 'ansible_user', 'ansible_ssh_private_key_file', 'ansible_ssh_common_args']) {
    if (v[k]?.includes('{{')) throw new ClawopsError(`${h.name}: ${k} is a template (${v[k]}); clawops does not evaluate templates`, { hint: 'give the value itself in the inventory' });
  }
  if ((v.ansible_connection ?? 'ssh') !== 'ssh') throw new ClawopsError(`${h.name}: ansible_connection ${v.ansible_connection} (clawops reaches hosts over ssh only)`);
  const base = dirname(resolve(inventoryFile));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const q = new URLSearchParams();
  const ignored: string[] = [];
  const args = (v.ansible_ssh_common_args ?? '').split(/\s+/).filter(Boolean);
  let config = sshConfig ? abs(sshConfig) : undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const next = args[i + 1] ?? '';
    if (a === '-F') config = abs(args[++i] ?? '');
    else if (a === '-o' && /^(UserKnownHostsFile=|ConnectTimeout=\d+$)/i.test(next)) {
      const value = next.slice(next.indexOf('=') + 1);
      if (/^UserKnownHostsFile=/i.test(next)) q.set('knownHosts', abs(value));
      else q.set('connectTimeout', value);
      i++;
    } else ignored.push(a === '-o' ? `${a} ${args[++i] ?? ''}` : a);
  }
  if (v.ansible_ssh_private_key_file) q.set('identity', abs(v.ansible_ssh_private_key_file));
  if (config) q.set('config', config);
  const host = v.ansible_host || h.name;
  const port = v.ansible_port ? `:${v.ansible_port}` : '';
  const qs = q.toString();
  return { target: `ssh://${encodeURIComponent(v.ansible_user || 'root')}@${host.includes(':') ? `[${host}]` : host}${port}${qs ? `?${qs}` : ''}`, ignored };
}
