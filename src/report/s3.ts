/**
 * One S3 PUT, signed with AWS Signature Version 4 (path-style: `<endpoint>/<bucket>/<key>`, which
 * every S3-compatible store takes: AWS, Cloudflare R2, MinIO, Garage). The payload's sha256 is
 * signed too. Credentials come from spec references and go only into the signature.
 */
import { createHash, createHmac } from 'node:crypto';

export interface S3Target {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding of one path segment, as SigV4 wants it (S3: encoded once, "/" kept between segments). */
export const encodeKey = (key: string): string =>
  key.split('/').map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');

export interface SignInput {
  method: string;
  url: URL;
  /** headers to sign besides host, x-amz-date and x-amz-content-sha256 */
  headers: Record<string, string>;
  payloadHash: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  now: Date;
}

/** Pure: SigV4 over an S3 request (no query string): the headers to send, authorization included. */
export function sign(i: SignInput): Record<string, string> {
  const amzDate = i.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...Object.fromEntries(Object.entries(i.headers).map(([k, v]) => [k.toLowerCase(), v])), host: i.url.host, 'x-amz-content-sha256': i.payloadHash, 'x-amz-date': amzDate };
  const names = Object.keys(headers).sort();
  const canonical = [i.method, i.url.pathname, '', ...names.map((n) => `${n}:${headers[n]!.trim()}`), '', names.join(';'), i.payloadHash].join('\n');
  const scope = `${day}/${i.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key4 = hmac(hmac(hmac(hmac(`AWS4${i.secretAccessKey}`, day), i.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key4).update(toSign).digest('hex');
  const { host: _host, ...sent } = headers;
  return { ...sent, authorization: `AWS4-HMAC-SHA256 Credential=${i.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

/** Pure: a signed path-style PUT of `body` to `key` at `now`. */
export function signPut(t: S3Target, key: string, body: Buffer, contentType: string, now: Date): { url: string; headers: Record<string, string> } {
  const url = new URL(`${t.endpoint.replace(/\/$/, '')}/${encodeURIComponent(t.bucket)}/${encodeKey(key)}`);
  return { url: url.toString(), headers: sign({ method: 'PUT', url, headers: { 'content-type': contentType }, payloadHash: sha256(body), region: t.region, accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey, now }) };
}

/** PUT one object; throws with the store's own error code and message (never the credentials). */
export async function putObject(t: S3Target, key: string, body: Buffer, contentType: string, now = new Date(), timeoutMs = 60_000): Promise<void> {
  const { url, headers } = signPut(t, key, body, contentType, now);
  const r = await fetch(url, { method: 'PUT', headers, body: new Uint8Array(body), signal: AbortSignal.timeout(timeoutMs) });
  if (r.ok) return;
  const text = await r.text().catch(() => '');
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  throw new Error(`PUT ${t.bucket}/${key}: HTTP ${r.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`);
}
