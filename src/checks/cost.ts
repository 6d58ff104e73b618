/**
 * The spend budget (the runbook's "LLM provider billing budget/alerts"): OpenClaw estimates spend
 * from the model prices in its config and has no cap of its own. Over the spec's daily or monthly
 * budget this check fails (and alerts, from the check timers); with `cost.stop` the timers also
 * stop the gateway (src/openclaw/cost-stop.ts).
 */
import { openclawUsageCost } from '../facts/openclaw.ts';
import { known, ref } from '../facts/types.ts';
import { type CheckContext, type CheckDef, fail, pass, skipped } from './types.ts';

export const usageRef = (ctx: CheckContext) => ref(openclawUsageCost, `${ctx.inst.user} ${ctx.inst.home} ${ctx.inst.envFile} ${ctx.inst.bin}`);
const usd = (n: number) => `$${n.toFixed(2)}`;

export const costChecks: CheckDef[] = [
  {
    id: 'cost.budget',
    title: 'Estimated model spend is within the daily and monthly budget',
    area: 'access', severity: 'critical', profiles: ['go-live', 'credentials', 'security'], scope: 'instance',
    runbook: 'production runbook "Remaining TODO": LLM provider billing budget/alerts; hardened guide 10 (unexpected API bill)',
    remediation: 'find the sessions that spend (`oc gateway usage-cost`, `oc sessions --json`); stop the gateway if it is abuse, else raise cost.dailyUSD / cost.monthlyUSD',
    needs: (ctx) => (ctx.spec.cost.dailyUSD === undefined && ctx.spec.cost.monthlyUSD === undefined ? [] : [usageRef(ctx)]),
    evaluate(f, ctx) {
      const { dailyUSD, monthlyUSD } = ctx.spec.cost;
      if (dailyUSD === undefined && monthlyUSD === undefined) return skipped('no budget in the spec (cost.dailyUSD, cost.monthlyUSD)');
      const u = known(f, usageRef(ctx));
      const today = ctx.now.toISOString().slice(0, 10);
      const day = u.daily.filter((d) => d.date === today).reduce((a, d) => a + d.usd, 0);
      const month = u.daily.filter((d) => d.date.slice(0, 7) === today.slice(0, 7)).reduce((a, d) => a + d.usd, 0);
      const over = [
        ...(dailyUSD !== undefined && day > dailyUSD ? [`today ${usd(day)} > ${usd(dailyUSD)} a day`] : []),
        ...(monthlyUSD !== undefined && month > monthlyUSD ? [`this month ${usd(month)} > ${usd(monthlyUSD)}`] : []),
      ];
      const unpriced = u.missingCostEntries > 0 ? `; ${u.missingCostEntries} call(s) not priced (models without cost in the spec)` : '';
      if (over.length > 0) return fail(`over budget: ${over.join(', ')}${ctx.spec.cost.stop ? ' (cost.stop: the check timers stop the gateway)' : ''}${unpriced}`);
      return pass(`today ${usd(day)}${dailyUSD !== undefined ? ` of ${usd(dailyUSD)}` : ''}, this month ${usd(month)}${monthlyUSD !== undefined ? ` of ${usd(monthlyUSD)}` : ''}${unpriced}`);
    },
  },
];
