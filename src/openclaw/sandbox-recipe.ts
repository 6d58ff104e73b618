/**
 * The sandbox image recipe. `openclaw sandbox build` does not exist in any version: OpenClaw's
 * docs (`docs/gateway/sandboxing/images-and-setup.md` in the 2026.9.6 package, "From an npm
 * install") give an inline `docker build -t openclaw-sandbox:bookworm-slim -` with this
 * Dockerfile. 2026.9.x fails fast when the image is missing; 2026.2.x silently pulls plain
 * debian:bookworm-slim and tags it as the sandbox image (no python3 for the write/edit helpers),
 * so clawops builds the real one on both.
 *
 * Hosts without registry access (`aptRepo`): the same recipe in a build stage that takes its
 * packages from a flat apt repository copied into the build context, then flattened into a
 * clean final stage (the repository never reaches the image).
 */
import { createHash } from 'node:crypto';

/** The recipe's base image: pulled by `docker build` when missing (production), or imported beforehand (offline hosts). */
export const SANDBOX_BASE_IMAGE = 'debian:bookworm-slim';
/** The packages of upstream's default image, in upstream's order. */
export const SANDBOX_PACKAGES = ['bash', 'ca-certificates', 'curl', 'git', 'jq', 'python3', 'ripgrep'] as const;
/** The image label holding the recipe's sha256: a rebuild happens only when it differs. */
export const RECIPE_LABEL = 'org.clawops.sandbox.recipe';
/** Where the offline repository sits inside the build context (and inside the build stage). */
export const OFFLINE_REPO_DIR = 'clawops-apt';

export interface RecipeOptions {
  /** the packages to install (default: upstream's list) */
  packages?: readonly string[];
  /** build offline, from a flat apt repository copied into the build context */
  offline?: boolean;
  /** the base image's registry digest: FROM <base>@<digest> */
  baseDigest?: string;
}

/** The FROM reference: the tag, or the tag pinned to a registry digest. */
export const baseImageRef = (digest?: string): string => (digest ? `${SANDBOX_BASE_IMAGE}@${digest}` : SANDBOX_BASE_IMAGE);

const installRun = (packages: readonly string[]) =>
  [
    'RUN apt-get update && apt-get install -y --no-install-recommends \\',
    `  ${packages.join(' ')} \\`,
    '  && rm -rf /var/lib/apt/lists/*',
  ];

const USER_LINE = 'RUN useradd --create-home --shell /bin/bash sandbox';

const tail = ['USER sandbox', 'WORKDIR /home/sandbox', 'CMD ["sleep", "infinity"]'];

/** The Dockerfile: upstream's recipe verbatim online; an equivalent two-stage build offline. */
export function renderSandboxDockerfile(opts: RecipeOptions = {}): string {
  const packages = opts.packages ?? SANDBOX_PACKAGES;
  const from = baseImageRef(opts.baseDigest);
  if (!opts.offline) {
    return [`FROM ${from}`, 'ENV DEBIAN_FRONTEND=noninteractive', ...installRun(packages), USER_LINE, ...tail, ''].join('\n');
  }
  const repo = `/var/local/${OFFLINE_REPO_DIR}`;
  return [
    '# offline build: packages from the flat apt repository in the build context; the final stage',
    '# is the build stage flattened, so the repository copy never reaches the image',
    `FROM ${from} AS build`,
    'ENV DEBIAN_FRONTEND=noninteractive',
    `COPY ${OFFLINE_REPO_DIR}/ ${repo}/`,
    `RUN rm -f /etc/apt/sources.list /etc/apt/sources.list.d/* \\`,
    `  && echo 'deb [trusted=yes] file:${repo} ./' > /etc/apt/sources.list.d/clawops-offline.list \\`,
    '  && apt-get update && apt-get install -y --no-install-recommends \\',
    `  ${packages.join(' ')} \\`,
    `  && rm -rf /var/lib/apt/lists/* ${repo} /etc/apt/sources.list.d/clawops-offline.list`,
    USER_LINE,
    'FROM scratch',
    'COPY --from=build / /',
    'ENV DEBIAN_FRONTEND=noninteractive PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...tail,
    '',
  ].join('\n');
}

/** `sha256:<hex>` of the Dockerfile text: the image's recipe label. */
export function recipeHash(dockerfile: string): string {
  return `sha256:${createHash('sha256').update(dockerfile).digest('hex')}`;
}
