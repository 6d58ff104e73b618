/**
 * auditd rules over what a compromise of the gateway would change: its config, token env file,
 * identity files, unit and drop-ins, clawops' own config, and the mode and owner of its state dir
 * (not its writes: the gateway writes there all the time). Each rule carries a key, so
 * `ausearch -k openclaw-config` finds what touched the config. Audit is the kernel's: in a container
 * it is the host machine's, so nothing is installed or loaded there and the check says so.
 */
import type { ResolvedSpec } from '../desired/resolve.ts';
import type { PlanOutcome, Resource } from '../engine/types.ts';
import { NOT_INSTALLED, scriptFact } from '../facts/probe.ts';
import { known, ref, unknown } from '../facts/types.ts';
import { identityFilePath } from '../openclaw/paths.ts';
import { APT_ID } from '../resources/apt.ts';
import { aptInstall } from '../resources/apt-run.ts';
import { ClawopsError } from '../core/errors.ts';

export const AUDIT_RULES_FILE = '/etc/audit/rules.d/60-clawops.rules';

export interface AuditRule {
  path: string;
  perms: string;
  key: string;
}

export function auditRules(spec: ResolvedSpec): AuditRule[] {
  const rules: AuditRule[] = [];
  for (const inst of spec.resolved) {
    rules.push(
      { path: `${inst.stateDir}/openclaw.json`, perms: 'wa', key: 'openclaw-config' },
      { path: inst.envFile, perms: 'wa', key: 'openclaw-env' },
      ...spec.identity.files.map((f) => ({ path: identityFilePath(inst, f), perms: 'wa', key: 'openclaw-identity' })),
      { path: `/etc/systemd/system/${inst.unit}`, perms: 'wa', key: 'openclaw-unit' },
      { path: `/etc/systemd/system/${inst.unit}.d`, perms: 'wa', key: 'openclaw-unit' },
      { path: inst.stateDir, perms: 'a', key: 'openclaw-state' },
    );
  }
  rules.push({ path: '/etc/clawops', perms: 'wa', key: 'clawops-config' });
  return rules;
}

const RULE = /^-w (\/\S*) -p ([rwxa]+) -k ([A-Za-z0-9_-]{1,31})$/;

/** Pure: a rules file's lines, each a watch with permissions and a key; the first line that is not, named. */
export function validateAuditRules(text: string): { ok: true; rules: AuditRule[] } | { ok: false; problem: string } {
  const rules: AuditRule[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = RULE.exec(line.trim());
    if (!m) return { ok: false, problem: `line ${i + 1}: "${line}" is not -w PATH -p [rwxa]+ -k KEY` };
    if (new Set(m[2]).size !== m[2]!.length) return { ok: false, problem: `line ${i + 1}: permission repeated in "${m[2]}"` };
    rules.push({ path: m[1]!, perms: m[2]!, key: m[3]! });
  }
  return { ok: true, rules };
}

export function renderAuditRules(spec: ResolvedSpec): string {
  const text = `# Managed by clawops (baseline.auditd): \`ausearch -k KEY\` finds what touched each\n${auditRules(spec).map((r) => `-w ${r.path} -p ${r.perms} -k ${r.key}`).join('\n')}\n`;
  const v = validateAuditRules(text);
  if (!v.ok) throw new ClawopsError(`clawops rendered an invalid audit rule: ${v.problem}`, { hint: 'this is a bug in clawops' });
  return text;
}

export interface AuditState {
  container: string;
  /** `auditctl -l` as rules (undefined: auditctl not installed) */
  loaded?: AuditRule[];
  /** the rules file's text (null: none) */
  file: string | null;
}

const AUDIT_SCRIPT = `v=$(systemd-detect-virt --container 2>/dev/null); printf 'container %s\\n' "\${v:-none}"
[ "\${v:-none}" = none ] || exit 0
echo '--- file'; cat "$1" 2>/dev/null || echo NO-FILE
echo '--- loaded'
command -v auditctl >/dev/null 2>&1 || { echo NOT-INSTALLED; exit 0; }
auditctl -l 2>&1 || exit ${NOT_INSTALLED}`;

export const auditState = scriptFact<AuditState>({
  kind: 'audit',
  describe: 'the audit rules the kernel has loaded (`auditctl -l`) and clawops\' rules file',
  script: AUDIT_SCRIPT,
  parse(out) {
    const container = /^container (\S+)/.exec(out)?.[1];
    if (!container) return unknown('audit probe: no container line');
    if (container !== 'none') return { container, file: null };
    const file = /--- file\n([\s\S]*?)--- loaded\n/.exec(out)?.[1] ?? '';
    const loadedText = out.split('--- loaded\n')[1] ?? '';
    const text = file.trim() === 'NO-FILE' ? null : file;
    if (loadedText.trim() === 'NOT-INSTALLED') return { container, file: text };
    const loaded = loadedText.split('\n').flatMap((l) => {
      const r = loadedRule(l.trim());
      return r ? [r] : [];
    });
    return { container, file: text, loaded };
  },
});

/** One line of `auditctl -l`: a file watch as written, or a directory watch as the kernel lists it (`-a always,exit -F dir=... -F perm=... -F key=...`). */
export function loadedRule(line: string): AuditRule | undefined {
  const w = RULE.exec(line);
  if (w) return { path: w[1]!, perms: w[2]!, key: w[3]! };
  const field = (k: string) => new RegExp(`(?:^| )-F ${k}=(\\S+)`).exec(line)?.[1];
  const path = field('dir') ?? field('path');
  const perms = field('perm');
  const key = field('key');
  if (!/^-a always,exit /.test(line) || !path || !perms || !key) return undefined;
  return { path: path.replace(/\/$/, ''), perms, key };
}

export const auditRef = ref(auditState, AUDIT_RULES_FILE);
const same = (a: AuditRule, b: AuditRule) => a.path === b.path && a.key === b.key && [...a.perms].sort().join('') === [...b.perms].sort().join('');
export const missingRules = (want: readonly AuditRule[], loaded: readonly AuditRule[]) => want.filter((w) => !loaded.some((l) => same(w, l)));

/** Installs auditd, writes the rules and loads them, where the kernel is this host's own. */
export function auditResource(spec: ResolvedSpec): Resource {
  const text = renderAuditRules(spec);
  const want = auditRules(spec);
  return {
    id: 'audit:rules',
    kind: 'audit',
    dependsOn: [APT_ID],
    needs: () => [auditRef],
    plan(f): PlanOutcome {
      const s = known(f, auditRef);
      if (s.container !== 'none') return { noop: `a ${s.container} container: audit belongs to the host machine's kernel` };
      const missing = s.loaded ? missingRules(want, s.loaded) : want;
      if (s.file === text && missing.length === 0) return { noop: `${want.length} audit rules loaded` };
      const what = [...(s.loaded ? [] : ['install auditd']), ...(s.file === text ? [] : [`write ${AUDIT_RULES_FILE}`]), `load ${missing.length || want.length} rule(s) (augenrules --load)`];
      return { changes: [{ resourceId: 'audit:rules', kind: 'audit', action: s.file === null ? 'add' : 'change', summary: what.join(', '), diff: want.map((r) => `+-w ${r.path} -p ${r.perms} -k ${r.key}`).join('\n'), data: { install: !s.loaded } }] };
    },
    async apply(ex, change, journal) {
      if ((change.data as { install: boolean }).install) await aptInstall(ex, ['auditd'], journal);
      await journal.saveFile(ex, AUDIT_RULES_FILE);
      await ex.writeFile(AUDIT_RULES_FILE, text, { mode: 0o640, owner: 'root', group: 'root' });
      await journal.saveStep('augenrules --load (the rules in /etc/audit/rules.d)', ['augenrules', '--load']);
      await ex.run(['augenrules', '--load'], { timeoutMs: 120_000 });
    },
  };
}
