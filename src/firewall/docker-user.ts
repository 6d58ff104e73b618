/**
 * The DOCKER-USER chain: Docker-published ports bypass UFW, so forwarded traffic is accepted only
 * from loopback, the management interfaces and established flows, then dropped. Read from
 * `iptables -S` (the whole filter table: on iptables-nft 1.8.9 `-S DOCKER-USER` of a missing chain
 * fails with a misleading "incompatible" message).
 *
 * Persistence: a clawops-owned oneshot unit that rebuilds the chain at boot, after ufw and before
 * docker. Not iptables-persistent: Debian's ufw package declares `Breaks: iptables-persistent,
 * netfilter-persistent` (installing it removes ufw), and `netfilter-persistent save` would freeze
 * ufw's and Docker's own chains into rules.v4 as well.
 */
export const CHAIN = 'DOCKER-USER';
export const PERSIST_UNIT = 'clawops-docker-user.service';
export const PERSIST_UNIT_PATH = `/etc/systemd/system/${PERSIST_UNIT}`;
export const PERSIST_WANTS_PATH = `/etc/systemd/system/multi-user.target.wants/${PERSIST_UNIT}`;

/** The chain's rules in `iptables -S` form, in order. */
export function desiredChain(mgmt: readonly string[]): string[] {
  return [
    `-A ${CHAIN} -i lo -j ACCEPT`,
    ...mgmt.map((i) => `-A ${CHAIN} -i ${i} -j ACCEPT`),
    `-A ${CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A ${CHAIN} -j DROP`,
  ];
}

export interface FilterTable {
  chains: string[];
  /** `-A CHAIN ...` lines per chain, in order */
  rules: Record<string, string[]>;
}

/** iptables-restore input that replaces the chain atomically (a declared chain is flushed with --noflush). */
export function chainRestoreInput(mgmt: readonly string[]): string {
  return ['*filter', `:${CHAIN} - [0:0]`, ...desiredChain(mgmt), 'COMMIT', ''].join('\n');
}

/** Remove every FORWARD jump to the chain, then insert exactly one at the top (where Docker puts it). */
export const FORWARD_JUMP_SCRIPT =
  'while iptables -w -D FORWARD -j DOCKER-USER 2>/dev/null; do :; done; iptables -w -I FORWARD 1 -j DOCKER-USER';

export function renderPersistUnit(mgmt: readonly string[]): string {
  const ipt = '/usr/sbin/iptables -w';
  return [
    '# Managed by clawops: rebuilds the DOCKER-USER chain at boot (lo, management, established, then DROP).',
    '[Unit]',
    'Description=clawops DOCKER-USER chain',
    'DefaultDependencies=no',
    'After=local-fs.target ufw.service',
    'Before=network-pre.target docker.service',
    'Wants=network-pre.target',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=-${ipt} -N ${CHAIN}`,
    `ExecStart=${ipt} -F ${CHAIN}`,
    ...desiredChain(mgmt).map((r) => `ExecStart=${ipt} ${r}`),
    `ExecStart=/bin/sh -c '${FORWARD_JUMP_SCRIPT.replaceAll('iptables -w', ipt)}'`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
