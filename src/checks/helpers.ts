/** Small helpers shared by the catalogue modules. */
import { capabilities, parseVersion, type Capabilities, type OpenclawVersion } from '../openclaw/versions.ts';
import { openclawInstall } from '../facts/openclaw.ts';
import { FactUnknownError, type FactReader, isUnknown, ref } from '../facts/types.ts';
import type { FileStat } from '../exec/types.ts';
import type { StatValue } from '../facts/system.ts';
import type { CheckContext } from './types.ts';

/** Thrown by `need` when a fact is unknown; the runner turns it into an `unknown` verdict. */
export const installRef = (ctx: CheckContext) => ref(openclawInstall, ctx.inst.bin);

/** The OpenClaw version that decides version-aware verdicts: the installed one, else the pin. */
export function effectiveVersion(f: FactReader, ctx: CheckContext): { version: OpenclawVersion; caps: Capabilities; note: string } {
  const inst = f.get(installRef(ctx));
  if (!isUnknown(inst)) return { version: inst.version, caps: capabilities(inst.version), note: `OpenClaw ${inst.version.raw}` };
  const pinned = parseVersion(ctx.spec.openclaw.version);
  if (!pinned) throw new FactUnknownError(`no OpenClaw version: ${inst.unknown}`);
  return { version: pinned, caps: capabilities(pinned), note: `OpenClaw ${pinned.raw} (pinned; installed version unknown)` };
}

export const octal = (mode: number) => mode.toString(8).padStart(3, '0');

export function describeStat(s: FileStat): string {
  return `${s.path} ${s.type} ${octal(s.mode)} ${s.owner}:${s.group}`;
}

export function isMissing(s: StatValue): s is { missing: true } {
  return 'missing' in s;
}

/** `sudo`-free shell quoting is not needed here: remediations name paths without spaces. */
export function chmodFix(path: string, mode: number, owner: string, group = owner): string {
  return `chown ${owner}:${group} ${path} && chmod ${octal(mode)} ${path}`;
}

export function list(xs: readonly string[]): string {
  return xs.length ? xs.join(', ') : '(none)';
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
