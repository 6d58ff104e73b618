/** Locked identity files (SOUL.md, ...): root:<user> 0444, matching the baseline. */
import { identityBaselinePath, inventoryBaselinePath, workspaceDir } from '../facts/paths.ts';
import { inventoryDrift, parseInventory } from '../facts/inventory.ts';
import { inventoryRef } from '../openclaw/inventory.ts';
import { fileHash, fileStat, textFile } from '../facts/system.ts';
import { ref, known } from '../facts/types.ts';
import { parseBaseline } from '../openclaw/identity.ts';
import { describeStat, isMissing, octal } from './helpers.ts';
import { type CheckContext, type CheckDef, fail, pass } from './types.ts';

const files = (ctx: CheckContext) => ctx.spec.identity.files.map((n) => `${workspaceDir(ctx.inst)}/${n}`);

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
        const s = known(f, ref(fileStat, p));
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
    remediation: 'manual: restore the file from a snapshot, or (an intended edit) delete its baseline line and run clawops apply to re-baseline',
    needs: (ctx) => [...files(ctx).map((p) => ref(fileHash, p)), ref(textFile, identityBaselinePath(ctx.spec, ctx.inst)), ref(fileStat, identityBaselinePath(ctx.spec, ctx.inst))],
    evaluate(f, ctx) {
      const bpath = identityBaselinePath(ctx.spec, ctx.inst);
      const text = known(f, ref(textFile, bpath)).content;
      if (text === null) return fail(`no baseline at ${bpath}`, 'clawops apply (identity step) records the baseline');
      const bstat = known(f, ref(fileStat, bpath));
      if (!isMissing(bstat) && (bstat.owner !== 'root' || (bstat.mode & 0o022) !== 0)) return fail(`baseline ${describeStat(bstat)} is writable by someone other than root`, `chown root:root ${bpath} && chmod 644 ${bpath}`);
      const base = parseBaseline(text);
      const changed: string[] = [];
      for (const p of files(ctx)) {
        const h = known(f, ref(fileHash, p));
        const want = base.get(p);
        if (!want) changed.push(`${p} not in the baseline`);
        else if ('missing' in h) changed.push(`${p} missing`);
        else if (h.sha256 !== want) changed.push(`${p} sha256 ${h.sha256.slice(0, 12)}… != baseline ${want.slice(0, 12)}…`);
      }
      if (changed.length) return fail(changed.join('; '), `manual: restore the file from a snapshot (\`clawops backup restore SNAPSHOT --to DIR\`, then copy it back); if the edit is intended, delete its line from ${bpath} and run \`clawops apply\` (the identity step records the new sha256)`);
      return pass(`${files(ctx).length} file(s) match ${bpath}`);
    },
  },
  {
    id: 'identity.extensions',
    title: 'Skills, plugins and hooks the agent can load match the root-owned inventory (a new one is a finding)',
    area: 'identity', severity: 'critical', profiles: ['go-live', 'integrity'], scope: 'instance',
    runbook: 'hardened guide 5.4 and 9 (ClawHavoc: never install skills or plugins without review; review installed skills)',
    remediation: 'manual: remove what you did not install; to accept what is there now, remove the inventory and run clawops apply',
    needs: (ctx) => [inventoryRef(ctx.inst), ref(textFile, inventoryBaselinePath(ctx.spec, ctx.inst)), ref(fileStat, inventoryBaselinePath(ctx.spec, ctx.inst))],
    evaluate(f, ctx) {
      const bpath = inventoryBaselinePath(ctx.spec, ctx.inst);
      const inv = known(f, inventoryRef(ctx.inst));
      const text = known(f, ref(textFile, bpath)).content;
      if (text === null) return fail(`no inventory at ${bpath} (${inv.entries.length} skills, plugins and hooks now)`, 'clawops apply (records the inventory)');
      const bstat = known(f, ref(fileStat, bpath));
      if (!isMissing(bstat) && (bstat.owner !== 'root' || (bstat.mode & 0o077) !== 0)) return fail(`inventory ${describeStat(bstat)} is not root 0600`, 'clawops apply (puts it back to root 0600)');
      const d = inventoryDrift(inv.entries, parseInventory(text));
      const found = [
        ...d.added.map((e) => `new ${e.where}: ${e.path}`),
        ...d.changed.map((e) => `changed ${e.where}: ${e.path}`),
        ...d.removed.map((k) => `removed ${k}`),
      ];
      if (found.length === 0) return pass(`${inv.entries.length} skill(s), plugin(s) and hook(s) match ${bpath}`);
      const paths = [...d.added, ...d.changed].map((e) => e.path);
      return fail(
        found.join('; '),
        `manual: review ${paths.length ? paths.join(', ') : 'the removals'}; what you did not install: remove it (\`rm -rf -- PATH\`) and find out how it got there (a skill runs with the agent's tools); to accept what is there now: \`rm ${bpath} && clawops apply\` (records the current inventory)`,
      );
    },
  },
];
