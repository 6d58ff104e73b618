/**
 * `clawops render <artifact>`: any file clawops would write, as it would write it, so an operator
 * can read it before applying. The artifacts of every area, listed once.
 */
import { ClawopsError } from '../core/errors.ts';
import { HOST_ARTIFACTS } from './host.ts';
import { LAYER_ARTIFACTS } from './layers.ts';
import { MONITORING_ARTIFACTS } from './monitoring.ts';
import { SECRETS_ARTIFACTS } from './secrets.ts';
import type { Artifact } from './types.ts';

export type { Artifact, RenderedFile } from './types.ts';

const ARTIFACTS: readonly Artifact[] = [...HOST_ARTIFACTS, ...LAYER_ARTIFACTS, ...MONITORING_ARTIFACTS, ...SECRETS_ARTIFACTS].sort((a, b) => a.name.localeCompare(b.name));

export function listArtifacts(): Artifact[] {
  return [...ARTIFACTS];
}

export function getArtifact(name: string): Artifact {
  const a = ARTIFACTS.find((x) => x.name === name);
  if (!a) {
    throw new ClawopsError(`unknown artifact "${name}"`, {
      hint: `one of: ${listArtifacts().map((x) => x.name).join(', ')} (clawops render --list)`,
    });
  }
  return a;
}
