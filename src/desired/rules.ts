import { capabilities, compareVersions } from '../openclaw/versions.ts';
import { homeProblem, within } from './paths.ts';
import { resolveInstances, type ResolvedInstance } from './resolve.ts';
import type { SecretRefData, SpecData } from './schema.ts';

export interface RuleViolation {
  path: PropertyKey[];
  message: string;
}

/** Rules that span fields, checked after the schema; each names the path it is about. */
export function specRules(data: SpecData): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (compareVersions(data.openclaw.version, data.openclaw.minimumVersion) < 0) {
    out.push({
      path: ['openclaw', 'version'],
      message: `${data.openclaw.version} is below the minimum patched version ${data.openclaw.minimumVersion}`,
    });
  }
  const seen = { name: new Map<string, number>(), user: new Map<string, number>(), port: new Map<number, number>() };
  const instances = resolveInstances(data);
  instances.forEach((inst, i) => {
    for (const key of ['name', 'user', 'port'] as const) {
      const map = seen[key] as Map<string | number, number>;
      const prev = map.get(inst[key]);
      if (prev !== undefined) {
        out.push({ path: ['instances', i, key], message: `${key} ${inst[key]} is already used by instances[${prev}]` });
      } else map.set(inst[key], i);
    }
  });
  out.push(...boundaryRules(data, instances));
  out.push(...modelRules(data));
  for (const [channel, ids] of Object.entries(data.tools.elevated.allowFrom)) {
    ids.forEach((id, j) => {
      if (id.includes('*')) {
        out.push({
          path: ['tools', 'elevated', 'allowFrom', channel, j],
          message: 'a wildcard lets anyone on the channel run commands on the host; list sender ids',
        });
      }
    });
  }
  if (data.tools.elevated.enabled && Object.keys(data.tools.elevated.allowFrom).length === 0) {
    out.push({
      path: ['tools', 'elevated', 'allowFrom'],
      message: 'elevated tools are enabled with no allowFrom list; disable them or list sender ids',
    });
  }
  if (data.gateway.controlUi.enabled && data.gateway.bind !== 'loopback') {
    out.push({ path: ['gateway', 'bind'], message: 'the control UI may only be served on loopback (use Tailscale Serve)' });
  }
  return out;
}

/** Where a resolved instance field came from: the key written in the spec, else the one it defaults from. */
function origin(data: SpecData, i: number, field: 'user' | 'home'): PropertyKey[] {
  const inst = data.instances[i];
  if (field === 'home' && inst?.home !== undefined) return ['instances', i, 'home'];
  return ['instances', i, inst?.user !== undefined ? 'user' : 'name'];
}

/**
 * The root boundary: a service user is never root, never shares a home with another instance, and
 * its home holds nothing clawops keeps as root (state, waivers, secrets, backups) and is no system
 * directory. (An existing account that clawops did not create is refused at plan time, on the target.)
 */
function boundaryRules(data: SpecData, instances: ResolvedInstance[]): RuleViolation[] {
  const out: RuleViolation[] = [];
  const rootOwned: [PropertyKey[], string][] = [
    [['stateDir'], data.stateDir],
    [['monitoring', 'waiversFile'], data.monitoring.waiversFile],
    [['monitoring', 'textfileDir'], data.monitoring.textfileDir],
  ];
  if ('file' in data.backup.password) rootOwned.push([['backup', 'password', 'file'], data.backup.password.file]);
  // every other secret a file holds: root reads them, and `clawops rotate key` writes beside them
  const refs: [PropertyKey[], SecretRefData | undefined][] = [
    [['gateway', 'auth', 'token'], data.gateway.auth.token],
    ...Object.entries(data.providers).map(([id, p]): [PropertyKey[], SecretRefData | undefined] => [['providers', id, 'apiKey'], p.apiKey]),
    [['channels', 'telegram', 'botToken'], data.channels.telegram?.botToken],
    ...data.monitoring.alerts.map((a, i): [PropertyKey[], SecretRefData | undefined] => [['monitoring', 'alerts', i, 'url'], a.type === 'webhook' || a.type === 'ping' ? a.url : undefined]),
    ...(data.report.publish && 's3' in data.report.publish
      ? [[['report', 'publish', 's3', 'accessKeyId'], data.report.publish.s3.accessKeyId], [['report', 'publish', 's3', 'secretAccessKey'], data.report.publish.s3.secretAccessKey]] as [PropertyKey[], SecretRefData][]
      : []),
  ];
  for (const [path, r] of refs) if (r && 'file' in r) rootOwned.push([[...path, 'file'], r.file]);
  if (data.backup.repository.startsWith('/')) rootOwned.push([['backup', 'repository'], data.backup.repository]);
  instances.forEach((inst, i) => {
    if (inst.user === 'root') {
      out.push({
        path: origin(data, i, 'user'),
        message: 'the service user may not be root: the gateway would run with every right on the host; ' +
          'leave user unset (openclaw-svc) or name a dedicated user',
      });
    }
    const bad = homeProblem(inst.home);
    if (bad) out.push({ path: origin(data, i, 'home'), message: bad });
    instances.slice(0, i).forEach((other, j) => {
      // the same user (reported above) has the same default home
      if (inst.user !== other.user && (within(inst.home, other.home) || within(other.home, inst.home))) {
        const how = inst.home === other.home
          ? 'is also the home of'
          : within(inst.home, other.home) ? 'is inside the home of' : 'contains the home of';
        out.push({
          path: origin(data, i, 'home'),
          message: `home ${inst.home} ${how} instances[${j}] (${other.home}): each instance's user owns its home alone`,
        });
      }
    });
    for (const [path, p] of rootOwned) {
      if (within(p, inst.home)) {
        out.push({
          path,
          message: `${p} is inside the home of instances[${i}] (${inst.home}), which its service user controls; keep it outside`,
        });
      }
    }
  });
  return out;
}

/** Model refs name a model their custom provider lists; a provider URL carries no credential; a plugin is enabled or disabled, not both. */
function modelRules(data: SpecData): RuleViolation[] {
  const out: RuleViolation[] = [];
  const refs: [PropertyKey[], string][] = [
    ...(data.model.primary ? [[['model', 'primary'], data.model.primary] as [PropertyKey[], string]] : []),
    ...data.model.fallbacks.map((r, i): [PropertyKey[], string] => [['model', 'fallbacks', i], r]),
  ];
  for (const [path, r] of refs) {
    const [id, model] = [r.slice(0, r.indexOf('/')), r.slice(r.indexOf('/') + 1)];
    const p = data.providers[id];
    if (p && !p.models.some((m) => m.id === model)) {
      out.push({ path, message: `provider ${id} lists no model ${model} (it has: ${p.models.map((m) => m.id).join(', ')})` });
    }
  }
  if (data.channels.telegram?.apiRoot && !capabilities(data.openclaw.version).telegramApiRoot) {
    out.push({ path: ['channels', 'telegram', 'apiRoot'], message: `OpenClaw ${data.openclaw.version} has no channels.telegram.apiRoot (it rejects the key); leave it out to use Telegram's own Bot API` });
  }
  data.plugins.disable.forEach((id, i) => {
    if (data.plugins.enable.includes(id)) out.push({ path: ['plugins', 'disable', i], message: `plugin ${id} is also in plugins.enable` });
    if (id === 'telegram' && data.channels.telegram) out.push({ path: ['plugins', 'disable', i], message: 'channels.telegram configures a bot whose plugin this disables' });
  });
  for (const [id, p] of Object.entries(data.providers)) {
    if (/^[a-z]+:\/\/[^/@]*@/i.test(p.baseUrl)) {
      out.push({ path: ['providers', id, 'baseUrl'], message: 'a URL with credentials in it: put the key in apiKey (a secret reference) instead' });
    }
  }
  return out;
}
