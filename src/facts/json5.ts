/**
 * OpenClaw's config is JSON5: parsed with the same parser OpenClaw uses. Plain JSON (what clawops
 * writes) takes the built-in parser; the json5 package is loaded only for real JSON5, because
 * compiling it costs the every-minute health check over 3 MB.
 */
import { createRequire } from 'node:module';

type Json5 = { parse(text: string): unknown; stringify(value: unknown, replacer?: null, space?: number | string): string };
let json5: Json5 | undefined;

export function loadJson5(): Json5 {
  json5 ??= createRequire(import.meta.url)('json5') as Json5;
  return json5;
}

export function parseJson5(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return loadJson5().parse(text);
  }
}
