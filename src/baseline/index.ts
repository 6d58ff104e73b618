/** The host baseline as one area: its resources here, its checks in the catalogue (src/baseline/checks.ts). */
import type { Area } from '../engine/registry.ts';
import { fileState } from '../facts/system.ts';
import { isFileResource } from '../resources/file.ts';
import { aideResources, refreshAfterApply } from './aide.ts';
import { baselineResources } from './resources.ts';

export const baselineArea: Area = {
  name: 'baseline',
  resources: baselineResources,
  // AIDE watches the files every other area writes
  derived: (spec, others) => {
    if (!spec.baseline.aide) return [];
    const paths = others.filter(isFileResource).flatMap((r) => r.needs().filter((n) => n.kind === fileState).map((n) => n.arg));
    return aideResources(spec, paths);
  },
  afterApply: (spec, ex, journal, done) => (spec.baseline.aide ? refreshAfterApply(ex, spec, journal, done) : Promise.resolve(undefined)),
};
