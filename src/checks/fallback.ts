/**
 * The Tailscale-down SSH fallback (`access.sshFallback`): while it holds the SSH port open, or
 * refuses to open it because sshd is not key-only, that is a failure a person must see (the
 * fallback's own tick sends it the moment it happens; the gate shows it while it lasts).
 */
import { fallbackRecordPath, parseFallbackRecord } from '../fallback/state.ts';
import { textFile } from '../facts/system.ts';
import { known, ref } from '../facts/types.ts';
import { type CheckDef, fail, pass, skipped } from './types.ts';

export const FALLBACK_CHECK_ID = 'access.ssh-fallback';

export const fallbackChecks: CheckDef[] = [
  {
    id: FALLBACK_CHECK_ID,
    title: 'The Tailscale-down SSH fallback is closed (and could open: sshd key-only, keys in place)',
    area: 'access', severity: 'critical', profiles: ['go-live', 'security'], scope: 'host',
    runbook: 'hardened guide 10 (locked out: option 2, automated SSH fallback)',
    remediation: 'bring Tailscale back (tailscale up; the port closes by itself after access.sshFallback.upAfterSec); refused: make sshd key-only (PasswordAuthentication no, PubkeyAuthentication yes, KbdInteractiveAuthentication no) with authorized keys for a login account',
    // off: skipped (a fallback switched off while open is closed by its timer's next tick, which reads the new spec)
    needs: (ctx) => (ctx.spec.access.sshFallback.enabled ? [ref(textFile, fallbackRecordPath(ctx.spec.stateDir))] : []),
    evaluate(f, ctx) {
      if (!ctx.spec.access.sshFallback.enabled) return skipped('access.sshFallback.enabled is false');
      const r = parseFallbackRecord(known(f, ref(textFile, fallbackRecordPath(ctx.spec.stateDir))).content);
      if (r.open) return fail(`port ${r.port}/tcp is open in UFW since ${r.openedAt}: Tailscale down since ${r.downSince} (last reading: ${r.tailscale})`);
      if (r.refused) return fail(r.refused);
      return pass(`closed; Tailscale ${r.tailscale}${r.downSince ? `, down since ${r.downSince}` : ''}`);
    },
  },
];
