/** unattended-upgrades: what `dpkg-reconfigure -plow unattended-upgrades` writes, checked by apt-config. */
import { ClawopsError } from '../core/errors.ts';
import type { Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { APT_ID } from './apt.ts';
import { fileResource } from './file.ts';

export const AUTO_UPGRADES = '/etc/apt/apt.conf.d/20auto-upgrades';

export function renderAutoUpgrades(): string {
  return ['// Managed by clawops (unattendedUpgrades.enabled)', 'APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";', ''].join('\n');
}

const VALIDATE_SCRIPT = `set -eu
f=$(mktemp); trap 'rm -f "$f"' EXIT
cat > "$f"
apt-config -c "$f" dump >/dev/null`;

export async function validateAptConf(ex: Executor, content: string): Promise<void> {
  const r = await ex.run(['sh', '-c', VALIDATE_SCRIPT], { stdin: content, allowFailure: true });
  if (r.exitCode !== 0) {
    throw new ClawopsError(`apt-config rejects the new ${AUTO_UPGRADES}: ${r.stderr.trim().split('\n').pop() ?? ''}`, { hint: 'this is a bug in clawops' });
  }
}

export function unattendedUpgradesResources(spec: ResolvedSpec): Resource[] {
  if (!spec.unattendedUpgrades.enabled) return [];
  return [fileResource({ path: AUTO_UPGRADES, content: renderAutoUpgrades(), mode: 0o644, dependsOn: [APT_ID], validate: validateAptConf })];
}
