/** Locked identity files (SOUL.md, ...): root:<user> 0444, matching the baseline. */
import { identityBaselinePath, workspaceDir } from '../facts/paths.ts';
import { fileHash, fileStat, textFile } from '../facts/system.ts';
import { ref } from '../facts/types.ts';
import { describeStat, isMissing, need, octal } from './helpers.ts';
import { type CheckContext, type CheckDef, fail, pass } from './types.ts';

const files = (ctx: CheckContext) => ctx.spec.identity.files.map((n) => `${workspaceDir(ctx.inst)}/${n}`);

/** `<hex>  <path>` lines. */
export function parseBaseline(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (m) out.set(m[2] ?? '', m[1] ?? '');
  }
  return out;
}

export const identityChecks: CheckDef[] = [
  {
    id: 'identity.locked',
    title: 'Identity files (SOUL.md, ...) are root:<service user> 0444',
    area: 'identity', severity: 'critical', profiles: ['go-live', 'integrity'], scope: 'instance',
    runbook: 'hardened guide 5.5 (chown root:openclaw-svc SOUL.md; chmod 444); checklist "SOUL.md locked"',
    remediation: 'clawops apply (identity step)',
    needs: (ctx) => files(ctx).map((p) => ref(fileStat, p)),
    evaluate(f, ctx) {
      const bad: string[] = [];
      const fixes: string[] = [];
      const ok: string[] = [];
      for (const p of files(ctx)) {
        const s = need(f, ref(fileStat, p));
        if (isMissing(s)) {
          bad.push(`${p} missing`);
          fixes.push(`clawops apply (identity step) creates ${p}`);
        } else if (s.type !== 'file' || s.owner !== 'root' || s.group !== ctx.inst.user || s.mode !== 0o444) {
          bad.push(`${describeStat(s)} (want root:${ctx.inst.user} 444)`);
          fixes.push(`chown root:${ctx.inst.user} ${p} && chmod 444 ${p}`);
        } else ok.push(`${p} ${octal(s.mode)} ${s.owner}:${s.group}`);
      }
      if (bad.length) return fail(bad.join('; '), fixes.join(' && '));
      return pass(ok.join('; '));
    },
  },
  {
    id: 'identity.baseline',
    title: 'Identity files match their root-owned sha256 baseline',
    area: 'identity', severity: 'critical', profiles: ['go-live', 'integrity'], scope: 'instance',
    runbook: 'hardened guide 5.5 (sha256sum baseline), 9 (SOUL.md integrity check cron)',
    remediation: 'restore the file from backup (or review the change and re-baseline with clawops apply, identity step)',
    needs: (ctx) => [...files(ctx).map((p) => ref(fileHash, p)), ref(textFile, identityBaselinePath(ctx.spec, ctx.inst)), ref(fileStat, identityBaselinePath(ctx.spec, ctx.inst))],
    evaluate(f, ctx) {
      const bpath = identityBaselinePath(ctx.spec, ctx.inst);
      const text = need(f, ref(textFile, bpath)).content;
      if (text === null) return fail(`no baseline at ${bpath}`, 'clawops apply (identity step) records the baseline');
      const bstat = need(f, ref(fileStat, bpath));
      if (!isMissing(bstat) && (bstat.owner !== 'root' || (bstat.mode & 0o022) !== 0)) return fail(`baseline ${describeStat(bstat)} is writable by someone other than root`, `chown root:root ${bpath} && chmod 644 ${bpath}`);
      const base = parseBaseline(text);
      const changed: string[] = [];
      for (const p of files(ctx)) {
        const h = need(f, ref(fileHash, p));
        const want = base.get(p);
        if (!want) changed.push(`${p} not in the baseline`);
        else if ('missing' in h) changed.push(`${p} missing`);
        else if (h.sha256 !== want) changed.push(`${p} sha256 ${h.sha256.slice(0, 12)}… != baseline ${want.slice(0, 12)}…`);
      }
      if (changed.length) return fail(changed.join('; '), 'restore the file from backup (`clawops backup restore`), or if the edit is intended: clawops apply (identity step) re-baselines');
      return pass(`${files(ctx).length} file(s) match ${bpath}`);
    },
  },
];
