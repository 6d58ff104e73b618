/** Table-driven UFW planning: recorded facts in (through the facts' own parsers), changes out. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ClawopsError } from '../../../src/core/errors.ts';
import type { PlannedChange } from '../../../src/engine/types.ts';
import { RecorderExecutor } from '../../helpers/exec/recorder.ts';
import { planUfw, type UfwChangeData, type UfwState } from '../../../src/firewall/ufw-plan.ts';
import { parseUfwRule } from '../../../src/firewall/ufw-rules.ts';
import { ufwNeeds, ufwState } from '../../../src/resources/firewall/ufw.ts';
import { cmdRaw, factsFromRaw, fileRaw } from '../../helpers/facts.ts';
import { Spec } from '../../../src/desired/schema.ts';

const fx = (f: string): string => readFileSync(new URL(`../../fixtures/firewall/${f}`, import.meta.url), 'utf8');
const HOST_DEFAULT_UFW = 'DEFAULT_INPUT_POLICY="DROP"\nDEFAULT_OUTPUT_POLICY="ACCEPT"\nDEFAULT_FORWARD_POLICY="DROP"\n';

interface Facts {
  status: string;
  added: string;
  defaults: string;
  sessions: string;
}
const FRESH: Facts = { status: 'ufw-status-inactive.txt', added: 'ufw-show-added-none.txt', defaults: HOST_DEFAULT_UFW, sessions: 'session-probe-mgmt.txt' };
const MIXED: Facts = { status: 'ufw-status-verbose-mixed.txt', added: 'ufw-show-added-mixed.txt', defaults: fx('default-ufw-deny-outgoing.txt'), sessions: 'session-probe-mgmt.txt' };

async function facts(f: Facts): Promise<UfwState> {
  const [status, added, defaults, sessions] = ufwNeeds();
  return ufwState(factsFromRaw([
    [status!, cmdRaw(fx(f.status))],
    [added!, cmdRaw(fx(f.added))],
    [defaults!, fileRaw(f.defaults)],
    [sessions!, cmdRaw(fx(f.sessions))],
  ]));
}

function input(firewall: Record<string, unknown> = {}, instances = 1) {
  const spec = Spec.parse({ firewall, instances: Array.from({ length: instances }, (_, i) => ({ name: `oc${i}` })) });
  return { firewall: spec.firewall, gatewayPorts: spec.instances.map((_, i) => 18789 + i) };
}

/** What applying the changes does to the facts (ufw's own semantics: same match = same rule). */
function applyModel(s: UfwState, changes: PlannedChange[]): UfwState {
  const next: UfwState = structuredClone(s);
  for (const c of changes) {
    const d = c.data as unknown as UfwChangeData;
    const [, ...args] = d.argv;
    if (d.op === 'add' || d.op === 'update') {
      const ci = args.indexOf('comment');
      const text = args.slice(0, ci).join(' ');
      const key = parseUfwRule(text)?.key;
      next.rules = next.rules.filter((r) => parseUfwRule(r)?.key !== key);
      next.rules.push(`ufw ${text} comment '${args[ci + 1]}'`);
    } else if (d.op === 'delete') {
      const key = parseUfwRule(args.slice(1).join(' '))?.key;
      next.rules = next.rules.filter((r) => parseUfwRule(r)?.key !== key);
    } else if (d.op === 'default') {
      next.defaults[args[2] as 'incoming'] = args[1] as 'deny';
    } else if (d.op === 'enable') next.active = true;
  }
  return next;
}

const cases: { name: string; facts: Facts; spec?: Record<string, unknown>; instances?: number; want: string[] }[] = [
  {
    name: 'fresh host, standard outbound: safety net first, then management, then enable',
    facts: FRESH,
    want: ['add ufw allow 22/tcp', 'add ufw allow in on tailscale0', 'change ufw --force enable'],
  },
  {
    name: 'fresh host, hardened outbound: the runbook allow list before deny outgoing',
    facts: FRESH,
    spec: { outbound: 'hardened', managementInterfaces: ['tailscale0', 'wg0'] },
    want: [
      'add ufw allow 22/tcp', 'add ufw allow in on tailscale0', 'add ufw allow in on wg0', 'add ufw allow out on tailscale0',
      'add ufw allow out on wg0', 'add ufw allow out 443/tcp', 'add ufw allow out 80/tcp', 'add ufw allow out 41641/udp',
      'add ufw allow out 53', 'change ufw default deny outgoing', 'change ufw --force enable',
    ],
  },
  {
    name: 'hand rules: gateway openers and stale managed rules removed, others kept',
    facts: MIXED,
    want: [
      'change ufw default allow outgoing',
      'remove ufw delete allow out 443/tcp (no longer in the spec)',
      'remove ufw delete allow from 10.0.0.0/8 to any port 18789 proto tcp (opens gateway port 18789 outside tailscale0)',
      'remove ufw delete allow in on eth0 to any port 18789 (opens gateway port 18789 outside tailscale0)',
      'remove ufw delete allow out on wg0 (no longer in the spec)',
    ],
  },
  {
    name: 'safety net off, only a tailscale0 session: removed last',
    facts: MIXED,
    spec: { sshSafetyNet: false, outbound: 'hardened', managementInterfaces: ['tailscale0', 'wg0'] },
    want: [
      'add ufw allow in on wg0', 'add ufw allow out on tailscale0', 'add ufw allow out 80/tcp', 'add ufw allow out 41641/udp', 'add ufw allow out 53',
      'remove ufw delete allow from 10.0.0.0/8 to any port 18789 proto tcp (opens gateway port 18789 outside tailscale0,wg0)',
      'remove ufw delete allow in on eth0 to any port 18789 (opens gateway port 18789 outside tailscale0,wg0)',
      'remove ufw delete allow 22/tcp (SSH safety net no longer needed)',
    ],
  },
  {
    name: 'a second instance: its port counts as a gateway port',
    facts: { ...FRESH, status: 'ufw-status-verbose-mixed.txt', added: 'ufw-show-added-mixed.txt' },
    instances: 2,
    want: [
      'remove ufw delete allow out 443/tcp (no longer in the spec)',
      'remove ufw delete allow from 10.0.0.0/8 to any port 18789 proto tcp (opens gateway port 18789,18790 outside tailscale0)',
      'remove ufw delete allow in on eth0 to any port 18789 (opens gateway port 18789,18790 outside tailscale0)',
      'remove ufw delete allow out on wg0 (no longer in the spec)',
    ],
  },
];

describe('ufw plan', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const state = await facts(c.facts);
      const inp = input(c.spec, c.instances);
      const out = planUfw(state, inp);
      assert.ok('changes' in out, JSON.stringify(out));
      assert.deepEqual(out.changes.map((ch) => `${ch.action} ${ch.summary}`), c.want);
      // idempotency: the state after these changes plans nothing
      const again = planUfw(applyModel(state, out.changes), inp);
      assert.ok('noop' in again, JSON.stringify(again));
    });
  }

  it('hand rules that stay are named in the no-op reason', async () => {
    const state = await facts(MIXED);
    const inp = input();
    const out = planUfw(state, inp);
    assert.ok('changes' in out);
    const again = planUfw(applyModel(state, out.changes), inp);
    assert.ok('noop' in again);
    assert.match(again.noop, /3 rule\(s\) added by hand left alone: allow 8080\/tcp; allow in on tailscale0 to any port 18789 proto tcp; deny 3306/);
  });

  it('refuses to remove the safety net while an SSH session comes in on port 22 outside tailscale0', async () => {
    const state = await facts({ ...MIXED, sessions: 'session-probe-public.txt' });
    assert.throws(
      () => planUfw(state, input({ sshSafetyNet: false })),
      (e: unknown) =>
        e instanceof ClawopsError &&
        /refusing to remove the SSH safety net/.test(e.message) &&
        /198\.51\.100\.2 -> 198\.51\.100\.1:22 \(eth0\)/.test(e.message) &&
        /tailscale0/.test(e.hint ?? ''),
    );
  });

  it('a hand "limit 22/tcp" is the safety net already: nothing added, no duplicate', () => {
    const state: UfwState = {
      installed: true, active: true, defaults: { incoming: 'deny', outgoing: 'allow', routed: 'deny' },
      rules: ["ufw limit 22/tcp comment 'rate-limit ssh'", "ufw allow in on tailscale0 comment 'clawops'"], sshSessions: [],
    };
    assert.deepEqual(planUfw(state, input()), { noop: "ufw is active with the spec's defaults and rules" });
  });

  it('a hand "deny in on tailscale0" is replaced in place (guarded), not duplicated', () => {
    const state: UfwState = {
      installed: true, active: true, defaults: { incoming: 'deny', outgoing: 'allow', routed: 'deny' },
      rules: ["ufw allow 22/tcp comment 'clawops: ssh safety net'", 'ufw deny in on tailscale0'], sshSessions: [],
    };
    const out = planUfw(state, input());
    assert.ok('changes' in out);
    assert.equal(out.changes.length, 1);
    const d = out.changes[0]?.data as unknown as UfwChangeData;
    assert.deepEqual([out.changes[0]?.action, d.op, d.guarded, d.argv], ['change', 'update', true, ['ufw', 'allow', 'in', 'on', 'tailscale0', 'comment', 'clawops']]);
  });

  it('ufw not installed yet: planned as a fresh host', () => {
    const state: UfwState = { installed: false, active: false, defaults: { incoming: null, outgoing: null, routed: null }, rules: [], sshSessions: [] };
    const out = planUfw(state, input());
    assert.ok('changes' in out);
    assert.deepEqual(out.changes.map((c) => c.summary).slice(2), ['ufw default deny incoming', 'ufw default allow outgoing', 'ufw default deny routed', 'ufw --force enable']);
  });

  it('only adding allow rules is unguarded; every undo is recorded', async () => {
    const out = planUfw(await facts(MIXED), input({ sshSafetyNet: false }));
    assert.ok('changes' in out);
    for (const c of out.changes) {
      const d = c.data as unknown as UfwChangeData;
      assert.equal(d.guarded, d.op !== 'add', c.summary);
      assert.ok(d.undo && d.undo[0] === 'ufw', c.summary);
    }
  });
});

describe('clawops render ufw', () => {
  it('lists the commands in apply order: safety net, allow rules, defaults, enable', async () => {
    const { renderUfwRules } = await import('../../../src/resources/firewall/index.ts');
    const { resolveSpec } = await import('../../../src/desired/resolve.ts');
    const lines = renderUfwRules(resolveSpec(Spec.parse({}))).trim().split('\n').slice(1);
    assert.deepEqual(lines, [
      "ufw allow 22/tcp comment 'clawops: ssh safety net'",
      'ufw allow in on tailscale0 comment clawops',
      'ufw default deny incoming',
      'ufw default allow outgoing',
      'ufw default deny routed',
      'ufw --force enable',
    ]);
  });
});
