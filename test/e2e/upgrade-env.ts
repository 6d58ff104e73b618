/**
 * The upgrade e2e fixture, shared by the in-process test (upgrade-rollback.test.ts) and the CLI
 * test (upgrade-cli.test.ts): a testbed holding OpenClaw 2026.2.9 deployed side by side
 * (`~/.npm-global` -> `.npm-global.versions/2026.2.9`), a gateway unit running as the service
 * user on a state that holds a marker file, restic, and the spec's password file.
 *
 * 2026.2.9 does not install with a plain offline `npm install -g` (see the testbed's overrides),
 * so its version prefix is laid out from the testbed's prebuilt install (bin and package linked
 * in); 2026.9.6 is installed for real, offline from the testbed's npm cache.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupContext } from '../../src/backup/context.ts';
import type { RunResult } from '../../src/exec/types.ts';
import { parseSpec } from '../../src/desired/parse.ts';
import type { ResolvedInstance, ResolvedSpec } from '../../src/desired/resolve.ts';
import { versionDir } from '../../src/upgrade/layout.ts';
import { startTestbed, type Testbed } from '../helpers/testbed.ts';

export const PORT = 18789;
export const NPM_CACHE = '/var/cache/clawops-npm';
export const specYaml = (version: string) => `instances: [{name: oc, user: oc, home: /home/oc, port: ${PORT}}]
node: {source: system}
openclaw: {version: ${version}}
backup: {repository: /var/backups/clawops-restic, password: {file: /etc/clawops/restic-password}}
`;

export interface UpgradeEnv {
  tb: Testbed;
  spec: ResolvedSpec;
  inst: ResolvedInstance;
  /** the in-process API's context (spec pinned at 2026.2.9) */
  ctx: BackupContext;
  /** spec files on this machine, pinned at each version (for `clawops -f`) */
  specFile: (version: string) => string;
  sh(script: string, timeoutMs?: number): Promise<RunResult>;
  /** `openclaw --version` through the prefix the unit runs */
  version(): Promise<string>;
  /** status and body of GET /healthz on the gateway port, from inside the testbed */
  healthz(): Promise<string>;
  /** the layout's facts: where the prefix points, the version dirs, the unit file's hash */
  layout(): Promise<string>;
  stop(): Promise<void>;
}

export async function startUpgradeEnv(): Promise<UpgradeEnv> {
  const tb = await startTestbed({ openclaw: '2026.2.9' });
  const dir = mkdtempSync('/tmp/clawops-upgrade-e2e-');
  try {
    const text = specYaml('2026.2.9');
    const parsed = parseSpec(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const inst = parsed.spec.resolved[0]!;
    const sh = (script: string, timeoutMs = 120_000) => tb.executor.run(['bash', '-c', script], { timeoutMs });
    const v29 = versionDir(inst, '2026.2.9');
    await sh('apt-get install -y -q restic sqlite3 sudo >/dev/null', 300_000);
    await sh(`useradd -m -s /bin/bash -c 'clawops service user' oc && mkdir -p /etc/clawops ${v29}/bin ${v29}/lib/node_modules /home/oc/.openclaw/workspace /home/oc/.openclaw/tmp
      ln -s /opt/clawops-openclaw/node_modules/.bin/openclaw ${v29}/bin/openclaw
      ln -s /opt/clawops-openclaw/node_modules/openclaw ${v29}/lib/node_modules/openclaw
      ln -s .npm-global.versions/2026.2.9 /home/oc/.npm-global
      echo 'written on 2026.2.9' > /home/oc/.openclaw/workspace/MARKER.md
      chown -R oc:oc /home/oc && chmod 700 /home/oc/.openclaw`);
    // 2.9 has no ${ENV} token reference: the token is in the config (0600, service user)
    await tb.executor.writeFile(`${inst.stateDir}/openclaw.json`, JSON.stringify({ gateway: { mode: 'local', bind: 'loopback', port: PORT, auth: { mode: 'token', token: randomBytes(24).toString('hex') } } }, null, 2), { mode: 0o600, owner: 'oc', group: 'oc' });
    await tb.executor.writeFile('/etc/clawops/restic-password', `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    await tb.executor.writeFile(`/etc/systemd/system/${inst.unit}`, `[Unit]
Description=OpenClaw gateway (upgrade e2e)
# as clawops' own unit: a crash loop latches (systemd's default 10 s window never does with RestartSec=2)
StartLimitIntervalSec=300
StartLimitBurst=5
[Service]
User=oc
Environment=HOME=/home/oc TMPDIR=/home/oc/.openclaw/tmp PATH=/home/oc/.npm-global/bin:/usr/local/bin:/usr/bin:/bin
Environment=OPENCLAW_SKIP_CHANNELS=1 OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_SKIP_CRON=1
ExecStart=${inst.bin} gateway run
Restart=on-failure
RestartSec=2
[Install]
WantedBy=multi-user.target
`, { mode: 0o644 });
    await sh(`systemctl daemon-reload && systemctl start ${inst.unit}`);
    const files = new Map<string, string>();
    return {
      tb, spec: parsed.spec, inst,
      ctx: { ex: tb.executor, spec: parsed.spec, env: {}, specText: { name: 'clawops.yaml', text }, log: (l) => process.stderr.write(`# ${l}\n`) },
      specFile: (version) => {
        let f = files.get(version);
        if (!f) {
          f = join(dir, `clawops-${version}.yaml`);
          writeFileSync(f, specYaml(version));
          files.set(version, f);
        }
        return f;
      },
      sh,
      version: async () => (await sh(`sudo -u oc ${inst.bin} --version`)).stdout.trim(),
      healthz: async () => (await sh(`node -e "fetch('http://127.0.0.1:${PORT}/healthz').then(async r => console.log(r.status, await r.text()), e => console.log('down', e.message))"`)).stdout.trim(),
      layout: async () => (await sh(`readlink ${inst.npmPrefix}; ls ${inst.npmPrefix}.versions; sha256sum /etc/systemd/system/${inst.unit}; ls ${inst.stateDir}/workspace`)).stdout,
      stop: async () => {
        rmSync(dir, { recursive: true, force: true });
        await tb.stop();
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    await tb.stop();
    throw err;
  }
}
