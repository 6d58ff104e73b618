/** Host baseline: Node, the OpenClaw install, packages, unattended-upgrades, fail2ban, docker daemon.json. */
import { compareVersions, capabilities } from '../openclaw/versions.ts';
import { DOCKER_DAEMON_JSON, UNATTENDED_CONF } from '../facts/paths.ts';
import { dpkgPackage, nodeVersion, textFile } from '../facts/system.ts';
import { baselinePackages } from '../desired/packages.ts';
import { systemdUnit } from '../facts/systemd.ts';
import { fail2banStatus } from '../facts/services.ts';
import { ref, known } from '../facts/types.ts';
import { deepEqual, installRef, list } from './helpers.ts';
import { type CheckDef, fail, pass, skipped } from './types.ts';

const cmpNode = (a: string, b: string) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

export const hostChecks: CheckDef[] = [
  {
    id: 'host.node.version',
    title: 'Node.js satisfies the pinned OpenClaw version',
    area: 'host', severity: 'critical', profiles: ['go-live'], scope: 'host',
    runbook: 'hardened guide 1.3 (Node.js via NodeSource); checklist "Node.js version"',
    remediation: 'clawops apply (node step) — installs the Node.js major the pinned OpenClaw needs',
    needs: () => [ref(nodeVersion)],
    evaluate(f, ctx) {
      const node = known(f, ref(nodeVersion));
      const min = capabilities(ctx.spec.openclaw.version).nodeMin;
      if (node.missing) return fail(`no node on root's PATH (OpenClaw ${ctx.spec.openclaw.version} needs >= ${min})`);
      if (cmpNode(node.version, min) < 0) return fail(`node ${node.version} < ${min} (needed by OpenClaw ${ctx.spec.openclaw.version})`);
      return pass(`node ${node.version} >= ${min}`);
    },
  },
  {
    id: 'host.openclaw.version',
    title: 'OpenClaw is installed at the pinned version, not below the minimum patched one',
    area: 'host', severity: 'critical', profiles: ['go-live'], scope: 'instance',
    runbook: 'hardened guide 2.3-2.4 (install, verify version); checklist "OpenClaw version"',
    remediation: 'clawops apply (openclaw install step), or `clawops upgrade <pinned version>`',
    needs: (ctx) => [installRef(ctx)],
    evaluate(f, ctx) {
      const i = known(f, installRef(ctx));
      const { version: pin, minimumVersion: min } = ctx.spec.openclaw;
      const where = i.bin === ctx.inst.bin ? i.bin : `${i.bin} (spec expects ${ctx.inst.bin})`;
      if (compareVersions(i.version, min) < 0) return fail(`${i.version.raw} at ${where} is below the minimum patched ${min}`, `clawops upgrade ${pin}`);
      if (compareVersions(i.version, pin) !== 0) return fail(`${i.version.raw} at ${where}, pinned ${pin}`, `clawops upgrade ${pin} (or pin ${i.version.raw} in the spec)`);
      return pass(`${i.version.raw} at ${where} (pinned ${pin}, minimum ${min})`);
    },
  },
  {
    id: 'host.packages',
    title: 'The packages the spec needs are installed',
    area: 'host', severity: 'warn', profiles: ['go-live'], scope: 'host',
    runbook: 'production runbook 3.1 (OS baseline apt install)',
    remediation: 'clawops apply (packages step)',
    needs: (ctx) => baselinePackages(ctx.spec).map((p) => ref(dpkgPackage, p)),
    evaluate(f, ctx) {
      const want = baselinePackages(ctx.spec);
      const missing = want.filter((p) => !known(f, ref(dpkgPackage, p)).installed);
      if (missing.length) return fail(`not installed: ${list(missing)}`, `apt-get install -y ${missing.join(' ')} (or clawops apply)`);
      return pass(`installed: ${list(want)}`);
    },
  },
  {
    id: 'host.unattended-upgrades',
    title: 'Unattended security upgrades are enabled',
    area: 'host', severity: 'warn', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 1.8 (unattended-upgrades)',
    remediation: 'clawops apply (unattended-upgrades step): installs the package and writes /etc/apt/apt.conf.d/20auto-upgrades',
    needs: () => [ref(dpkgPackage, 'unattended-upgrades'), ref(textFile, UNATTENDED_CONF)],
    evaluate(f, ctx) {
      if (!ctx.spec.unattendedUpgrades.enabled) return skipped('unattendedUpgrades.enabled is false in the spec');
      if (!known(f, ref(dpkgPackage, 'unattended-upgrades')).installed) return fail('package unattended-upgrades is not installed');
      const conf = known(f, ref(textFile, UNATTENDED_CONF)).content ?? '';
      if (!/APT::Periodic::Unattended-Upgrade\s+"1"/.test(conf)) return fail(`${UNATTENDED_CONF} does not set APT::Periodic::Unattended-Upgrade "1"`);
      return pass(`installed; ${UNATTENDED_CONF} enables it`);
    },
  },
  {
    id: 'host.fail2ban',
    title: 'fail2ban runs with the sshd jail',
    area: 'host', severity: 'warn', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 1.9 (fail2ban)',
    remediation: 'clawops apply (fail2ban step), then `systemctl enable --now fail2ban`',
    needs: () => [ref(systemdUnit, 'fail2ban.service'), ref(fail2banStatus)],
    evaluate(f, ctx) {
      if (!ctx.spec.fail2ban.enabled) return skipped('fail2ban.enabled is false in the spec');
      const u = known(f, ref(systemdUnit, 'fail2ban.service'));
      if (u.ActiveState !== 'active') return fail(`fail2ban.service is ${u.LoadState === 'not-found' ? 'not installed' : u.ActiveState}`, 'clawops apply (fail2ban step); systemctl enable --now fail2ban');
      const s = known(f, ref(fail2banStatus));
      if (ctx.spec.fail2ban.sshd.enabled && !s.jails.includes('sshd')) return fail(`jails: ${list(s.jails)}; sshd missing`, 'clawops apply (fail2ban step) writes /etc/fail2ban/jail.local with [sshd] enabled');
      return pass(`active; jails: ${list(s.jails)}`);
    },
  },
  {
    id: 'host.docker.daemon-json',
    title: 'Docker daemon.json carries the spec settings (ulimits, log rotation)',
    area: 'host', severity: 'warn', profiles: ['go-live'], scope: 'host',
    runbook: 'hardened guide 5.2 (Docker daemon resource defaults)',
    remediation: 'clawops apply (docker daemon.json step): merges the spec keys, keeps the others; then systemctl restart docker',
    needs: () => [ref(textFile, DOCKER_DAEMON_JSON)],
    evaluate(f, ctx) {
      if (!ctx.spec.docker.enabled) return skipped('docker.enabled is false in the spec');
      const c = known(f, ref(textFile, DOCKER_DAEMON_JSON)).content;
      if (c === null) return fail(`${DOCKER_DAEMON_JSON} does not exist`);
      let cur: Record<string, unknown>;
      try {
        cur = JSON.parse(c) as Record<string, unknown>;
      } catch {
        return fail(`${DOCKER_DAEMON_JSON} is not valid JSON`);
      }
      const wrong = Object.entries(ctx.spec.docker.daemon).filter(([k, v]) => !deepEqual(cur[k], v)).map(([k]) => k);
      if (wrong.length) return fail(`${DOCKER_DAEMON_JSON}: ${list(wrong)} differ from the spec`);
      return pass(`${DOCKER_DAEMON_JSON} has ${list(Object.keys(ctx.spec.docker.daemon))} as specified`);
    },
  },
];

