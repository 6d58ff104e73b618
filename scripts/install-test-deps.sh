#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: systemd-nspawn and debootstrap for
# the testbed, restic, ufw/iptables, OpenSSH, fail2ban, sqlite3, docker.io, Alertmanager, promtool and node_exporter (run only inside
# the testbed or a private network namespace, or on loopback as a test's own process; their services are
# never started on this machine), headless Chromium for the HTML report (driven by playwright-core), and Ansible for the collection's
# playbooks (run from this machine against testbed hosts only).
set -euo pipefail
pkgs=(time systemd-container debootstrap restic ufw iptables iproute2 openssh-server openssh-client fail2ban sqlite3 docker.io util-linux procps curl prometheus-alertmanager prometheus prometheus-node-exporter chromium ansible)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install-test-deps: need root to install: ${missing[*]}" >&2; exit 1; fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "install-test-deps: ${#pkgs[@]} packages present"
