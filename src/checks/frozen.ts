/** After `clawops signoff`: the signed-off state holds (ledger/frozen.ts says what is frozen and how it is read). */
import { textFile } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { frozenDigests, frozenDrift, frozenPath, frozenRefs, parseFrozen } from '../ledger/frozen.ts';
import { type CheckDef, fail, pass, skipped, unknownV } from './types.ts';

export const frozenChecks: CheckDef[] = [
  {
    id: 'config.frozen',
    title: 'Nothing the go-live sign-off froze has changed since (spec, unit, OpenClaw settings, identity, firewall)',
    area: 'monitoring', severity: 'warn', profiles: ['go-live', 'integrity'], scope: 'host',
    runbook: 'production runbook week 4 (go-live sign-off, frozen config)',
    remediation: 'an unreviewed change: put the signed-off state back (`clawops apply` with the signed-off spec; identity files from a snapshot); a reviewed one: `clawops signoff` again',
    needs: (ctx) => [ref(textFile, frozenPath(ctx.spec.stateDir)), ...frozenRefs(ctx.spec)],
    evaluate(f, ctx) {
      const path = frozenPath(ctx.spec.stateDir);
      const text = known(f, ref(textFile, path)).content;
      if (text === null) return skipped(`not signed off yet (${path} absent): \`clawops signoff\` freezes the state after the burn-in`);
      const rec = parseFrozen(text);
      if (!rec) return fail(`${path} is not a sign-off record clawops can read`, 'run `clawops signoff` again (it rewrites the record)');
      const d = frozenDrift(rec, frozenDigests(f, ctx.spec));
      const parts = [
        ...(d.changed.length ? [`changed since the sign-off of ${rec.signedOffAt}: ${d.changed.join(', ')}`] : []),
        ...(d.added.length ? [`not covered by the sign-off (the spec manages more now): ${d.added.join(', ')}`] : []),
        ...(d.dropped.length ? [`signed off but no longer managed: ${d.dropped.join(', ')}`] : []),
      ];
      const unread = d.unknown.length ? `could not be read: ${d.unknown.join(', ')}` : '';
      if (parts.length) return fail([...parts, ...(unread ? [unread] : [])].join('; '));
      if (unread) return unknownV(unread);
      return pass(`${Object.keys(rec.digests).length} items as signed off at ${rec.signedOffAt} by ${rec.by}`);
    },
  },
];
