/**
 * The sudo rules of the host: /etc/sudoers and every file in /etc/sudoers.d (root's files, read as
 * root), parsed into rules: who (users, %groups, User_Alias names expanded, ALL), whether NOPASSWD,
 * and which commands. Enough to answer the runbook's "NOPASSWD sudoers cleanup": which rules let a
 * user run commands as root without a password, and whether one reaches the service user.
 */
import { scriptFact } from './probe.ts';
import type { FactKind } from './types.ts';

export interface SudoRule {
  /** file:line */
  at: string;
  /** users, `%group`, or ALL (aliases expanded) */
  who: string[];
  nopasswd: boolean;
  /** the command list as written, aliases expanded */
  commands: string;
}

export const SUDOERS_SCRIPT = `for f in /etc/sudoers /etc/sudoers.d/*; do
  [ -f "$f" ] || continue
  case "\${f##*/}" in *~|*.*) continue ;; esac
  printf '==> %s\\n' "$f"; cat -- "$f"; printf '\\n'
done`;

/** Pure: the files' text (`==> PATH` headers) into rules. */
export function parseSudoers(out: string): SudoRule[] {
  const rules: SudoRule[] = [];
  const userAlias = new Map<string, string[]>();
  const cmndAlias = new Map<string, string>();
  let file = '';
  let lineNo = 0;
  let pending = '';
  let startLine = 0;
  for (const raw of out.split('\n')) {
    const head = /^==> (.+)$/.exec(raw);
    if (head) {
      file = head[1] ?? '';
      lineNo = 0;
      pending = '';
      continue;
    }
    lineNo++;
    if (pending === '') startLine = lineNo;
    const line = raw.replace(/(^|\s)#(?!include|includedir|\d).*$/, '').trimEnd();
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '' || /^(Defaults|[#@]include)/.test(full)) continue;
    const alias = /^(User|Cmnd|Host|Runas)_Alias\s+([A-Z][A-Z0-9_]*)\s*=\s*(.+)$/.exec(full);
    if (alias) {
      const items = (alias[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (alias[1] === 'User') userAlias.set(alias[2] ?? '', items);
      if (alias[1] === 'Cmnd') cmndAlias.set(alias[2] ?? '', items.join(', '));
      continue;
    }
    const m = /^(\S+(?:\s*,\s*\S+)*)\s+\S+\s*=\s*(?:\([^)]*\)\s*)?(.*)$/.exec(full);
    if (!m) continue;
    const who = (m[1] ?? '').split(',').map((s) => s.trim()).flatMap((w) => userAlias.get(w) ?? [w]);
    const spec = m[2] ?? '';
    const tags = /^((?:[A-Z_]+:\s*)*)(.*)$/.exec(spec);
    const commands = (tags?.[2] ?? '').split(',').map((s) => s.trim()).map((c) => cmndAlias.get(c) ?? c).join(', ');
    rules.push({ at: `${file}:${startLine}`, who, nopasswd: /\bNOPASSWD:/.test(tags?.[1] ?? ''), commands });
  }
  return rules;
}

export const sudoers: FactKind<SudoRule[]> = scriptFact({
  kind: 'sudoers',
  describe: 'the sudo rules in /etc/sudoers and /etc/sudoers.d (who, NOPASSWD, commands)',
  script: SUDOERS_SCRIPT,
  parse: (stdout) => parseSudoers(stdout),
});
