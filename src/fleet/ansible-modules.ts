/**
 * The Ansible collection's modules (ansible/clawops/gateway): what each one takes and does. The
 * module files Ansible copies to a host are thin shims generated from these definitions
 * (`npm run docs` -> scripts/gen-ansible.ts); on the host they run `clawops ansible NAME ARGS`,
 * which reads Ansible's JSON arguments, runs the clawops CLI there with `--json` and maps its
 * exit code and output to the module result (src/fleet/ansible-run.ts).
 */

import { DEFAULT_CLAWOPS_BIN, DEFAULT_SPEC_PATH } from '../openclaw/timers.ts';

export type ModuleName = 'check' | 'apply' | 'backup' | 'upgrade';

export interface ModuleOption {
  type: 'str' | 'bool' | 'int' | 'list' | 'path';
  description: string;
  required?: boolean;
  default?: string | number | boolean;
  choices?: readonly string[];
  elements?: 'str';
}

export interface ModuleDef {
  name: ModuleName;
  short: string;
  description: readonly string[];
  /** what `--check` does (the generated docs say it) */
  checkMode: string;
  options: Readonly<Record<string, ModuleOption>>;
  returns: Readonly<Record<string, { description: string; type: string; returned: string }>>;
  example: string;
}


const COMMON: Readonly<Record<string, ModuleOption>> = {
  spec: { type: 'path', default: DEFAULT_SPEC_PATH, description: 'the spec on the host (the clawops role places it here)' },
  clawops_bin: { type: 'path', default: DEFAULT_CLAWOPS_BIN, description: 'the clawops launcher on the host (the clawops role installs it here)' },
};

const WAIT: ModuleOption = { type: 'int', description: "seconds to wait for the host lock when another clawops command holds it (default: clawops' own)" };

export const MODULES: readonly ModuleDef[] = [
  {
    name: 'check',
    short: 'Run the clawops go-live gate (or one profile) on the host',
    description: [
      'Runs `clawops check --format json` on the host and returns its report.',
      'Fails when the gate fails, naming each blocking check with its evidence and fix; `unknown` (could not be verified) fails unless allow_unknown.',
      'Never changes the host.',
    ],
    checkMode: 'full: the gate is read-only; in check mode it also does not record the known-good OpenClaw version',
    options: {
      ...COMMON,
      profile: { type: 'str', default: 'go-live', choices: ['go-live', 'health', 'security', 'credentials', 'restart', 'backup', 'integrity'], description: 'which checks' },
      only: { type: 'list', elements: 'str', description: 'only these check ids' },
      fail_on: { type: 'str', default: 'critical', choices: ['critical', 'warn'], description: 'the lowest severity that fails the gate' },
      allow_unknown: { type: 'bool', default: false, description: 'unknown results do not fail the gate (they are still never a pass)' },
      waivers: { type: 'path', description: 'a waivers file on the host (default: monitoring.waiversFile of the spec)' },
    },
    returns: {
      gate: { description: '`pass` or `fail`', type: 'str', returned: 'when the gate ran' },
      summary: { description: 'counts by status and how many block', type: 'dict', returned: 'when the gate ran' },
      blocking: { description: 'the checks that fail the gate: id, instance, severity, status, evidence, remediation', type: 'list', returned: 'when the gate ran' },
      report: { description: 'the whole `clawops check --format json` report', type: 'dict', returned: 'when the gate ran' },
    },
    example: `- name: the go-live gate
  clawops.gateway.clawops_check:
    only: [service.active, network.loopback-only]`,
  },
  {
    name: 'apply',
    short: 'Make the host match its clawops spec (journaled, undoable)',
    description: [
      'Runs `clawops apply --yes --json` on the host: `changed` exactly when the plan had changes; the journal id is returned (`clawops undo` on the host restores it).',
      'With --diff the plan (as `clawops plan` prints it) is the diff.',
    ],
    checkMode: 'full: runs `clawops plan` only; changed when the plan has changes',
    options: {
      ...COMMON,
      spec_content: { type: 'str', description: "the spec's text (e.g. `{{ lookup('file', clawops_spec) }}`), used instead of `spec`, so check mode plans the spec you are about to roll out; apply writes it to the host's spec path itself" },
      wait: WAIT,
    },
    returns: {
      plan: { description: 'add, change and remove counts of the plan', type: 'dict', returned: 'always' },
      journal_id: { description: 'the journal of the apply (null when nothing changed or in check mode)', type: 'str', returned: 'always' },
      steps: { description: 'how many changes were applied', type: 'int', returned: 'always' },
    },
    example: `- name: converge the host
  clawops.gateway.clawops_apply: {}
  register: applied`,
  },
  {
    name: 'backup',
    short: 'Take a clawops backup (restic snapshot of each instance) on the host',
    description: ['Runs `clawops backup run --json` on the host; fails when any instance failed, with the error.'],
    checkMode: 'none: in check mode it reports changed (a backup would be taken) and runs nothing',
    options: {
      ...COMMON,
      maintenance: { type: 'bool', default: false, description: 'also apply retention and the rotating `restic check` (the backup timer does both)' },
      wait: WAIT,
    },
    returns: {
      snapshots: { description: 'per instance: name and snapshot id', type: 'list', returned: 'when the backup ran' },
      record: { description: 'the whole backup record', type: 'dict', returned: 'when the backup ran' },
    },
    example: `- name: a backup before the change
  clawops.gateway.clawops_backup: {}`,
  },
  {
    name: 'upgrade',
    short: 'Upgrade OpenClaw on the host; rolled back automatically when its gate fails',
    description: [
      'Runs `clawops upgrade VERSION --yes --json` on the host: a pre-upgrade backup, a side-by-side install, the switch, health and the gate; when they fail, clawops rolls back to the running version and its pre-upgrade state.',
      'Not changed when VERSION already runs. Failed, with `rolled_back: true`, when the upgrade was rolled back.',
    ],
    checkMode: 'none: in check mode it reports changed and runs nothing',
    options: {
      ...COMMON,
      version: { type: 'str', required: true, description: 'the OpenClaw version to upgrade to' },
      instance: { type: 'str', description: 'the instance (default: the first)' },
      checks: { type: 'list', elements: 'str', description: 'the go-live checks the post-upgrade gate runs (default: the whole go-live profile; [] = health only)' },
      smoke: { type: 'bool', default: false, description: 'the gate also runs `clawops smoke`' },
      health_timeout: { type: 'int', default: 180, description: 'seconds the gateway gets to become healthy' },
      npm_cache: { type: 'path', description: 'install offline from this npm cache on the host' },
      wait: WAIT,
    },
    returns: {
      outcome: { description: '`upgraded`, `unchanged`, `rolled-back` or `failed`', type: 'str', returned: 'always' },
      rolled_back: { description: 'the upgrade failed and the previous version runs again', type: 'bool', returned: 'always' },
      report: { description: 'the whole upgrade report', type: 'dict', returned: 'when the upgrade ran' },
    },
    example: `- name: upgrade OpenClaw
  clawops.gateway.clawops_upgrade:
    version: 2026.9.6
    smoke: true`,
  },
];

export const moduleDef = (name: string): ModuleDef | undefined => MODULES.find((m) => m.name === name);
