/**
 * `clawops render <artifact>`: any file clawops would write, as it would write it, so an operator
 * can read it before applying. Areas register their artifacts (units, jail.local, ufw rules, ...).
 */
import { ClawopsError } from '../core/errors.ts';
import type { Executor } from '../exec/types.ts';
import type { ResolvedSpec } from '../desired/resolve.ts';

export interface RenderedFile {
  path: string;
  content: string;
}

export interface Artifact {
  /** what the operator types: `jail.local`, `daemon.json`, `unit`, ... */
  name: string;
  description: string;
  /**
   * The file(s) for this spec; [] when the spec does not ask for it. `ex` reads the target when the
   * result depends on it (a merge into an existing file); rendering never changes anything.
   */
  render(spec: ResolvedSpec, ex: Executor): Promise<RenderedFile[]>;
}

const artifacts = new Map<string, Artifact>();

export function registerArtifact(a: Artifact): void {
  artifacts.set(a.name, a);
}

export function listArtifacts(): Artifact[] {
  return [...artifacts.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function getArtifact(name: string): Artifact {
  const a = artifacts.get(name);
  if (!a) {
    throw new ClawopsError(`unknown artifact "${name}"`, {
      hint: `one of: ${listArtifacts().map((x) => x.name).join(', ')} (clawops render --list)`,
    });
  }
  return a;
}
