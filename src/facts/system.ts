/** Host facts: Node, packages, files (stat, content, hash), the service user. */
import type { Executor, FileStat } from '../exec/types.ts';
import { parseStat } from '../exec/shell-executor.ts';
import { cmdProblem, firstLine, readRaw, runRaw, scriptFact, sh } from './probe.ts';
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

export type NodeValue = { missing: true } | { missing: false; path: string; version: string; major: number };

export const nodeVersion: FactKind<NodeValue> = {
  kind: 'node.version',
  describe: '`node --version` of the node on root\'s PATH on the target',
  probe: (ex) => sh(ex, 'p=$(command -v node) || { echo MISSING; exit 0; }; echo "$p"; exec "$p" --version'),
  parse(raw) {
    const p = cmdProblem(raw, 'node --version');
    if (p) return p;
    if (raw.t !== 'cmd') return unknown('node --version: no output');
    if (raw.stdout.trim() === 'MISSING') return { missing: true };
    const lines = raw.stdout.trim().split('\n');
    // facts recorded before the path was probed hold the version line alone
    const [path = '', out = ''] = lines.length === 1 ? ['node', lines[0]] : lines;
    const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(out.trim());
    if (raw.exitCode !== 0 || !m) return unknown(`${path} --version failed: ${firstLine(raw.stderr) || out.trim()}`);
    return { missing: false, path, version: `${m[1]}.${m[2]}.${m[3]}`, major: Number(m[1]) };
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

/** A whole file as a file resource plans it: type, mode, owner, sha256, and the text when small. */
export type FileState =
  | { exists: false }
  | { exists: true; type: string; mode: number; owner: string; group: string; sha256: string; text: string | null };

const MAX_TEXT_BYTES = 256 * 1024;

// stat, hash and (small files) content in one round trip; content travels base64 so bytes stay bytes
const FILE_STATE_SCRIPT = `p=$1
[ -e "$p" ] || [ -L "$p" ] || { echo MISSING; exit 0; }
stat -c '%F|%a|%u|%g|%U|%G|%s|%Y' -- "$p" || exit 4
[ -f "$p" ] && [ ! -L "$p" ] || exit 0
sha256sum -- "$p" | cut -d' ' -f1
[ "$(stat -c %s -- "$p")" -le ${MAX_TEXT_BYTES} ] && base64 -w0 -- "$p"
exit 0`;

export const fileState: FactKind<FileState> = scriptFact({
  kind: 'file.state',
  describe: 'a file clawops writes: stat, sha256 and (up to 256 KiB) its content',
  script: FILE_STATE_SCRIPT,
  parse(out, path) {
    const [statLine = '', hash = '', b64 = ''] = out.split('\n');
    if (statLine === 'MISSING') return { exists: false };
    if (!statLine.includes('|')) return unknown(`cannot stat ${path}`);
    const st = parseStat(path, statLine);
    const base = { exists: true as const, type: st.type, mode: st.mode, owner: st.owner, group: st.group };
    if (st.type !== 'file') return { ...base, sha256: '', text: null };
    const bytes = Buffer.from(b64, 'base64');
    const text = b64 !== '' && !bytes.includes(0) ? new TextDecoder('utf-8', { fatal: false }).decode(bytes) : null;
    return { ...base, sha256: hash.trim(), text: text !== null && Buffer.byteLength(text) === bytes.length ? text : null };
  },
});

/** Whether a group exists (one `getent group` per name, one call for all). */
export const groupPresent: FactKind<{ present: boolean }> = {
  kind: 'group',
  describe: 'whether a group exists on the host (`getent group`)',
  probeMany: async (ex, args) => splitBatch(await sh(ex, 'for g; do getent group "$g" >/dev/null && echo yes || echo no; done', args), args),
  parse(raw, arg) {
    const p = cmdProblem(raw, `group ${arg}`);
    if (p) return p;
    if (raw.t !== 'cmd' || raw.exitCode !== 0) return unknown(`group ${arg}: getent failed`);
    return { present: raw.stdout.trim() === 'yes' };
  },
};
