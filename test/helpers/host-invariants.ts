import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** What the suite must never change on the machine it runs on. */
export type Snapshot = Record<string, string>;

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function treeDigest(dir: string, out: Snapshot): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    out[dir] = 'absent';
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) out[p] = `link:${readlinkSync(p)}`;
    else if (st.isDirectory()) treeDigest(p, out);
    else out[p] = `${(st.mode & 0o7777).toString(8)}:${sha(readFileSync(p))}`;
  }
}

function commandDigest(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.error) return `unavailable: ${r.error.message}`;
  // iptables-save prints a timestamp comment: ignore comment lines and packet counters
  const stable = (r.stdout ?? '')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, '[]'))
    .join('\n');
  return sha(stable);
}

export function hostSnapshot(): Snapshot {
  const s: Snapshot = {};
  for (const f of ['/etc/passwd', '/etc/group', '/etc/shadow']) {
    try {
      s[f] = sha(readFileSync(f));
    } catch {
      s[f] = 'absent';
    }
  }
  treeDigest('/etc/systemd/system', s);
  // clawops' own state on this machine (a local check never starts a ledger, a lock or a record here)
  treeDigest('/var/lib/clawops', s);
  s['iptables-save'] = commandDigest(['iptables-save']);
  s['ip6tables-save'] = commandDigest(['ip6tables-save']);
  return s;
}

export function diffSnapshots(a: Snapshot, b: Snapshot): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k] ?? 'absent'} -> ${b[k] ?? 'absent'}`);
}
