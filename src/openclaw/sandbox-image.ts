/**
 * The sandbox image as an engine resource: built on the target with `docker build` from the
 * rendered recipe (sandbox-recipe.ts) when Docker is enabled and the sandbox is on. Idempotent:
 * the image carries the recipe's sha256 as a label, read back with `docker image inspect`; the
 * same recipe is never rebuilt. The plan says where the base image comes from: already on the
 * target, or pulled by `docker build` (a host without registry access must have it beforehand).
 */
import { ClawopsError } from '../core/errors.ts';
import { PlanProblemError } from '../engine/errors.ts';
import type { Journal, JsonValue, PlanOutcome, PlannedChange, Resource } from '../engine/types.ts';
import type { Executor } from '../exec/types.ts';
import { readFact, scriptFact } from '../facts/probe.ts';
import { textFile } from '../facts/system.ts';
import { type FactKind, known, ref, unknown } from '../facts/types.ts';
import { progress } from '../resources/file.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';
import { baseImageRef, OFFLINE_REPO_DIR, RECIPE_LABEL, SANDBOX_BASE_IMAGE, recipeHash, renderSandboxDockerfile } from './sandbox-recipe.ts';

export interface SandboxImageOptions {
  /**
   * Build without registry access: a flat apt repository (a directory with `Packages`) on the
   * target supplies the recipe's packages; the base image must already be on the target.
   */
  aptRepo?: string;
  /** the packages to install (default: upstream's list) */
  packages?: readonly string[];
  /** docker build timeout (default 30 min) */
  timeoutMs?: number;
}

export interface SandboxImageState {
  [k: string]: JsonValue;
  image: string;
  /** the docker CLI is on the target */
  docker: boolean;
  /** the image exists */
  imagePresent: boolean;
  /** its recipe label (null: absent or built by someone else) */
  recipe: string | null;
  /** its image id (`sha256:...`; null: absent) */
  id: string | null;
  /** the recipe's base image is on the target already */
  basePresent: boolean;
  /** its registry digests (`sha256:...`, from RepoDigests; none for an image made by docker import) */
  baseDigests: string[];
  /** offline builds: the repository's index exists (null: online build) */
  repoPresent: boolean | null;
}

/** What clawops built last: the image id is the digest the gate holds the tag to. */
export interface BuiltRecord {
  image: string;
  id: string;
  recipe: string;
  builtAt: string;
}

export interface SandboxImageChangeData {
  [k: string]: JsonValue;
  /** only the record is missing: the image is the current recipe's, keep it */
  recordOnly: boolean;
  image: string;
  dockerfile: string;
  recipe: string;
  contextDir: string;
  aptRepo: string | null;
  replaces: boolean;
}

export const SANDBOX_IMAGE_KIND = 'sandbox-image';
export const sandboxImageResourceId = (image: string) => `${SANDBOX_IMAGE_KIND}:${image}`;

/** The build context on the target (clawops state, root only). */
export function sandboxContextDir(spec: ResolvedSpec): string {
  return `${spec.stateDir}/sandbox-image`;
}

/** The record of the last build (root 0600): image, id, recipe, time. */
export function builtRecordPath(spec: ResolvedSpec): string {
  return `${sandboxContextDir(spec)}/built.json`;
}

/** Pure: the record's text (null: none, or not a record). */
export function parseBuiltRecord(text: string | null): BuiltRecord | null {
  if (text === null) return null;
  try {
    const j = JSON.parse(text) as Partial<BuiltRecord>;
    return typeof j.image === 'string' && typeof j.id === 'string' && typeof j.recipe === 'string' && typeof j.builtAt === 'string' ? (j as BuiltRecord) : null;
  } catch {
    return null;
  }
}

/** Whether the spec wants the image at all. */
export function wantsSandboxImage(spec: ResolvedSpec): boolean {
  return spec.docker.enabled && spec.sandbox.mode !== 'off';
}

export function sandboxDockerfile(opts: SandboxImageOptions = {}, baseDigest?: string): string {
  return renderSandboxDockerfile({ offline: opts.aptRepo !== undefined, ...(opts.packages ? { packages: opts.packages } : {}), ...(baseDigest ? { baseDigest } : {}) });
}

// docker CLI, the image's labels, the base image, the offline apt repo: one round trip
const IMAGE_SCRIPT = `image=$1 base=$2 repo=\${3:-}
command -v docker >/dev/null 2>&1 || { echo docker=no; exit 0; }
echo docker=yes
if out=$(docker image inspect --format '{{json .Config.Labels}}' "$image" 2>&1); then printf 'labels=%s\\n' "$out"; printf 'id=%s\\n' "$(docker image inspect --format '{{.Id}}' "$image")"
else case "$out" in *"o such image"*|*"o such object"*) echo labels=;; *) printf 'docker does not answer: %s\\n' "$out" >&2; exit 5;; esac
fi
if digests=$(docker image inspect --format '{{range .RepoDigests}}{{.}} {{end}}' "$base" 2>/dev/null); then echo base=yes; printf 'digests=%s\\n' "$digests"; else echo base=no; fi
if [ -n "$repo" ]; then if [ -f "$repo/Packages" ]; then echo repo=yes; else echo repo=no; fi; fi
true`;

/** The sandbox image on the target (arg: image, base image, offline repo dir or empty). */
export const sandboxImage: FactKind<SandboxImageState> = scriptFact({
  kind: 'docker.sandbox-image',
  describe: 'the sandbox image clawops builds: present, its recipe label, the base image',
  script: IMAGE_SCRIPT,
  timeoutMs: 30_000,
  parse(out, arg) {
    const image = arg.split('\n')[0] ?? '';
    const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(out)?.[1];
    const empty = { image, imagePresent: false, recipe: null, id: null, basePresent: false, baseDigests: [], repoPresent: null };
    if (get('docker') !== 'yes') return { ...empty, docker: false };
    const labels = get('labels') ?? '';
    let recipe: string | null = null;
    if (labels !== '') {
      try {
        recipe = (JSON.parse(labels) as Record<string, string> | null)?.[RECIPE_LABEL] ?? null;
      } catch {
        return unknown(`docker image inspect ${image}: unexpected output`);
      }
    }
    const repo = get('repo');
    const baseDigests = (get('digests') ?? '').split(' ').flatMap((d) => /@(sha256:[0-9a-f]{64})$/.exec(d)?.[1] ?? []);
    const id = /^sha256:[0-9a-f]{64}$/.exec(get('id') ?? '')?.[0] ?? null;
    return { ...empty, docker: true, imagePresent: labels !== '', recipe, id, basePresent: get('base') === 'yes', baseDigests, repoPresent: repo === undefined ? null : repo === 'yes' };
  },
});

export const imageRef = (image: string, opts: SandboxImageOptions) => ref(sandboxImage, [image, SANDBOX_BASE_IMAGE, opts.aptRepo ?? ''].join('\n'));

export function readSandboxImageState(ex: Executor, image: string, opts: SandboxImageOptions = {}): Promise<SandboxImageState> {
  return readFact(ex, imageRef(image, opts));
}

/**
 * Pure: the build (or why none is needed) for the state read and the record of the last build. An
 * image of the current recipe whose id is not the recorded one was replaced under the tag: rebuilt.
 */
export function planSandboxImage(spec: ResolvedSpec, s: SandboxImageState, opts: SandboxImageOptions = {}, record: BuiltRecord | null = null): PlanOutcome {
  const pin = spec.sandbox.baseDigest;
  const dockerfile = sandboxDockerfile(opts, pin);
  const want = recipeHash(dockerfile);
  if (!s.docker) {
    return { noop: `docker is not installed on the target: ${s.image} cannot be built until Docker Engine is (OpenClaw runs sandboxed tools in it)` };
  }
  const mine = record !== null && record.image === s.image;
  if (s.recipe === want && mine && record.id === s.id) return { noop: `${s.image} is built from the current recipe (${want.slice(0, 19)}), id ${s.id?.slice(0, 19)} as recorded` };
  if (s.recipe === want && !mine) {
    const data: SandboxImageChangeData = { recordOnly: true, image: s.image, dockerfile, recipe: want, contextDir: sandboxContextDir(spec), aptRepo: opts.aptRepo ?? null, replaces: false };
    return { changes: [{ resourceId: sandboxImageResourceId(s.image), kind: SANDBOX_IMAGE_KIND, action: 'change', summary: `record the id of ${s.image} (built from the current recipe; no record of the build yet)`, data }] };
  }
  if (opts.aptRepo !== undefined) {
    if (!s.basePresent) {
      throw new PlanProblemError('sandbox.image', `the base image ${SANDBOX_BASE_IMAGE} is not on the target and the build is offline (no registry)`, {
        hint: `load it on the target first (docker load / docker import ... ${SANDBOX_BASE_IMAGE})`,
      });
    }
    if (pin && !s.baseDigests.includes(pin)) {
      throw new PlanProblemError('sandbox.baseDigest', `the base image ${SANDBOX_BASE_IMAGE} on the target does not have the pinned digest ${pin} (it has ${s.baseDigests.join(', ') || 'no registry digest'}) and the build is offline`, {
        hint: 'docker load an image saved from the registry at that digest, or correct sandbox.baseDigest',
      });
    }
    if (!s.repoPresent) {
      throw new PlanProblemError('sandbox.image', `the offline apt repository ${opts.aptRepo} has no Packages index`, {
        hint: 'point the offline build at a flat apt repository (a directory with .deb files and Packages)',
      });
    }
  }
  const from = baseImageRef(pin);
  const local = s.basePresent && (!pin || s.baseDigests.includes(pin));
  const base = `${from} (${local ? 'on the target' : 'pulled from its registry by docker build'}${pin ? '' : '; not pinned: sandbox.baseDigest pins it'})`;
  const why = !s.imagePresent ? 'absent' : s.recipe === null ? 'not built by clawops' : s.recipe === want ? `replaced under the tag since clawops built ${record?.id.slice(0, 19)}` : 'another recipe';
  const data: SandboxImageChangeData = {
    recordOnly: false,
    image: s.image,
    dockerfile,
    recipe: want,
    contextDir: sandboxContextDir(spec),
    aptRepo: opts.aptRepo ?? null,
    replaces: s.imagePresent,
  };
  const change: PlannedChange = {
    resourceId: sandboxImageResourceId(s.image),
    kind: SANDBOX_IMAGE_KIND,
    action: s.imagePresent ? 'change' : 'add',
    summary: `docker build ${s.image} from ${base}${opts.aptRepo ? `, packages from ${opts.aptRepo}` : ''} (${why})`,
    diff: `~ label ${RECIPE_LABEL}: ${s.recipe ?? '(none)'} -> ${want}`,
    data,
  };
  return { changes: [change] };
}

async function writeBuiltRecord(ex: Executor, d: SandboxImageChangeData, state: SandboxImageState): Promise<void> {
  if (state.id === null) throw new ClawopsError(`docker image inspect ${d.image} gave no image id`);
  const rec: BuiltRecord = { image: d.image, id: state.id, recipe: d.recipe, builtAt: new Date().toISOString() };
  await ex.run(['install', '-d', '-m', '0700', '-o', 'root', '-g', 'root', d.contextDir]);
  await ex.writeFile(`${d.contextDir}/built.json`, `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o600, owner: 'root', group: 'root' });
}

export async function applySandboxImage(ex: Executor, change: PlannedChange, journal: Journal, timeoutMs = 30 * 60_000): Promise<void> {
  const d = change.data as SandboxImageChangeData;
  if (d.recordOnly) {
    await journal.saveFile(ex, `${d.contextDir}/built.json`);
    await writeBuiltRecord(ex, d, await readSandboxImageState(ex, d.image));
    return;
  }
  // removing a new tag undoes an add; a replaced image stays on the host (dangling) and is not re-tagged
  await journal.saveStep(`docker build -t ${d.image}`, d.replaces ? null : ['docker', 'image', 'rm', d.image]);
  progress(journal, `building ${d.image} (docker build)`);
  const repoCopy = `${d.contextDir}/${OFFLINE_REPO_DIR}`;
  await ex.run(['install', '-d', '-m', '0700', '-o', 'root', '-g', 'root', d.contextDir]);
  await ex.run(['rm', '-rf', '--', repoCopy]);
  await ex.writeFile(`${d.contextDir}/Dockerfile`, d.dockerfile, { mode: 0o600, owner: 'root', group: 'root' });
  try {
    if (d.aptRepo !== null) await ex.run(['cp', '-a', '--', `${d.aptRepo}/.`, `${repoCopy}/`], { timeoutMs: 300_000 });
    await ex.run(['docker', 'build', '--label', `${RECIPE_LABEL}=${d.recipe}`, '-t', d.image, '-f', `${d.contextDir}/Dockerfile`, d.contextDir], {
      timeoutMs,
      maxOutputBytes: 16 * 1024 * 1024,
    });
  } finally {
    await ex.run(['rm', '-rf', '--', repoCopy], { allowFailure: true });
  }
  const after = await readSandboxImageState(ex, d.image);
  if (after.recipe !== d.recipe) {
    throw new ClawopsError(`docker build finished but ${d.image} carries recipe ${after.recipe ?? '(none)'}`, {
      hint: `build it by hand from ${d.contextDir}/Dockerfile to see docker's output`,
    });
  }
  await journal.saveFile(ex, `${d.contextDir}/built.json`);
  await writeBuiltRecord(ex, d, after);
}

export function sandboxImageResource(spec: ResolvedSpec, opts: SandboxImageOptions = {}, dependsOn: readonly string[] = []): Resource {
  const image = spec.sandbox.image;
  return {
    id: sandboxImageResourceId(image),
    kind: SANDBOX_IMAGE_KIND,
    dependsOn,
    needs: () => [imageRef(image, opts), ref(textFile, builtRecordPath(spec))],
    plan: (f) => planSandboxImage(spec, known(f, imageRef(image, opts)), opts, parseBuiltRecord(known(f, ref(textFile, builtRecordPath(spec))).content)),
    apply: (ex, change, journal) => applySandboxImage(ex, change, journal, opts.timeoutMs),
  };
}
