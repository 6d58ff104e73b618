/** The DOCKER-USER chain resource: the chain, its one FORWARD jump, and its boot-time persistence. */
import type { Journal, JsonValue, PlannedChange, PlanOutcome, Resource } from '../../engine/types.ts';
import type { Executor } from '../../exec/types.ts';
import {
  CHAIN,
  chainRestoreInput,
  desiredChain,
  FORWARD_JUMP_SCRIPT,
  PERSIST_UNIT_PATH,
  PERSIST_WANTS_PATH,
  renderPersistUnit,
} from '../../firewall/docker-user.ts';
import { withGuard, type GuardOptions } from '../../firewall/guard.ts';
import { dockerUserChain } from '../../facts/firewall.ts';
import { fileStat, fileState } from '../../facts/system.ts';
import { type FactReader, type FactRef, known, ref } from '../../facts/types.ts';

export const DOCKER_USER_RESOURCE_ID = 'iptables:DOCKER-USER';

export type DockerUserState = {
  chainExists: boolean;
  /** `-A DOCKER-USER ...` lines in order */
  chain: string[];
  /** FORWARD rules jumping to the chain, and whether the first FORWARD rule is one */
  forwardJumps: number;
  jumpFirst: boolean;
  /** the persistence unit's text, or null when missing */
  unit: string | null;
  /** enabled at boot (multi-user.target.wants link present) */
  enabled: boolean;
};

type Op = 'chain' | 'jump' | 'unit' | 'enable';
type Data = { op: Op; input?: string; undoInput?: string };

/** The chain as the plan sees it: the gate's `iptables -S` fact, the unit file and its wants link. */
export const dockerUserNeeds = () => [ref(dockerUserChain), ref(fileState, PERSIST_UNIT_PATH), ref(fileStat, PERSIST_WANTS_PATH)];

export function dockerUserState(f: FactReader): DockerUserState {
  const c = known(f, ref(dockerUserChain));
  const unit = known(f, ref(fileState, PERSIST_UNIT_PATH));
  return {
    chainExists: c.exists,
    chain: c.exists ? c.rules.map((r) => r.text) : [],
    forwardJumps: c.exists ? (c.forwardJumps ?? 0) : 0,
    jumpFirst: c.exists && c.jumpFirst === true,
    unit: unit.exists ? unit.text : null,
    enabled: !('missing' in known(f, ref(fileStat, PERSIST_WANTS_PATH))),
  };
}

const lines = (prefix: string, ls: readonly string[]): string[] => ls.map((l) => `${prefix} ${l}`);

export function planDockerUser(s: DockerUserState, mgmt: readonly string[]): PlanOutcome {
  const want = desiredChain(mgmt);
  const out: PlannedChange[] = [];
  const c = (action: PlannedChange['action'], summary: string, data: Data, diff: string): void => {
    out.push({ resourceId: DOCKER_USER_RESOURCE_ID, kind: 'iptables-chain', action, summary, diff, data: data as JsonValue });
  };
  if (!s.chainExists || s.chain.join('\n') !== want.join('\n')) {
    const why = !s.chainExists ? 'create' : s.chain.length > want.length ? 'repair (duplicates or extra rules)' : 'repair';
    c(s.chainExists ? 'change' : 'add', `${why} chain ${CHAIN}: lo, ${mgmt.join(', ')}, established, then DROP`, {
      op: 'chain',
      input: chainRestoreInput(mgmt),
      undoInput: ['*filter', `:${CHAIN} - [0:0]`, ...s.chain, 'COMMIT', ''].join('\n'),
    }, [...lines('-', s.chain), ...lines('+', want)].join('\n'));
  }
  if (s.forwardJumps !== 1 || !s.jumpFirst) {
    c(s.forwardJumps === 0 ? 'add' : 'change', `exactly one FORWARD jump to ${CHAIN}, first (found ${s.forwardJumps})`, { op: 'jump' }, `+ -I FORWARD 1 -j ${CHAIN}`);
  }
  const unit = renderPersistUnit(mgmt);
  if (s.unit !== unit) {
    c(s.unit === null ? 'add' : 'change', `persist ${CHAIN} at boot: ${PERSIST_UNIT_PATH}`, { op: 'unit', input: unit }, lines('+', unit.trimEnd().split('\n')).join('\n'));
  }
  if (!s.enabled) {
    c('add', `enable ${PERSIST_UNIT_PATH} at boot`, { op: 'enable' }, `+ ${PERSIST_WANTS_PATH}`);
  }
  return out.length ? { changes: out } : { noop: `${CHAIN} holds exactly lo, ${mgmt.join(', ')}, established, DROP; jumped to once; persisted` };
}

export class DockerUserResource implements Resource {
  readonly id = DOCKER_USER_RESOURCE_ID;
  readonly kind = 'iptables-chain';
  readonly dependsOn: readonly string[];
  private readonly mgmt: readonly string[];
  private readonly guard: Omit<GuardOptions, 'files'>;
  constructor(mgmt: readonly string[], guard: Omit<GuardOptions, 'files'>, dependsOn: readonly string[] = []) {
    this.mgmt = mgmt;
    this.guard = guard;
    this.dependsOn = dependsOn;
  }

  needs(): FactRef<unknown>[] {
    return dockerUserNeeds();
  }

  plan(f: FactReader): PlanOutcome {
    return planDockerUser(dockerUserState(f), this.mgmt);
  }

  async apply(ex: Executor, change: PlannedChange, journal: Journal): Promise<void> {
    const d = change.data as Data;
    const guarded = (fn: () => Promise<unknown>): Promise<unknown> => withGuard(ex, { ...this.guard, files: [] }, change.summary, fn);
    switch (d.op) {
      case 'chain':
        await journal.saveStep(change.summary, ['sh', '-c', 'printf %s "$1" | iptables-restore -w --noflush', 'sh', d.undoInput ?? '']);
        await guarded(() => ex.run(['iptables-restore', '-w', '--noflush'], { stdin: d.input ?? '' }));
        return;
      case 'jump':
        await journal.saveStep(change.summary, null);
        await guarded(() => ex.run(['sh', '-c', FORWARD_JUMP_SCRIPT]));
        return;
      case 'unit':
        await journal.saveFile(ex, PERSIST_UNIT_PATH);
        await ex.writeFile(PERSIST_UNIT_PATH, d.input ?? '', { mode: 0o644, owner: 'root', group: 'root' });
        await reloadSystemd(ex);
        return;
      case 'enable':
        await journal.saveStep(change.summary, ['rm', '-f', PERSIST_WANTS_PATH]);
        await ex.run(['sh', '-c', 'mkdir -p "$(dirname "$2")" && ln -sfn "$1" "$2"', 'sh', PERSIST_UNIT_PATH, PERSIST_WANTS_PATH]);
        await reloadSystemd(ex);
        return;
    }
  }
}

/** daemon-reload only where systemd is PID 1 (not in a chroot or a namespace test). */
async function reloadSystemd(ex: Executor): Promise<void> {
  await ex.run(['sh', '-c', 'if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi']);
}
