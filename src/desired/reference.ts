import { specJsonSchema } from './json-schema.ts';

interface Node {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  additionalProperties?: Node | boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

/** The spec reference (docs/spec.md), generated from the validator's JSON Schema. */
export function specReference(): string {
  const rows: string[] = [];
  walk(specJsonSchema() as Node, '', rows);
  return `# clawops spec reference

Generated from the validator by \`npm run docs\` (a test fails when this file is stale).
Every key is optional: the default is what clawops does without a spec. Unknown keys are errors.
Secrets are references only: \`{file: /abs/path}\` or \`{env: NAME}\`.
No string may hold a control character (newline, tab, NUL...); absolute paths are normalised (no \`..\`).
A file is at most 1 MiB of UTF-8, 64 levels deep, with at most 100 aliases and no duplicate keys.

| key | type | default | meaning |
|---|---|---|---|
${rows.join('\n')}
`;
}

function walk(node: Node, path: string, rows: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const p = path ? `${path}.${key}` : key;
    const isObject = child.type === 'object' && child.properties;
    if (!isObject || child.description) {
      rows.push(`| \`${p}\` | ${typeOf(child)} | ${child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``} | ${(child.description ?? '').replace(/\|/g, '\\|')} |`);
    }
    if (isObject) walk(child, p, rows);
    if (child.type === 'array' && child.items?.properties) walk(child.items, `${p}[]`, rows);
  }
}

function typeOf(n: Node): string {
  if (n.enum) return n.enum.map((e) => `\`${String(e)}\``).join(' \\| ');
  if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
  if (n.anyOf) return n.anyOf.map(typeOf).join(' \\| ');
  if (n.type === 'array') return `list of ${n.items ? typeOf(n.items) : 'any'}`;
  if (n.type === 'object' && n.properties) return `{${Object.keys(n.properties).join(', ')}}`;
  if (n.type === 'object') return 'map';
  if (n.type === 'integer' && (n.minimum !== undefined || n.maximum !== undefined)) return `integer ${n.minimum ?? ''}..${n.maximum !== undefined && n.maximum < 1e9 ? n.maximum : ''}`;
  return Array.isArray(n.type) ? n.type.join(' \\| ') : (n.type ?? 'any');
}
