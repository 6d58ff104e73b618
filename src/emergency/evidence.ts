/**
 * `clawops emergency evidence` (hardened guide phase 10: "journal to /tmp, sha256sum -c, find
 * -newer, docker ps"), collected read-only so it can run before contain or after: the journals of
 * the gateways and of clawops since a time, OpenClaw's own file log, the config, env files (names
 * and fingerprints only) and identity files with their baseline comparison, the files under each
 * service user's home changed since its config was last written, sockets, processes, the sandbox
 * containers (`docker inspect`, logs), the firewall, the ledger's incidents and OpenClaw's security
 * audit (not while contained: that would run the service user's program).
 *
 * Every text passes through redact() (the host's known secrets by value, credential shapes), files
 * in the service user's directories are read through the no-follow primitive, and a probe that
 * fails is an item that says why, never a missing archive. The archive (./archive.ts) carries a
 * manifest and a SHA256SUMS that `sha256sum -c` verifies.
 */
import { redact } from '../core/redact.ts';
import { safeRead } from '../core/safe-fs.ts';
import type { ResolvedInstance, ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';
import { openclawAudit, auditArg } from '../facts/openclaw.ts';
import { sanitizeEnvFile } from '../facts/secrets.ts';
import { readIdentityIntegrity } from '../openclaw/identity.ts';
import { dotEnvPath } from '../openclaw/env-secrets.ts';
import { configPath, identityFilePath, logFilePath } from '../openclaw/paths.ts';
import { SANDBOX_CONTAINER_PREFIX } from '../openclaw/sandbox-run.ts';

export interface EvidenceItem {
  /** path inside the archive */
  path: string;
  /** the command or file it came from */
  source: string;
  content: Buffer;
  /** why it is incomplete or empty */
  error?: string;
}

export interface EvidenceOptions {
  since: Date;
  /** the host is contained (or its record does not parse): the service user's programs are not run */
  contained: boolean;
  /** the ledger's incidents as JSON (local ledger or the clawops installed on the host) */
  incidents: () => Promise<{ json: string } | { error: string }>;
  log?: (line: string) => void;
}

/** Largest text kept per item (the tail of a longer log). */
export const MAX_ITEM_BYTES = 16 * 1024 * 1024;
const MAX_CHANGED_FILES = 5000;
const MAX_CONTAINERS = 50;

// visible redaction (`<secret len=N fp=…>`): a responder sees that something was taken out and can match a value they suspect
const text = (s: string): Buffer => Buffer.from(redact(s, { describe: true }), 'utf8');
const tail = (b: Buffer): Buffer => (b.length > MAX_ITEM_BYTES ? b.subarray(b.length - MAX_ITEM_BYTES) : b);
const firstLine = (s: string): string => s.trim().split('\n')[0] ?? '';
const epoch = (d: Date): string => `@${Math.floor(d.getTime() / 1000)}`;

async function cmd(ex: Executor, path: string, argv: readonly string[], timeoutMs = 60_000): Promise<EvidenceItem> {
  const source = argv.join(' ');
  try {
    const r = await ex.run(argv, { allowFailure: true, timeoutMs, maxOutputBytes: 4 * MAX_ITEM_BYTES });
    const body = r.stdout + (r.stderr.trim() ? `\n--- stderr ---\n${r.stderr}` : '');
    const failed = r.exitCode !== 0 ? `exit ${r.exitCode ?? r.signal}${r.timedOut ? ' (timed out)' : ''}: ${firstLine(r.stderr)}` : undefined;
    return { path, source, content: tail(text(body)), ...(failed ? { error: redact(failed) } : {}) };
  } catch (err) {
    return { path, source, content: Buffer.alloc(0), error: redact((err as Error).message) };
  }
}

async function file(ex: Executor, path: string, from: string, shape: (s: string) => string = (s) => s): Promise<EvidenceItem> {
  try {
    const b = await safeRead(ex, from);
    if (b === null) return { path, source: from, content: Buffer.alloc(0), error: 'absent' };
    return { path, source: from, content: tail(text(shape(b.toString('utf8')))) };
  } catch (err) {
    return { path, source: from, content: Buffer.alloc(0), error: redact((err as Error).message) };
  }
}

const note = (path: string, source: string, error: string): EvidenceItem => ({ path, source, content: Buffer.alloc(0), error });

/** The journal of these units since a time: the newest lines when there are more (what is nearest the incident). */
const JOURNAL_LINES = 200_000;
const journal = (since: Date, ...units: string[]): string[] =>
  ['journalctl', '--no-pager', '-o', 'short-iso-precise', '--since', epoch(since), '-n', String(JOURNAL_LINES), ...units.flatMap((u) => ['-u', u])];

// $1 home, $2 the time: files whose inode changed since (ctime: a user cannot set it back, as `touch` sets mtime),
// without following links or leaving the file system; NUL-terminated (a name may hold a newline)
const CHANGED = `find "$1" -xdev -newerct "$2" -printf 'ctime %CY-%Cm-%Cd %CT mtime %TY-%Tm-%Td %TT %#m %u:%g %s %y %p\\0' 2>/dev/null | head -z -n ${MAX_CHANGED_FILES + 1}`;

/** Pure: NUL-separated records as lines, each control character in a name escaped. */
export const changedLines = (out: string): string[] =>
  out.split('\0').filter(Boolean).map((r) => r.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));

async function instanceItems(ex: Executor, spec: ResolvedSpec, inst: ResolvedInstance, o: EvidenceOptions): Promise<EvidenceItem[]> {
  const d = `openclaw/${inst.name}`;
  const items: EvidenceItem[] = [];
  items.push(await cmd(ex, `journal/${inst.unit}.log`, journal(o.since, inst.unit), 120_000));
  items.push(await file(ex, `${d}/gateway.log`, logFilePath(inst)));
  items.push(await file(ex, `${d}/openclaw.json`, configPath(inst)));
  items.push(await file(ex, `${d}/gateway.env`, inst.envFile, sanitizeEnvFile));
  items.push(await file(ex, `${d}/dot.env`, dotEnvPath(inst), sanitizeEnvFile));
  for (const name of spec.identity.files) items.push(await file(ex, `${d}/identity/${name}`, identityFilePath(inst, name)));
  try {
    const findings = await readIdentityIntegrity(ex, spec, inst);
    const lines = findings.map((f) => `${f.ok ? 'ok      ' : 'CHANGED '} ${f.path}${f.problems.length ? `: ${f.problems.join('; ')}` : ''}`);
    items.push({ path: `${d}/identity-vs-baseline.txt`, source: 'the identity baseline', content: text(`${lines.join('\n')}\n`) });
  } catch (err) {
    items.push(note(`${d}/identity-vs-baseline.txt`, 'the identity baseline', redact((err as Error).message)));
  }
  // since the config was last written, or --since if that is earlier (its mtime is the user's to set)
  const cfg = await ex.stat(configPath(inst)).catch(() => null);
  const ref = new Date(Math.min(cfg ? cfg.mtimeMs : Infinity, o.since.getTime()));
  const source = `find ${inst.home} -xdev -newerct ${ref.toISOString()} (${cfg && cfg.mtimeMs < o.since.getTime() ? 'the config\'s mtime' : '--since'})`;
  const found = await ex.run(['sh', '-c', CHANGED, 'sh', inst.home, epoch(ref)], { allowFailure: true, timeoutMs: 120_000 }).catch((err: Error) => err);
  if (found instanceof Error) items.push(note(`${d}/changed-files.txt`, source, redact(found.message)));
  else {
    const lines = changedLines(found.stdout);
    items.push({
      path: `${d}/changed-files.txt`, source, content: text(`${lines.slice(0, MAX_CHANGED_FILES).join('\n')}\n`),
      ...(lines.length > MAX_CHANGED_FILES ? { error: `more than ${MAX_CHANGED_FILES} files: the first ${MAX_CHANGED_FILES} kept` } : {}),
    });
  }
  if (o.contained) items.push(note(`${d}/security-audit.json`, 'openclaw security audit --deep --json', 'not run: the host is contained (it would run the service user\'s program)'));
  else {
    const raw = await openclawAudit.probe!(ex, auditArg(inst.user, inst.home, inst.envFile, inst.bin));
    items.push(raw.t === 'cmd'
      ? { path: `${d}/security-audit.json`, source: 'openclaw security audit --deep --json (as the service user)', content: text(raw.stdout), ...(raw.exitCode !== 0 ? { error: redact(`exit ${raw.exitCode}${raw.timedOut ? ' (timed out)' : ''}: ${firstLine(raw.stderr)}`) } : {}) }
      : note(`${d}/security-audit.json`, 'openclaw security audit', raw.t === 'error' ? redact(raw.message) : 'no output'));
  }
  return items;
}

async function dockerItems(ex: Executor): Promise<EvidenceItem[]> {
  const info = await ex.run(['sh', '-c', 'command -v docker >/dev/null && docker info --format "{{.ServerVersion}}"'], { allowFailure: true, timeoutMs: 30_000 });
  if (info.exitCode !== 0) return [note('docker/containers.txt', 'docker ps -a', 'no Docker engine answers')];
  // every container, not only OpenClaw's sandboxes: a service user in the docker group can start its own
  const items = [await cmd(ex, 'docker/containers.txt', ['docker', 'ps', '-a', '--no-trunc'])];
  const names = (await ex.run(['docker', 'ps', '-a', '--format', '{{.Names}}'], { allowFailure: true })).stdout
    .split('\n').map((l) => l.trim()).filter((l) => /^[\w.-]+$/.test(l));
  const sandboxFirst = [...names.filter((n) => n.startsWith(SANDBOX_CONTAINER_PREFIX)), ...names.filter((n) => !n.startsWith(SANDBOX_CONTAINER_PREFIX))];
  if (names.length > MAX_CONTAINERS) items.push(note('docker/more.txt', 'docker ps -a', `${names.length} containers: the first ${MAX_CONTAINERS} inspected (OpenClaw's sandboxes first)`));
  for (const n of sandboxFirst.slice(0, MAX_CONTAINERS)) {
    items.push(await cmd(ex, `docker/${n}.inspect.json`, ['docker', 'inspect', '--', n]));
    items.push(await cmd(ex, `docker/${n}.log`, ['docker', 'logs', '--timestamps', '--tail', '5000', n]));
  }
  return items;
}

export async function collectEvidence(ex: Executor, spec: ResolvedSpec, o: EvidenceOptions): Promise<EvidenceItem[]> {
  const log = o.log ?? (() => {});
  const items: EvidenceItem[] = [];
  const add = (group: string, xs: EvidenceItem[]) => {
    items.push(...xs);
    log(`collected ${group}: ${xs.length} item${xs.length === 1 ? '' : 's'}${xs.some((x) => x.error) ? ` (${xs.filter((x) => x.error).length} incomplete)` : ''}`);
  };
  add('host state', [
    await cmd(ex, 'host/processes.txt', ['ps', '-eo', 'pid,ppid,user,lstart,etime,stat,args', '--forest']),
    await cmd(ex, 'host/sockets.txt', ['ss', '-tulpnH']),
    await cmd(ex, 'host/iptables.txt', ['iptables-save']),
    await cmd(ex, 'host/ip6tables.txt', ['ip6tables-save']),
    await cmd(ex, 'host/ufw.txt', ['ufw', 'status', 'verbose']),
    await cmd(ex, 'host/logins.txt', ['last', '-F', '-n', '200']),
    await cmd(ex, 'journal/clawops.log', journal(o.since, 'clawops-*'), 120_000),
    await cmd(ex, 'journal/sshd.log', journal(o.since, 'ssh', 'sshd'), 120_000),
  ]);
  for (const inst of spec.resolved) add(`instance ${inst.name}`, await instanceItems(ex, spec, inst, o));
  add('sandbox containers', await dockerItems(ex));
  const inc = await o.incidents();
  add('ledger', ['json' in inc ? { path: 'ledger/incidents.json', source: 'clawops incident list --all --json', content: text(inc.json) } : note('ledger/incidents.json', 'clawops incident list --all --json', redact(inc.error))]);
  return items;
}
