/**
 * The top-level commands, each loaded only when it is the one being run (or for `--help`), so
 * the cheap paths (`clawops check --profile health` from a timer every minute) never pay for the
 * modules the other commands need. Add a command here with one line.
 */
import type { Command } from 'commander';
import type { CliContext } from '../program.ts';

export type Register = (program: Command, ctx: CliContext) => void;

export interface CommandEntry {
  name: string;
  load: () => Promise<Register>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'spec', load: async () => (await import('./spec.ts')).registerSpecCommands },
  { name: 'check', load: async () => (await import('./check.ts')).registerCheckCommand },
  { name: 'checks', load: async () => (await import('./checks.ts')).registerChecksCommands },
  { name: 'facts', load: async () => (await import('./facts.ts')).registerFactsCommand },
  { name: 'plan', load: async () => (await import('./plan.ts')).registerPlanCommand },
  { name: 'apply', load: async () => (await import('./apply.ts')).registerApplyCommand },
  { name: 'undo', load: async () => (await import('./undo.ts')).registerUndoCommand },
  { name: 'render', load: async () => (await import('./render.ts')).registerRenderCommand },
  { name: 'backup', load: async () => (await import('./backup.ts')).registerBackupCommands },
  { name: 'drill', load: async () => (await import('./drill.ts')).registerDrillCommands },
  { name: 'alert', load: async () => (await import('./alert.ts')).registerAlertCommands },
  { name: 'pairing', load: async () => (await import('./pairing.ts')).registerPairingCommands },
  { name: 'smoke', load: async () => (await import('./smoke.ts')).registerSmokeCommand },
  { name: 'rotate', load: async () => (await import('./rotate.ts')).registerRotateCommand },
  { name: 'upgrade', load: async () => (await import('./upgrade.ts')).registerUpgradeCommand },
  { name: 'rollback', load: async () => (await import('./rollback.ts')).registerRollbackCommand },
  { name: 'incident', load: async () => (await import('./ledger.ts')).registerIncidentCommands },
  { name: 'burnin', load: async () => (await import('./ledger.ts')).registerBurninCommands },
  { name: 'signoff', load: async () => (await import('./ledger.ts')).registerSignoffCommand },
  { name: 'status', load: async () => (await import('./ledger.ts')).registerStatusCommand },
  { name: 'ledger', load: async () => (await import('./ledger.ts')).registerLedgerCommands },
  { name: 'report', load: async () => (await import('./report.ts')).registerReportCommand },
  { name: 'fallback', load: async () => (await import('./fallback.ts')).registerFallbackCommands },
  { name: 'emergency', load: async () => (await import('./emergency.ts')).registerEmergencyCommands },
  { name: 'package', load: async () => (await import('./package.ts')).registerPackageCommand },
  { name: 'ansible', load: async () => (await import('./ansible.ts')).registerAnsibleCommand },
  { name: 'standby', load: async () => (await import('./standby.ts')).registerStandbyCommands },
  { name: 'aide', load: async () => (await import('./aide.ts')).registerAideCommands },
];
