/**
 * Secrets canary, on one testbed shared by the cases (boot time matters): a recognisable canary in
 * every secret the spec can name (restic password file, gateway token reference, alert webhook
 * URL with a token in it, a restic repository URL with a password, a model provider's API key, a
 * Telegram bot token, with the real channel plugin polling a stand-in Bot API) plus the gateway token clawops
 * generates; then apply, check --json, facts --out, plan and apply over a legacy unit holding the
 * token inline (as 2.x wrote it), backup run / list / drill, and backup run / list against the
 * repository URL with the password. Meanwhile /proc/<pid>/cmdline and environ of every process on
 * this machine (the testbed's processes are in its PID namespace, so they are seen too) and, in
 * the testbed, /proc/<pid>/cmdline are sampled by bounded loops. Then no canary may appear in: the
 * argv/env samples, any stdout/stderr, the testbed's journal, clawops' state dir (records, journal
 * metadata), the facts bundles, the backup contents (restored to a directory) and the usual
 * places on the target — except inside 0600 files that exist to hold secrets (listed in SECRET_FILES).
 * The samplers stop before the search; the search reads its patterns from a file (no canary is ever
 * put on a command line by the test itself).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { procSampler, type ProcSampler } from '../helpers/proc-sampler.ts';
import { startTestbed, testbedSkipReason, timingsLine, type Testbed } from '../helpers/testbed.ts';
import { addTailscaleStandIn, clawops, type CliRun } from './apply-cli.ts';

const tag = randomBytes(6).toString('hex');
const CANARY = {
  resticPassword: `canary-restic-pw-${tag}`,
  tokenRef: `canary-gateway-token-ref-${tag}`,
  webhookToken: `canaryHookTok${tag}`,
  repoPassword: `canary-repo-pw-${tag}`,
  providerKey: `canary-provider-key-${tag}`,
  botToken: `123456789:AAcanaryBotToken${tag}`,
};
const WEBHOOK = `https://hooks.example.invalid/services/T0/B0/${CANARY.webhookToken}?token=${CANARY.webhookToken}x`;
const HOME = '/home/openclaw-svc';
const STATE = '/var/lib/clawops';
const UNIT = '/etc/systemd/system/openclaw.service';
/** the stand-in Telegram Bot API the channel plugin talks to (its request log goes nowhere: its paths hold the token) */
const TG_PORT = 20000 + Math.floor(Math.random() * 20000);

/** Files whose purpose is to hold a secret (hits there are expected, and they must be 0600). */
const SECRET_FILES = [
  /^\/etc\/clawops\/(restic-password|gateway-token|webhook-url|provider-key|telegram-token)$/,
  new RegExp(`^${HOME}/\\.openclaw/(gateway\\.systemd\\.env|\\.env)$`),
  new RegExp(`^${STATE}/journal/[^/]+/secret/\\d{4}\\.bin$`),
  // the restored backup: the instance's env file
  /^\/restore-check\/instance\/openclaw\/state\/(gateway\.systemd\.env|\.env)$/,
];
/** Where the target is searched (node_modules excepted), the restored backup included. */
const SCAN = [
  '/etc', '/home', '/root', '/run', '/tmp', '/var/tmp', '/var/log',
  '/var/lib/clawops', '/var/lib/node_exporter', '/var/cache/clawops', '/restore-check',
];

const spec = (repository: string) => `instances: [{name: openclaw}]
openclaw: {version: 2026.9.6, npmCache: /var/cache/clawops-npm}
node: {source: system, major: 24}
gateway: {auth: {token: {file: /etc/clawops/gateway-token}}}
firewall: {enabled: false}
docker: {enabled: false}
clawops: {install: true}
monitoring:
  alerts: [{type: journal}, {type: webhook, url: {file: /etc/clawops/webhook-url}}]
backup:
  repository: "${repository}"
  password: {file: /etc/clawops/restic-password}
providers:
  canary: {baseUrl: "http://127.0.0.1:9/v1", apiKey: {file: /etc/clawops/provider-key}, models: [{id: canary-1}]}
model: {primary: canary/canary-1}
channels:
  telegram: {botToken: {file: /etc/clawops/telegram-token}, apiRoot: "http://127.0.0.1:${TG_PORT}"}
`;

// in the testbed: every argv element of every process, deduplicated, 5 rounds per second, at most 30 min;
// stops on /run/stop-argv-sampler (two processes a round: cat reads all cmdlines at once)
const TARGET_SAMPLER = `i=0; : > /run/argv-samples
while [ $i -lt 9000 ] && [ ! -e /run/stop-argv-sampler ]; do
  cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n' >> /run/argv-samples
  i=$((i+1)); [ $((i % 25)) -eq 0 ] && sort -u -o /run/argv-samples /run/argv-samples
  sleep 0.2
done; sort -u -o /run/argv-samples /run/argv-samples; echo $i > /run/argv-sampler-rounds`;

const TITLE = 'secrets canary: no secret on argv, in output, logs, records, bundles, journal metadata or backups';
describe(TITLE, { skip: testbedSkipReason() }, () => {
  let tb: Testbed;
  const dir = mkdtempSync('/tmp/clawops-canary-');
  const LOCAL = join(dir, 'local.yaml');
  const REST = join(dir, 'rest.yaml');
  const canaries: string[] = Object.values(CANARY);
  const outputs: { what: string; text: string }[] = [];
  const bundles: string[] = [];
  let host: ProcSampler;
  const target = (specFile = LOCAL) => ['--target', `nspawn:${tb.name}`, '-f', specFile];
  const cli = async (args: string[], timeoutMs = 1_800_000): Promise<CliRun> => {
    const r = await clawops(args, {}, timeoutMs);
    outputs.push({ what: `clawops ${args.join(' ')}`, text: `${r.stdout}\n${r.stderr}` });
    return r;
  };

  before(async () => {
    writeFileSync(LOCAL, spec('/var/backups/clawops-restic'));
    writeFileSync(REST, spec(`rest:http://clawops:${CANARY.repoPassword}@127.0.0.1:9/clawops`));
    tb = await startTestbed({ openclaw: '2026.9.6' });
    process.stderr.write(`# ${timingsLine(tb)}\n`);
    await addTailscaleStandIn(tb.executor);
    const ex = tb.executor;
    await ex.run(['install', '-d', '-m', '0700', '/etc/clawops']);
    const secret = { mode: 0o600, owner: 'root', group: 'root' };
    await ex.writeFile('/etc/clawops/restic-password', `${CANARY.resticPassword}\n`, secret);
    await ex.writeFile('/etc/clawops/gateway-token', `${CANARY.tokenRef}\n`, secret);
    await ex.writeFile('/etc/clawops/webhook-url', `${WEBHOOK}\n`, secret);
    await ex.writeFile('/etc/clawops/provider-key', `${CANARY.providerKey}\n`, secret);
    await ex.writeFile('/etc/clawops/telegram-token', `${CANARY.botToken}\n`, secret);
    await ex.writeFile('/usr/local/lib/standin-telegram.mjs', readFileSync(new URL('../standins/telegram.mjs', import.meta.url)), { mode: 0o644, owner: 'root', group: 'root' });
    await ex.run(['systemd-run', '--unit', 'clawops-standin-telegram', '/usr/local/bin/node', '/usr/local/lib/standin-telegram.mjs', String(TG_PORT), '/dev/null']);
    await ex.run(['sh', '-c', `nohup sh -c '${TARGET_SAMPLER.replace(/'/g, `'\\''`)}' >/dev/null 2>&1 &`]);
    host = procSampler({ intervalMs: 50, maxRounds: 36_000, environ: true });
  });
  after(async () => {
    await host?.stop();
    await tb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('apply, check --json, facts --out', { timeout: 3_600_000 }, async (t) => {
    let applied = await cli(['apply', '--yes', ...target()]);
    t.diagnostic(`apply: ${(applied.ms / 1000).toFixed(1)} s, exit ${applied.code}`);
    if (applied.code !== 0 && /is not healthy after/.test(applied.stderr)) {
      // a loaded machine can keep the gateway from listening within the health deadline: the next apply finishes
      applied = await cli(['apply', '--yes', ...target()]);
      t.diagnostic(`apply again after a missed health deadline: ${(applied.ms / 1000).toFixed(1)} s, ${applied.code}`);
    }
    const env = (await tb.executor.readFile(`${HOME}/.openclaw/gateway.systemd.env`))?.toString('utf8') ?? '';
    const token = /^OPENCLAW_GATEWAY_TOKEN=([0-9a-f]{64})$/m.exec(env)?.[1];
    assert.ok(token, 'apply generated the gateway token');
    canaries.push(token);
    if (applied.code !== 0) {
      const argv = ['journalctl', '--no-pager', '-o', 'cat', '-n', '60', '-u', 'openclaw.service'];
      const unit = await tb.executor.run(argv, { allowFailure: true });
      const tail = applied.stderr.split('\n').slice(-12).join('\n');
      assert.fail(`apply failed:\n${tail}\nopenclaw.service:\n${unit.stdout}`);
    }
    const check = await cli(['check', '--json', '--allow-unknown', ...target()], 300_000);
    assert.ok(check.stdout.includes('"results"'), check.stdout + check.stderr);
    // go-live only: every other profile's checks are a subset of it (the same probes, the same bundle code)
    for (const profile of ['go-live']) {
      const out = join(dir, `facts-${profile}.json`);
      const r = await cli(['facts', '--profile', profile, '--out', out, ...target()], 300_000);
      assert.equal(r.code, 0, r.stderr);
      bundles.push(out);
    }
  });

  test('report (the clawops installed there runs the gate and reads its ledger) and status: the page and its data', { timeout: 900_000 }, async () => {
    const out = join(dir, 'report');
    const r = await cli(['report', '--out', out, ...target()], 900_000);
    assert.equal(r.code, 0, r.stderr);
    bundles.push(join(out, 'index.html'), join(out, 'report.json'));
    const status = await cli(['status', ...target()], 300_000);
    assert.ok(status.stdout.length > 0, status.stderr);
  });

  const LEGACY = 'a legacy unit with the token inline: plan shows the change without it; apply journals it as secret';
  test(LEGACY, { timeout: 1_800_000 }, async () => {
    const ex = tb.executor;
    const token = canaries.at(-1)!;
    const unit = (await ex.readFile(UNIT))?.toString('utf8') ?? '';
    // as 2.x wrote it, through stdin (never on a command line)
    const legacy = unit.replace('[Service]\n', `[Service]\nEnvironment=OPENCLAW_GATEWAY_TOKEN=${token}\n`);
    await ex.writeFile(UNIT, legacy, { mode: 0o644, owner: 'root', group: 'root' });
    await ex.run(['systemctl', 'daemon-reload']);
    const plan = await cli(['plan', '--detailed-exitcode', ...target()]);
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /-Environment=OPENCLAW_GATEWAY_TOKEN=<secret len=64 fp=[0-9a-f]{8}>/, plan.stdout);
    const json = await cli(['plan', '--json', ...target()]);
    assert.ok(json.stdout.includes('OPENCLAW_GATEWAY_TOKEN=<secret len=64'), json.stdout);
    const saved = join(dir, 'plan.json');
    await cli(['plan', '--out', saved, ...target()]);
    bundles.push(saved);
    const applied = await cli(['apply', '--yes', ...target()]);
    assert.equal(applied.code, 0, applied.stderr);
    const rendered = (await ex.readFile(UNIT))?.toString('utf8') ?? '';
    assert.ok(!rendered.includes(token), 'apply rendered the unit without the inline token');
    const journal = await ex.run(['sh', '-c', `ls -1 ${STATE}/journal/*/secret/ | grep -c '\\.bin$' || true`]);
    assert.ok(Number(journal.stdout.trim()) >= 1, 'the unit\'s before-image is a secret one');
  });

  const BACKUP = 'backup run, list, drill; a repository URL with a password in records and messages';
  test(BACKUP, { timeout: 1_800_000 }, async (t) => {
    const run = await cli(['backup', 'run', ...target()]);
    assert.equal(run.code, 0, run.stderr);
    const list = await cli(['backup', 'list', '--json', ...target()]);
    assert.equal(list.code, 0, list.stdout + list.stderr);
    const drill = await cli(['drill', ...target()]);
    t.diagnostic(`drill: exit ${drill.code} in ${(drill.ms / 1000).toFixed(1)} s`);
    const restored = await cli(['backup', 'restore', 'latest', '--to', '/restore-check', ...target()]);
    assert.equal(restored.code, 0, restored.stderr);
    // the rest: repository is unreachable: the run fails and is recorded, naming the repository without its userinfo
    const rest = await cli(['backup', 'run', ...target(REST)], 300_000);
    assert.notEqual(rest.code, 0);
    const restList = await cli(['backup', 'list', ...target(REST)], 300_000);
    assert.notEqual(restList.code, 0);
    const last = (await tb.executor.readFile(`${STATE}/backup/last.json`))?.toString('utf8') ?? '';
    assert.match(last, /"repository": "rest:http:\/\/127\.0\.0\.1:9\/clawops"/, last);
    for (const rec of ['backup/last.json', 'backup/drill.json']) {
      const st = await tb.executor.stat(`${STATE}/${rec}`);
      assert.equal(`${st?.mode.toString(8)} ${st?.owner}`, '600 root', rec);
    }
  });

  test('no canary anywhere but in 0600 files made to hold secrets', { timeout: 600_000 }, async (t) => {
    const ex = tb.executor;
    await ex.run(['touch', '/run/stop-argv-sampler']);
    await ex.run(['sh', '-c', 'for i in $(seq 100); do [ -e /run/argv-sampler-rounds ] && exit 0; sleep 0.1; done']);
    host.stop();
    const targetSamples = (await ex.readFile('/run/argv-samples'))?.toString('utf8') ?? '';
    const targetRounds = (await ex.readFile('/run/argv-sampler-rounds'))?.toString('utf8').trim();
    t.diagnostic(`argv samples: machine ${host.rounds()} rounds, ${host.seen.size} distinct argv/env; ` +
      `target ${targetRounds} rounds, ${targetSamples.split('\n').length} distinct argv`);
    assert.ok(host.rounds() > 10 && Number(targetRounds) > 10, 'the samplers ran');
    const journal = (await ex.run(['journalctl', '--no-pager', '-o', 'cat'], { maxOutputBytes: 512 << 20 })).stdout;

    const found: string[] = [];
    const look = (what: string, text: string) => {
      for (const c of canaries) if (text.includes(c)) found.push(`${what}: holds ${c.slice(0, 24)}…`);
    };
    // the one designed channel: OpenClaw reads the token (and, from ~/.openclaw/.env, the provider key and the bot
    // token) from its EnvironmentFiles, so the environment of the gateway
    // and of `openclaw` run as the service user holds it (/proc/PID/environ: readable by that process' user and root
    // only). Counted by uid: the drill's throwaway gateway runs as root (uid 0), which the report names.
    const designed = new RegExp(`(?<=^| )(OPENCLAW_GATEWAY_TOKEN=[0-9a-f]{64}|CANARY_API_KEY=${CANARY.providerKey}|TELEGRAM_BOT_TOKEN=${CANARY.botToken})(?= |$)`, 'g');
    const tokenEnv = new Map<string, number>();
    for (const s of host.seen) {
      const uid = /^environ uid=(\S+) /.exec(s)?.[1];
      const own = uid !== undefined ? s.replace(designed, '') : s;
      if (own !== s) tokenEnv.set(uid!, (tokenEnv.get(uid!) ?? 0) + 1);
      const hit = canaries.find((c) => own.includes(c));
      if (hit) found.push(`on this machine: ${own.replaceAll(hit, '<CANARY>').slice(0, 300)}`);
    }
    const svcUid = (await ex.run(['id', '-u', 'openclaw-svc'])).stdout.trim();
    const named = (u: string) => (u === svcUid ? `${u} (openclaw-svc)` : u);
    const byUid = [...tokenEnv].map(([u, n]) => `${n} with uid ${named(u)}`).join(', ');
    t.diagnostic(`distinct process environments holding the token from its EnvironmentFile: ${byUid || 'none'}`);
    look('argv in the testbed', targetSamples);
    for (const o of outputs) look(`output of ${o.what}`, o.text);
    look('journal of the testbed', journal);
    for (const b of bundles) look(`bundle ${b}`, readFileSync(b, 'utf8'));

    // grep on the target with the canaries in a pattern file (written through stdin, removed after)
    await ex.writeFile('/canary-patterns', `${canaries.join('\n')}\n`, { mode: 0o600, owner: 'root', group: 'root' });
    const script = 'grep -rlaF --exclude-dir=node_modules -f /canary-patterns -- "$@"; rm -f /canary-patterns; true';
    const grep = await ex.run(['sh', '-c', script, 'sh', ...SCAN], { timeoutMs: 300_000 });
    const hits = grep.stdout.split('\n').filter(Boolean);
    const text = async (path: string) => (await ex.readFile(path))?.toString('latin1') ?? '';
    let secretHits = 0;
    for (const path of hits) {
      const st = await ex.stat(path);
      const mode = st?.mode ?? 0o777;
      if (SECRET_FILES.some((r) => r.test(path)) && (mode & 0o077) === 0 && st?.owner !== undefined) secretHits++;
      else look(`file ${path} (mode ${mode.toString(8)} ${st?.owner})`, await text(path));
    }
    const restored = await ex.run(['sh', '-c', 'find /restore-check -type f | wc -l']);
    t.diagnostic(`grep of ${SCAN.join(' ')} on the target: ${hits.length} files with a canary, ` +
      `${secretHits} of them 0600 secret files; ${restored.stdout.trim()} files restored from the backup; ` +
      `${canaries.length} canaries`);
    assert.deepEqual(found, []);
    assert.ok(Number(restored.stdout.trim()) > 5, 'the backup was restored for the scan');
    assert.ok(secretHits >= 4, 'the canaries are where they belong (sanity: the scan sees them)');
  });
});
