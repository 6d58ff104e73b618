/** The catalogue: every check, by area, in display order. Ids are stable API. */
import { accessChecks } from './access.ts';
import { auditChecks } from './audit.ts';
import { backupChecks } from './backup.ts';
import { baselineChecks } from '../baseline/checks.ts';
import { configChecks } from './config.ts';
import { costChecks } from './cost.ts';
import { credentialChecks } from './credentials.ts';
import { doctorLintChecks } from './doctor-lint.ts';
import { emergencyChecks } from './emergency.ts';
import { fallbackChecks } from './fallback.ts';
import { fileChecks } from './files.ts';
import { firewallChecks } from './firewall.ts';
import { frozenChecks } from './frozen.ts';
import { hostChecks } from './host.ts';
import { identityChecks } from './identity.ts';
import { managedChecks } from './managed.ts';
import { networkChecks } from './network.ts';
import { providerChecks } from './providers.ts';
import { serviceChecks } from './service.ts';
import { sudoChecks } from './sudo.ts';
import type { CheckDef } from './types.ts';

export const CATALOGUE: readonly CheckDef[] = [
  ...hostChecks,
  ...emergencyChecks,
  ...managedChecks,
  ...baselineChecks,
  ...fileChecks,
  ...sudoChecks,
  ...serviceChecks,
  ...networkChecks,
  ...firewallChecks,
  ...configChecks,
  ...providerChecks,
  ...costChecks,
  ...credentialChecks,
  ...doctorLintChecks,
  ...auditChecks,
  ...identityChecks,
  ...accessChecks,
  ...fallbackChecks,
  ...backupChecks,
  ...frozenChecks,
];

export function findCheck(id: string): CheckDef | undefined {
  return CATALOGUE.find((c) => c.id === id);
}
