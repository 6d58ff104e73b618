/**
 * A contained host (`clawops emergency contain`) is not production-ready, whatever else passes:
 * the gate says so, with the record's time, reason and incident, and the way out.
 */
import { parseContainRecord, containRecordPath } from '../emergency/record.ts';
import { textFile } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { type CheckDef, fail, pass } from './types.ts';

export const emergencyChecks: CheckDef[] = [
  {
    id: 'host.not-contained',
    title: 'The host is not contained (clawops emergency contain)',
    area: 'host', severity: 'critical', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 10 (suspected compromise: contain, evidence, recover)',
    remediation: 'clawops emergency evidence --out FILE, then clawops emergency recover (rotate, re-apply, gate); a false alarm: clawops emergency lift',
    needs: (ctx) => [ref(textFile, containRecordPath(ctx.spec))],
    evaluate(f, ctx) {
      const path = containRecordPath(ctx.spec);
      const content = known(f, ref(textFile, path)).content;
      if (content === null) return pass('not contained');
      try {
        const r = parseContainRecord(content, path);
        return fail(r ? `contained since ${r.at}: ${r.reason}${r.incident !== null ? ` (incident #${r.incident})` : ''}; gateways ${r.instances.map((i) => i.unit).join(', ')} stopped and masked` : 'not contained');
      } catch (err) {
        return fail(`contained (${(err as Error).message})`);
      }
    },
  },
];
