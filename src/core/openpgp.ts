/**
 * The fingerprints of the primary keys in a binary (dearmored) OpenPGP keyring, read without gpg:
 * a v4 key's fingerprint is SHA-1 over 0x99, the two-byte body length and the public-key packet body
 * (RFC 4880 12.2). Keys of other versions are listed as such, never matched.
 */
import { createHash } from 'node:crypto';

export interface KeyringKey {
  version: number;
  /** upper-case hex, no spaces; empty for versions this reader does not fingerprint */
  fingerprint: string;
}

const PUBLIC_KEY = 6;

/** Normalizes a fingerprint as people write it (spaces, lower case) to 40 upper-case hex digits. */
export function normalizeFingerprint(s: string): string {
  return s.replace(/\s+/g, '').toUpperCase();
}

export function keyringKeys(buf: Buffer): KeyringKey[] {
  const keys: KeyringKey[] = [];
  let at = 0;
  while (at < buf.length) {
    const head = buf[at] ?? 0;
    if ((head & 0x80) === 0) throw new Error(`not an OpenPGP keyring (byte ${at}: no packet header; armored? run gpg --dearmor)`);
    let tag: number;
    let len: number;
    let body: number;
    if (head & 0x40) {
      tag = head & 0x3f;
      const b1 = buf[at + 1] ?? 0;
      if (b1 < 192) [len, body] = [b1, at + 2];
      else if (b1 < 224) [len, body] = [((b1 - 192) << 8) + (buf[at + 2] ?? 0) + 192, at + 3];
      else if (b1 === 255) [len, body] = [buf.readUInt32BE(at + 2), at + 6];
      else throw new Error(`partial-length packet at byte ${at}: not a keyring`);
    } else {
      tag = (head >> 2) & 0x0f;
      const lt = head & 3;
      if (lt === 0) [len, body] = [buf[at + 1] ?? 0, at + 2];
      else if (lt === 1) [len, body] = [buf.readUInt16BE(at + 1), at + 3];
      else if (lt === 2) [len, body] = [buf.readUInt32BE(at + 1), at + 5];
      else throw new Error(`indeterminate-length packet at byte ${at}: not a keyring`);
    }
    if (body + len > buf.length) throw new Error(`truncated packet at byte ${at}`);
    if (tag === PUBLIC_KEY) {
      const packet = buf.subarray(body, body + len);
      const version = packet[0] ?? 0;
      const fingerprint =
        version === 4 ? createHash('sha1').update(Buffer.from([0x99, len >> 8, len & 0xff])).update(packet).digest('hex').toUpperCase() : '';
      keys.push({ version, fingerprint });
    }
    at = body + len;
  }
  return keys;
}
