/** The host baseline as one area: its resources here, its checks in the catalogue (src/baseline/checks.ts). */
import type { Area } from '../engine/registry.ts';
import { baselineResources } from './resources.ts';

export const baselineArea: Area = { name: 'baseline', resources: baselineResources };
