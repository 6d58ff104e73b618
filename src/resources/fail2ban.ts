/** fail2ban: jail.local rendered from the spec, tested with `fail2ban-client -t` before it is installed. */
import { ClawopsError } from '../core/errors.ts';
import type { Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { APT_ID } from './apt.ts';
import { fileResource, progress } from './file.ts';
import { serviceResource } from './service.ts';

export const JAIL_LOCAL = '/etc/fail2ban/jail.local';

export function renderJailLocal(spec: ResolvedSpec): string {
  const f = spec.fail2ban;
  const lines = [
    '# Managed by clawops (fail2ban section of the spec). Local edits are replaced on apply.',
    '[DEFAULT]',
    `bantime = ${f.bantime}`,
    `findtime = ${f.findtime}`,
    `maxretry = ${f.maxretry}`,
    '',
    '[sshd]',
    `enabled = ${f.sshd.enabled}`,
    'port = ssh',
    'filter = sshd',
    f.sshd.backend === 'systemd' ? 'backend = systemd' : 'logpath = /var/log/auth.log',
    `maxretry = ${f.sshd.maxretry}`,
  ];
  return `${lines.join('\n')}\n`;
}

// a copy of /etc/fail2ban with the candidate jail.local, tested by fail2ban itself
const VALIDATE_SCRIPT = `set -eu
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
cp -a /etc/fail2ban/. "$d/"
cat > "$d/jail.local"
fail2ban-client -c "$d" -t`;

export async function validateJailLocal(ex: Executor, content: string): Promise<void> {
  const r = await ex.run(['sh', '-c', VALIDATE_SCRIPT], { stdin: content, allowFailure: true, timeoutMs: 60_000 });
  if (r.exitCode !== 0) {
    const why = `${r.stdout}\n${r.stderr}`.trim().split('\n').filter((l) => /ERROR|error/.test(l)).slice(-2).join(' | ');
    throw new ClawopsError(`fail2ban rejects the new jail.local: ${why || `fail2ban-client -t exited ${r.exitCode}`}`, {
      hint: 'check the fail2ban keys of the spec (`clawops render jail.local` shows the file)',
    });
  }
}

export function fail2banResources(spec: ResolvedSpec): Resource[] {
  if (!spec.fail2ban.enabled) return [];
  const jail = fileResource({
    path: JAIL_LOCAL,
    content: renderJailLocal(spec),
    mode: 0o644,
    dependsOn: [APT_ID],
    validate: validateJailLocal,
    async afterChange(ex, journal) {
      progress(journal, 'reloading fail2ban');
      await ex.run(['systemctl', 'try-restart', 'fail2ban.service'], { timeoutMs: 120_000 });
    },
  });
  return [jail, serviceResource('fail2ban.service', [APT_ID, jail.id])];
}
