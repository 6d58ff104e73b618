/** Host facts: Node, packages, files (stat, content, hash), the service user. */
import type { Executor, FileStat } from '../exec/types.ts';
import { parseStat } from '../exec/shell-executor.ts';
import { cmdProblem, firstLine, readRaw, runRaw, sh } from './probe.ts';
import { type FactKind, type Raw, unknown } from './types.ts';

/** Splits one batch command's stdout (one line per argument) into a raw per argument. */
export function splitBatch(raw: Raw, args: readonly string[]): Map<string, Raw> {
  const out = new Map<string, Raw>();
  if (raw.t !== 'cmd' || raw.exitCode !== 0) {
    for (const a of args) out.set(a, raw);
    return out;
  }
  const lines = raw.stdout.split('\n');
  args.forEach((a, i) => out.set(a, { ...raw, stdout: `${lines[i] ?? ''}\n`, stderr: '' }));
  return out;
}

export const nodeVersion: FactKind<{ version: string; major: number }> = {
  kind: 'node.version',
  describe: '`node --version` on the target',
  probe: (ex) => sh(ex, 'command -v node >/dev/null 2>&1 || { echo "node: not installed" >&2; exit 127; }; exec node --version'),
  parse(raw) {
    const p = cmdProblem(raw, 'node --version');
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('node --version: no output');
    const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(raw.stdout);
    if (raw.exitCode !== 0 || !m) return unknown(`node --version failed: ${firstLine(raw.stderr) || raw.stdout.trim()}`);
    return { version: `${m[1]}.${m[2]}.${m[3]}`, major: Number(m[1]) };
  },
};

export type PackageState = { installed: boolean; status: string };

export const dpkgPackage: FactKind<PackageState> = {
  kind: 'pkg',
  describe: 'Debian package status (`dpkg-query -W`), one call for all packages',
  probeMany: async (ex, args) =>
    splitBatch(
      await sh(ex, 'command -v dpkg-query >/dev/null 2>&1 || { echo "dpkg-query: not installed (not a Debian host)" >&2; exit 127; }; for p; do dpkg-query -W -f=\'${db:Status-Abbrev}\n\' "$p" 2>/dev/null | head -n1 | grep . || echo "un"; done', args),
      args,
    ),
  parse(raw, arg) {
    const p = cmdProblem(raw, `package ${arg}`);
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`package ${arg}: dpkg-query failed`);
    const status = raw.stdout.trim();
    return { installed: status.startsWith('ii'), status: status || 'un' };
  },
};

export type StatValue = FileStat | { missing: true };

export const fileStat: FactKind<StatValue> = {
  kind: 'stat',
  describe: 'type, mode and owner of a path (one `stat` call for all paths)',
  probeMany: async (ex, args) =>
    splitBatch(await sh(ex, `for p; do if [ -e "$p" ] || [ -L "$p" ]; then stat -c '%F|%a|%u|%g|%U|%G|%s|%Y' -- "$p" 2>/dev/null || echo ERROR; else echo MISSING; fi; done`, args), args),
  parse(raw, arg) {
    const p = cmdProblem(raw, `stat ${arg}`);
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`stat ${arg} failed`);
    const line = raw.stdout.trim();
    if (line === 'MISSING') return { missing: true };
    if (line === 'ERROR' || !line.includes('|')) return unknown(`cannot stat ${arg}`);
    return parseStat(arg, line);
  },
};

export type HashValue = { sha256: string } | { missing: true };

export const fileHash: FactKind<HashValue> = {
  kind: 'sha256',
  describe: 'sha256 of a file (one `sha256sum` call for all files)',
  probeMany: async (ex, args) =>
    splitBatch(await sh(ex, 'for p; do if [ -f "$p" ]; then sha256sum -- "$p" 2>/dev/null | cut -d" " -f1 | grep . || echo ERROR; else echo MISSING; fi; done', args), args),
  parse(raw, arg) {
    const p = cmdProblem(raw, `sha256sum ${arg}`);
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`sha256sum ${arg} failed`);
    const line = raw.stdout.trim();
    if (line === 'MISSING') return { missing: true };
    if (!/^[0-9a-f]{64}$/.test(line)) return unknown(`cannot hash ${arg}`);
    return { sha256: line };
  },
};

/** Content of a non-secret text file (null when missing). Never use it for files holding secrets. */
export const textFile: FactKind<{ content: string | null }> = {
  kind: 'file',
  describe: 'content of a (non-secret) file',
  probe: (ex, arg) => readRaw(ex, arg),
  parse(raw, arg) {
    if (raw.t === 'error') return unknown(`read ${arg}: ${raw.message}`);
    if (raw.t !== 'file') return unknown(`read ${arg}: unexpected raw`);
    return { content: raw.content };
  },
};

export interface UserValue {
  exists: boolean;
  uid?: number;
  home?: string;
  shell?: string;
  /** password field starts with ! or * (no password login) */
  passwordLocked?: boolean;
  groups: string[];
}

const USER_SCRIPT = `u=$1
getent passwd "$u" || { echo "NOUSER"; exit 0; }
echo ---
getent shadow "$u" | cut -d: -f2 | cut -c1
echo ---
id -nG "$u"`;

export const serviceUser: FactKind<UserValue> = {
  kind: 'user',
  describe: 'a user: passwd entry, whether its password is locked, its groups',
  probe: (ex: Executor, arg: string) => runRaw(ex, ['sh', '-c', USER_SCRIPT, 'sh', arg]),
  parse(raw, arg) {
    const p = cmdProblem(raw, `user ${arg}`);
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`user ${arg}: getent failed`);
    if (raw.stdout.trim() === 'NOUSER') return { exists: false, groups: [] };
    const [pw = '', shadow = '', groups = ''] = raw.stdout.split('---\n');
    const f = pw.trim().split(':');
    const lockChar = shadow.trim();
    return {
      exists: true,
      uid: Number(f[2]),
      home: f[5] ?? '',
      shell: f[6] ?? '',
      ...(lockChar ? { passwordLocked: lockChar === '!' || lockChar === '*' } : {}),
      groups: groups.trim().split(/\s+/).filter(Boolean),
    };
  },
};
