/**
 * Whether sshd may face the internet while Tailscale is down: its effective configuration
 * (`sshd -T`, what it would run with, Match blocks aside) must be key-only, and some login account
 * must have authorized keys, else opening the port would only invite password guessing, or lock
 * the operator out all the same. A stopped sshd has no /run/sshd, without which `sshd -T` refuses:
 * it is made as the ssh unit makes it. Root runs root's own sshd and `test -s`; nothing of the service
 * users is read or run.
 */
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { Executor } from '../exec/types.ts';

export interface SshdReadiness {
  /** empty: key-only, with keys */
  problems: string[];
  port: number;
  /** the systemd unit of sshd (Debian: ssh.service) */
  unit: string;
  /** accounts that can log in with a key */
  keyUsers: string[];
}

/** Pure: `sshd -T` output as key -> value (keys lower case, as sshd prints them; repeated keys joined by a space). */
export function parseSshdT(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9]+)\s+(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = out[m[1]!] === undefined ? m[2]! : `${out[m[1]!]} ${m[2]!}`;
  }
  return out;
}

/** Pure: what keeps this effective configuration from being key-only. */
export function keyOnlyProblems(c: Record<string, string>): string[] {
  const p: string[] = [];
  if (c.passwordauthentication !== 'no') p.push(`PasswordAuthentication ${c.passwordauthentication ?? '(unknown)'} (must be no)`);
  if (c.pubkeyauthentication !== 'yes') p.push(`PubkeyAuthentication ${c.pubkeyauthentication ?? '(unknown)'} (must be yes)`);
  const kbd = c.kbdinteractiveauthentication ?? c.challengeresponseauthentication;
  if (kbd === 'yes') p.push('KbdInteractiveAuthentication yes (a password prompt by another name; must be no)');
  if (c.permitrootlogin === 'yes') p.push('PermitRootLogin yes (root may log in with a password; prohibit-password or no)');
  if (c.permitemptypasswords === 'yes') p.push('PermitEmptyPasswords yes');
  return p;
}

/** Pure: the authorized-keys paths sshd looks at for a user (AuthorizedKeysFile tokens %h %u %%; relative to home). */
export function authorizedKeyPaths(setting: string | undefined, user: string, home: string): string[] {
  const files = (setting ?? '.ssh/authorized_keys .ssh/authorized_keys2').split(/\s+/).filter((f) => f && f !== 'none');
  return files.map((f) => f.replace(/%%|%h|%u/g, (t) => (t === '%h' ? home : t === '%u' ? user : '%'))).map((f) => (f.startsWith('/') ? f : `${home}/${f}`));
}

/** Pure: the accounts a person logs in with: root and uid >= 1000 with a real shell, service users excluded. */
export function loginAccounts(passwd: string, exclude: readonly string[]): { user: string; home: string }[] {
  return passwd.split('\n').flatMap((l) => {
    const [user = '', , uid = '', , , home = '', shell = ''] = l.split(':');
    const n = Number(uid);
    if (!user || exclude.includes(user) || /(nologin|false)$/.test(shell) || !(n === 0 || n >= 1000) || n === 65534) return [];
    return [{ user, home }];
  });
}

export async function sshdReadiness(ex: Executor, spec: ResolvedSpec): Promise<SshdReadiness> {
  const unit = (await ex.run(['systemctl', 'show', '-p', 'LoadState', '--value', 'ssh.service'], { allowFailure: true })).stdout.trim() === 'loaded' ? 'ssh.service' : 'sshd.service';
  const t = await ex.run(['sh', '-c', 'b=$(command -v sshd || echo /usr/sbin/sshd); [ -x "$b" ] || { echo "sshd is not installed" >&2; exit 127; }; [ -d /run/sshd ] || mkdir -m 0755 /run/sshd; exec "$b" -T'], { allowFailure: true, timeoutMs: 20_000 });
  if (t.exitCode !== 0) return { problems: [`sshd -T failed: ${t.stderr.trim().split('\n').pop() || `exit ${t.exitCode}`}`], port: 22, unit, keyUsers: [] };
  const c = parseSshdT(t.stdout);
  const problems = keyOnlyProblems(c);
  const port = Number(c.port?.split(' ')[0] ?? 22) || 22;
  const accounts = loginAccounts((await ex.run(['getent', 'passwd'])).stdout, spec.resolved.map((i) => i.user));
  const candidates = accounts.flatMap((a) => authorizedKeyPaths(c.authorizedkeysfile, a.user, a.home).map((p) => ({ ...a, p })));
  const present = candidates.length === 0 ? [] : (await ex.run(['sh', '-c', 'for f; do [ -s "$f" ] && printf "%s\\n" "$f"; done; true', 'sh', ...candidates.map((x) => x.p)])).stdout.split('\n');
  const keyUsers = [...new Set(candidates.filter((x) => present.includes(x.p)).map((x) => x.user))];
  if (keyUsers.length === 0) problems.push(`no login account has authorized keys (${accounts.map((a) => a.user).join(', ') || 'no login accounts'}): put a key in place first`);
  if (c.permitrootlogin === 'no' && keyUsers.every((u) => u === 'root') && keyUsers.length > 0) problems.push('only root has keys and PermitRootLogin is no');
  return { problems, port, unit, keyUsers };
}
