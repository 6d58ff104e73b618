import { z } from 'zod';
import { Spec } from './schema.ts';

/** The published JSON Schema of the spec, generated from the validator (never written by hand). */
export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Spec, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://clawops.dev/schema/clawops-spec-v1.json',
    title: 'clawops spec (clawops.yaml)',
  };
}
