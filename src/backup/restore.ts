/**
 * Restores: into a fresh directory (verified against the snapshot's manifest), or in place for
 * one instance (stop the gateway, move the live state aside and keep it, move the verified
 * restored state in, start the gateway). Nothing live is touched until a restore has been
 * written completely and verified, so a full disk or a bad snapshot leaves the host as it was.
 */
import { randomBytes } from 'node:crypto';
import { ClawopsError } from '../core/errors.ts';
import { clearForeignLeases, reownRestoredState, type Adopted } from './adopt.ts';
import { type BackupContext, log, systemctlUnits, withLock, withRestic } from './context.ts';
import { MANIFEST_NAME, MANIFEST_TAG_PREFIX, describeVerifyFailure, manifestDigest, parseManifest, verifyAgainst, type Manifest, type VerifyResult } from './manifest.ts';
import { restoreArgv } from './plan.ts';
import type { Snapshot } from './restic-parse.ts';
import { type Restic, tagValue } from './restic.ts';
import { hashTree, removeDir } from './stage.ts';
import { applySpecModes, sanitizeRestored } from './sanitize.ts';
import { configPath } from '../openclaw/paths.ts';

export interface RestoreResult {
  snapshot: Snapshot;
  dir: string;
  manifest?: Manifest;
  verify: VerifyResult;
  restoreMs: number;
  verifyMs: number;
}

const SNAPSHOT_RE = /^(latest|[0-9a-f]{8,64})$/;

/** `latest` (of the instance, when given) or an id prefix, among clawops' snapshots. */
export async function resolveSnapshot(restic: Restic, ref: string, instance?: string): Promise<Snapshot> {
  if (!SNAPSHOT_RE.test(ref)) throw new ClawopsError(`invalid snapshot id ${JSON.stringify(ref)}`, { hint: 'use `latest` or an id from `clawops backup list`' });
  const snaps = await restic.snapshots(instance ? { instance } : {});
  const found = ref === 'latest' ? snaps[snaps.length - 1] : snaps.find((s) => s.id.startsWith(ref));
  if (!found) {
    throw new ClawopsError(ref === 'latest' ? `no clawops snapshot${instance ? ` of instance ${instance}` : ''} in ${restic.repository}` : `no clawops snapshot ${ref}${instance ? ` of instance ${instance}` : ''} in ${restic.repository}`, {
      hint: ref === 'latest' ? 'run `clawops backup run` first' : 'list them with `clawops backup list`',
    });
  }
  return found;
}

/** restic restore into `dir` (which must not hold anything), then verification against the manifest. */
export async function restoreSnapshot(ctx: BackupContext, restic: Restic, snap: Snapshot, dir: string): Promise<RestoreResult> {
  const t0 = Date.now();
  log(ctx, `restoring snapshot ${snap.shortId} (${snap.time}) into ${dir}`);
  await restic.run(restoreArgv(snap.id, dir), { what: `restoring snapshot ${snap.shortId} into ${dir}` });
  await sanitizeRestored(ctx.ex, dir);
  return verified(ctx, snap, dir, Date.now() - t0);
}

async function verified(ctx: BackupContext, snap: Snapshot, dir: string, restoreMs: number): Promise<RestoreResult> {
  const t1 = Date.now();
  const verify = await verifyTree(ctx, snap, dir);
  return { snapshot: snap, dir, verify: verify.result, ...(verify.manifest ? { manifest: verify.manifest } : {}), restoreMs, verifyMs: Date.now() - t1 };
}

/**
 * `restic restore REF` overlapped with the snapshot listing REF is resolved and verified against
 * (both take shared repository locks; each restic start costs about 0.5 s). The snapshot restic
 * says it restored must be the one the listing resolved, else nothing is trusted.
 */
export async function restoreResolving(ctx: BackupContext, restic: Restic, ref: string, dir: string, instance?: string): Promise<RestoreResult> {
  if (!SNAPSHOT_RE.test(ref)) throw new ClawopsError(`invalid snapshot id ${JSON.stringify(ref)}`, { hint: 'use `latest` or an id from `clawops backup list`' });
  const t0 = Date.now();
  log(ctx, `restoring snapshot ${ref}${instance ? ` of ${instance}` : ''} into ${dir}`);
  const filter = ref === 'latest' ? ['clawops', ...(instance ? [`instance=${instance}`] : [])] : [];
  const [run, found] = await Promise.allSettled([
    restic.run(restoreArgv(ref, dir, filter), { what: `restoring snapshot ${ref} into ${dir}` }),
    resolveSnapshot(restic, ref, instance),
  ]);
  if (found.status === 'rejected') throw found.reason;
  if (run.status === 'rejected') throw run.reason;
  const snap = found.value;
  await sanitizeRestored(ctx.ex, dir);
  const shown = /restoring <?snapshot ([0-9a-f]{8,64})/i.exec(run.value.stdout)?.[1];
  if (shown === undefined || !snap.id.startsWith(shown)) {
    throw new ClawopsError(`restic restored snapshot ${shown ?? '(unnamed)'}, but ${ref} is ${snap.shortId}${shown ? ' (a snapshot was added meanwhile?)' : ''}`, { hint: 'run the restore again, naming the snapshot id' });
  }
  return verified(ctx, snap, dir, Date.now() - t0);
}

/** Verify a restored tree: the manifest's digest against the snapshot tag, every file against the manifest. */
export async function verifyTree(ctx: BackupContext, snap: Snapshot, dir: string): Promise<{ result: VerifyResult; manifest?: Manifest }> {
  const buf = await ctx.ex.readFile(`${dir}/${MANIFEST_NAME}`);
  if (!buf) return { result: { ok: false, checked: 0, mismatched: [], missing: [MANIFEST_NAME], extra: [] } };
  const manifest = parseManifest(buf.toString('utf8'));
  const { sizes, sums } = await hashTree(ctx.ex, dir);
  const result = verifyAgainst(manifest, sizes, sums);
  const want = tagValue(snap, MANIFEST_TAG_PREFIX.slice(0, -1));
  if (want !== undefined && want !== manifestDigest(buf)) {
    result.manifestTampered = true;
    result.ok = false;
  }
  return { result, manifest };
}

/** `clawops backup restore SNAPSHOT --to DIR`. DIR must not exist or be empty; on failure it is left as it was. */
export async function restoreTo(ctx: BackupContext, ref: string, dir: string, instance?: string): Promise<RestoreResult> {
  if (!dir.startsWith('/')) throw new ClawopsError(`--to must be an absolute path (got ${dir})`, { hint: 'give the full path of a new or empty directory' });
  const pre = await ctx.ex.run(['sh', '-c', '[ -e "$1" ] || exit 0; [ -d "$1" ] || exit 4; [ -z "$(ls -A -- "$1")" ] || exit 5; exit 6', 'sh', dir], { allowFailure: true });
  if (pre.exitCode === 4 || pre.exitCode === 5) {
    throw new ClawopsError(`${dir} ${pre.exitCode === 4 ? 'exists and is not a directory' : 'is not empty'}: a restore goes into a fresh directory`, {
      hint: 'choose a new directory; to replace an instance\'s live state use `--in-place --instance NAME`',
    });
  }
  const existed = pre.exitCode === 6;
  return withLock(ctx, () =>
    withRestic(ctx, async (restic) => {
      try {
        return await restoreResolving(ctx, restic, ref, dir, instance);
      } catch (err) {
        // leave DIR as it was: absent, or empty
        if (existed) await ctx.ex.run(['sh', '-c', 'find "$1" -mindepth 1 -delete', 'sh', dir], { allowFailure: true });
        else await removeDir(ctx.ex, dir);
        throw err;
      }
    }),
  );
}

export interface InPlaceResult {
  instance: string;
  snapshot: Snapshot;
  verify: VerifyResult;
  /** where the replaced live state was moved (kept) */
  replacedPath?: string;
  restoredPath: string;
  /** owners re-mapped by name and other hosts' gateway leases cleared before the start */
  adopted: Adopted;
  durationMs: number;
}

/**
 * Replace an instance's live state with a snapshot: restore next to it (same file system) and
 * verify, then stop the unit, move the live state aside (kept), move the restored state in,
 * start the unit. The caller has confirmed (this is destructive to the running service).
 */
export async function restoreInPlace(ctx: BackupContext, ref: string, instanceName: string): Promise<InPlaceResult> {
  const inst = ctx.spec.resolved.find((i) => i.name === instanceName);
  if (!inst) throw new ClawopsError(`no instance named ${instanceName} in the spec`, { hint: `use one of: ${ctx.spec.resolved.map((i) => i.name).join(', ')}` });
  const t0 = Date.now();
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const scratch = await restoreScratch(ctx.ex, inst, randomBytes(4).toString('hex'));
  const replaced = `${inst.stateDir}.replaced-${stamp}`;
  return withLock(ctx, () =>
    withRestic(ctx, async (restic) => {
      const snap = await resolveSnapshot(restic, ref, instanceName);
      if (tagValue(snap, 'instance') !== instanceName) {
        throw new ClawopsError(`snapshot ${snap.shortId} is not a backup of instance ${instanceName}`, { hint: 'pick one from `clawops backup list`' });
      }
      let res: RestoreResult;
      try {
        res = await restoreSnapshot(ctx, restic, snap, scratch);
      } catch (err) {
        await removeDir(ctx.ex, scratch);
        throw err;
      }
      if (!res.verify.ok) {
        await removeDir(ctx.ex, scratch);
        throw new ClawopsError(`snapshot ${snap.shortId} failed verification, live state left untouched: ${describeVerifyFailure(res.verify)}`, { hint: 'restore an older snapshot, and run `clawops drill`' });
      }
      const restoredState = `${scratch}/instance/${instanceName}/state`;
      const rel = (p: string) => `${restoredState}${p.slice(inst.stateDir.length)}`;
      await applySpecModes(ctx.ex, restoredState, { config: rel(configPath(inst)), envFile: rel(inst.envFile) });
      const reowned = await reownRestoredState(ctx.ex, inst, restoredState);
      const units = ctx.units ?? systemctlUnits(ctx.ex);
      log(ctx, `stopping ${inst.unit}`);
      await units.stop(inst.unit);
      const mv = await ctx.ex.run(['sh', '-c', 'set -eu; if [ -e "$1" ]; then mv -T -- "$1" "$2"; echo moved; fi; mv -T -- "$3" "$1"', 'sh', inst.stateDir, replaced, restoredState], { allowFailure: true });
      if (mv.exitCode !== 0) {
        throw new ClawopsError(`moving the restored state into ${inst.stateDir} failed: ${mv.stderr.trim().split('\n').pop() ?? ''}`, {
          hint: `the unit ${inst.unit} is stopped; the live state is at ${mv.stdout.includes('moved') ? replaced : inst.stateDir} and the restored copy in ${scratch}`,
        });
      }
      await removeDir(ctx.ex, scratch);
      const keptPath = mv.stdout.includes('moved') ? replaced : undefined;
      const adopted: Adopted = { reowned, foreignLeasesCleared: await clearForeignLeases(ctx.ex, inst) };
      log(ctx, `restored ${inst.stateDir} from ${snap.shortId}${keptPath ? `; the replaced state is kept in ${keptPath}` : ''}; re-owned ${adopted.reowned.owners} owners / ${adopted.reowned.groups} groups to ${inst.user}, ${adopted.foreignLeasesCleared} other host's gateway lease(s) cleared; starting ${inst.unit}`);
      try {
        await units.start(inst.unit);
      } catch (cause) {
        throw new ClawopsError(`the restored state is in place but ${inst.unit} did not start`, {
          cause,
          hint: `look at journalctl -u ${inst.unit}; the previous state is kept in ${keptPath ?? '(there was none)'}`,
        });
      }
      return {
        instance: instanceName, snapshot: snap, verify: res.verify, restoredPath: inst.stateDir,
        ...(keptPath ? { replacedPath: keptPath } : {}), adopted, durationMs: Date.now() - t0,
      };
    }),
  );
}

/**
 * Where an in-place restore is written: on the state's file system (the final move is a rename),
 * but not in a directory the service user can write, or it could swap the scratch for a link while
 * root restores into it. The parent of the user's home (e.g. /home: root, 0755) when it is that;
 * otherwise beside the state as before (the user's home), the one case where the race remains.
 */
export async function restoreScratch(ex: BackupContext['ex'], inst: { home: string; stateDir: string }, id: string): Promise<string> {
  const parent = inst.home.slice(0, inst.home.lastIndexOf('/')) || '/';
  const r = await ex.run(['sh', '-c', '[ "$(stat -c %u -- "$1")" = 0 ] && [ $(( 0$(stat -c %a -- "$1") & 022 )) = 0 ] && [ "$(stat -c %d -- "$1")" = "$(stat -c %d -- "$2")" ]', 'sh', parent, inst.home], { allowFailure: true });
  return r.exitCode === 0 ? `${parent === '/' ? '' : parent}/.clawops-restore-${id}` : `${inst.stateDir}.clawops-restore-${id}`;
}
