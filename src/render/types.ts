/** What `clawops render` prints: a file as apply would write it. */
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
