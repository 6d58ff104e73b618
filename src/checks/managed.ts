/**
 * The files clawops writes without a dedicated check (jail.local, 20auto-upgrades, the timer units,
 * the `oc` wrapper, the DOCKER-USER persist unit, /etc/clawops/clawops.yaml, ...) and the clawops
 * launcher. The gate judges each file with the plan of the resource that writes it, from the same
 * fact, so a file apply would rewrite is a file the gate fails: the two cannot disagree.
 */
import { desiredResources } from '../engine/registry.ts';
import type { PlanOutcome, Resource } from '../engine/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { DEFAULT_CLAWOPS_BIN } from '../openclaw/timers.ts';
import { known, ref } from '../facts/types.ts';
import { isFileResource } from '../resources/file.ts';
import { INSTALL_BASE, launcherTarget, selfState } from '../resources/self.ts';
import { fail, pass, skipped, type CheckDef } from './types.ts';

const bySpec = new WeakMap<ResolvedSpec, Resource[]>();
function managedFiles(spec: ResolvedSpec): Resource[] {
  let files = bySpec.get(spec);
  if (!files) bySpec.set(spec, (files = desiredResources(spec).filter(isFileResource)));
  return files;
}

const SELF = `${INSTALL_BASE}\n${DEFAULT_CLAWOPS_BIN}`;

export const managedChecks: CheckDef[] = [
  {
    id: 'host.managed-files',
    title: 'Every file clawops writes has the content, owner and mode apply gives it',
    area: 'host', severity: 'warn', profiles: ['go-live', 'integrity'], scope: 'host',
    runbook: 'production runbook 6 (drift: the host stays as applied)',
    remediation: 'clawops apply (rewrites each listed file; `clawops plan` shows the diff)',
    needs: (ctx) => managedFiles(ctx.spec).flatMap((r) => [...r.needs()]),
    evaluate(f, ctx) {
      const files = managedFiles(ctx.spec);
      const drifted = files.flatMap((r) => {
        const o = r.plan(f) as PlanOutcome; // a file's plan is synchronous (resources/file.ts)
        return 'changes' in o ? o.changes.map((c) => c.summary) : [];
      });
      if (drifted.length) return fail(drifted.join('; '));
      return pass(`${files.length} file(s) as applied`);
    },
  },
  {
    id: 'host.clawops-installed',
    title: 'clawops is installed on the target and its launcher runs it (the check timers need it)',
    area: 'host', severity: 'warn', profiles: ['go-live', 'integrity'], scope: 'host',
    runbook: 'production runbook 6 (the check timers run clawops on the host)',
    remediation: `clawops apply (installs clawops under ${INSTALL_BASE} and links ${DEFAULT_CLAWOPS_BIN})`,
    needs: (ctx) => (ctx.spec.clawops.install ? [ref(selfState, SELF)] : []),
    evaluate(f, ctx) {
      if (!ctx.spec.clawops.install) return skipped('clawops.install is false in the spec');
      const s = known(f, ref(selfState, SELF));
      if (!s.installed) return fail(`no clawops installed under ${INSTALL_BASE}`);
      if (s.bin.type !== 'symlink' || s.bin.target !== launcherTarget()) {
        return fail(`${DEFAULT_CLAWOPS_BIN} is ${s.bin.type === 'symlink' ? `a link to ${s.bin.target}` : s.bin.type}, not a link to ${launcherTarget()}`);
      }
      return pass(`clawops ${s.installed.version}; ${DEFAULT_CLAWOPS_BIN} -> ${launcherTarget()}`);
    },
  },
];
