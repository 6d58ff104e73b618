/** The human view of a plan: Terraform-like, with diffs, ending in `Plan: N to add, N to change, N to remove.` */
import type { Style } from '../views/style.ts';
import type { Plan } from './types.ts';

const SIGN = { add: '+', change: '~', remove: '-' } as const;

export function formatPlan(plan: Plan, s: Style, opts: { verbose?: boolean } = {}): string[] {
  const lines: string[] = [`clawops plan for ${plan.target} (spec ${plan.specSource}, ${plan.specHash.slice(0, 19)}…)`, ''];
  const unchanged = plan.resources.filter((r) => r.changes.length === 0 && r.deferred === undefined);
  for (const r of plan.resources) {
    if (r.deferred !== undefined) lines.push(`  ${s.yellow('?')} ${s.bold(r.id)}: known after apply: ${r.deferred}`);
    for (const c of r.changes) {
      const color = c.action === 'add' ? s.green : c.action === 'remove' ? s.red : s.yellow;
      lines.push(`  ${color(SIGN[c.action])} ${s.bold(r.id)}: ${c.summary}`);
      if (c.diff) {
        for (const d of c.diff.split('\n')) {
          const col = d.startsWith('+') && !d.startsWith('+++') ? s.green : d.startsWith('-') && !d.startsWith('---') ? s.red : s.dim;
          lines.push(`      ${col(d)}`);
        }
      }
    }
  }
  if (unchanged.length > 0) {
    if (opts.verbose) for (const r of unchanged) lines.push(s.dim(`  = ${r.id}: ${r.noop ?? 'no change'}`));
    else lines.push(s.dim(`  ${unchanged.length} resource${unchanged.length === 1 ? '' : 's'} already as wanted`));
  }
  const deferred = plan.resources.filter((r) => r.deferred !== undefined).length;
  lines.push('');
  if (deferred) lines.push(`${deferred} resource${deferred === 1 ? '' : 's'} will be read and planned during apply, after ${deferred === 1 ? 'its' : 'their'} dependencies.`);
  lines.push(planTotals(plan));
  return lines;
}

export function planTotals(plan: Plan): string {
  const { add, change, remove } = plan.summary;
  return `Plan: ${add} to add, ${change} to change, ${remove} to remove.`;
}
