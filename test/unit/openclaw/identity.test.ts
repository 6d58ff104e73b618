import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Spec } from '../../../src/desired/schema.ts';
import { resolveSpec } from '../../../src/desired/resolve.ts';
import {
  identityIntegrity,
  planIdentity,
  parseBaseline,
  renderBaseline,
  sha256,
  type IdentityFileState,
  type IdentityState,
} from '../../../src/openclaw/identity.ts';

const spec = resolveSpec(Spec.parse({ identity: { files: ['SOUL.md', 'USER.md'] } }));
const inst = spec.resolved[0]!;
const H = sha256('soul');
const file = (over: Partial<IdentityFileState>): IdentityFileState => ({
  name: 'SOUL.md', path: '/home/openclaw-svc/.openclaw/workspace/SOUL.md', exists: true, sha256: H,
  owner: 'root', group: 'openclaw-svc', mode: '0444', baseline: H, ...over,
});
const state = (files: IdentityFileState[], baselineLocked = true): IdentityState => ({ baselinePath: '/var/lib/clawops/identity/openclaw.sha256', baselineLocked, files });
const steps = (s: IdentityState) => {
  const o = planIdentity(spec, inst, s);
  return 'changes' in o ? o.changes.map((c) => `${(c.data as { step: string }).step}:${(c.data as { name?: string }).name ?? ''}`) : o.noop;
};

describe('identity files', () => {
  it('locked and baselined: no-op (a file openclaw has not created yet is noted)', () => {
    const r = steps(state([file({}), file({ name: 'USER.md', exists: false, sha256: null, owner: null, group: null, mode: null, baseline: null })]));
    assert.match(String(r), /locked and baselined; USER.md does not exist yet/);
  });

  it('fresh workspace: SOUL.md written from the runbook, then baselined', () => {
    assert.deepEqual(steps(state([file({ exists: false, sha256: null, owner: null, group: null, mode: null, baseline: null })], false)), ['create:SOUL.md', 'baseline:']);
  });

  it('onboarding left it owned by the service user 0644: lock and baseline', () => {
    assert.deepEqual(steps(state([file({ owner: 'openclaw-svc', mode: '0644', baseline: null })], false)), ['lock:SOUL.md', 'baseline:']);
  });

  it('modified since baseline: never re-baselined by apply; the integrity read reports it', () => {
    const s = state([file({ sha256: sha256('evil') })]);
    assert.match(String(steps(s)), /differs from its baseline: not re-baselined/);
    const f = identityIntegrity(s, 'openclaw-svc');
    assert.equal(f[0]?.ok, false);
    assert.match(f[0]?.problems.join() ?? '', /modified since baseline/);
  });

  it('integrity: unlocked modes and a baseline that is not root 0600 are findings; a good file passes', () => {
    assert.deepEqual(identityIntegrity(state([file({})]), 'openclaw-svc')[0]?.problems, []);
    const bad = identityIntegrity(state([file({ mode: '0664' })], false), 'openclaw-svc')[0]?.problems.join('|') ?? '';
    assert.match(bad, /not locked: root:openclaw-svc 0664/);
    assert.match(bad, /is not root 0600/);
    assert.deepEqual(identityIntegrity(state([file({ exists: false })]), 'openclaw-svc')[0]?.problems, ['missing']);
  });

  it('baseline file round-trips in sha256sum -c format', () => {
    const m = new Map([['/w/SOUL.md', H], ['/w/USER.md', sha256('u')]]);
    const text = renderBaseline(m);
    assert.match(text, new RegExp(`^${H}  /w/SOUL.md$`, 'm'));
    assert.deepEqual(parseBaseline(text), m);
  });
});
