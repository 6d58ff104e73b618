/** OpenClaw's config is JSON5: parsed with the same parser OpenClaw uses. */
import JSON5 from 'json5';

export function parseJson5(text: string): unknown {
  return JSON5.parse(text);
}
