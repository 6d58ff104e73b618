import { Document, isMap, isScalar, type YAMLMap } from 'yaml';
import { specJsonSchema } from './json-schema.ts';
import { Spec } from './schema.ts';

interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
}

const HEADER = `clawops spec: the desired state of one OpenClaw host.
Every key below shows its default; delete what you do not change.
Secrets are never values here, only references: {file: /path} or {env: NAME}.
Validate with: clawops spec validate -f clawops.yaml`;

/** A complete, commented example spec: the embedded defaults, annotated from the schema's descriptions. */
export function exampleSpec(): string {
  const defaults = Spec.parse({});
  const doc = new Document(defaults);
  doc.commentBefore = HEADER.split('\n').map((l) => ` ${l}`).join('\n');
  annotate(doc.contents as YAMLMap, specJsonSchema() as SchemaNode);
  return doc.toString({ lineWidth: 100 });
}

function annotate(map: YAMLMap, schema: SchemaNode): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const sub = key ? schema.properties?.[key] : undefined;
    if (!sub || !key) continue;
    if (sub.description && isScalar(pair.key)) pair.key.commentBefore = ` ${sub.description}`;
    if (isMap(pair.value)) annotate(pair.value, sub);
  }
}
