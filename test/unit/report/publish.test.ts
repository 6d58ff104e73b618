/**
 * `clawops report publish` against an S3-compatible server (s3rver on
 * loopback: real S3 cannot run here, and s3rver does not check SigV4, so the signer is held to the
 * published example of the SigV4 documentation): the run's objects, then the page in one PUT; a
 * refused upload leaves the previous page; the command form gets the directory.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import S3rver from 's3rver';
import { createHash } from 'node:crypto';
import { encodeKey, sign, signPut } from '../../../src/report/s3.ts';
import { publishReport, type PublishSpec } from '../../../src/report/publish.ts';
import { memoryRuntime } from '../../../src/cli/runtime.ts';
import { runCli } from '../../../src/cli/program.ts';

describe('report publish', () => {
  let server: { run(): Promise<{ port: number }>; close(): Promise<void> };
  let endpoint = '';
  const dir = mkdtempSync(join(tmpdir(), 'clawops-publish-'));
  const write = (d: string, n: number) => {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'index.html'), `<!doctype html><title>report ${n}</title>`);
    writeFileSync(join(d, 'report.json'), JSON.stringify({ n }));
  };
  const s3 = (): PublishSpec => ({ s3: { endpoint, region: 'us-east-1', bucket: 'reports', prefix: 'hosts/vps1/', accessKeyId: { env: 'S3_KEY' }, secretAccessKey: { env: 'S3_SECRET' } } });
  const env = () => ({ S3_KEY: 'S3RVER', S3_SECRET: 'S3RVER' });
  const get = async (key: string) => {
    const r = await fetch(`${endpoint}/reports/${encodeKey(key)}`);
    return r.ok ? r.text() : `HTTP ${r.status}`;
  };

  before(async () => {
    server = new (S3rver as unknown as new (o: object) => typeof server)({ address: '127.0.0.1', port: 0, silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: 'reports' }] });
    endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reproduces the PUT Object example of the SigV4 documentation (the published signature)', () => {
    const body = Buffer.from('Welcome to Amazon S3.');
    const h = sign({
      method: 'PUT', url: new URL(`https://examplebucket.s3.amazonaws.com/${encodeKey('test$file.text')}`),
      headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
      payloadHash: createHash('sha256').update(body).digest('hex'), region: 'us-east-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', now: new Date('2013-05-24T00:00:00Z'),
    });
    assert.equal(h.authorization, 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('an S3 server takes the run, then the page in one PUT; a refused upload leaves the previous page', async () => {
    const d1 = join(dir, 'one');
    write(d1, 1);
    // the server refuses a request time far from its clock: now
    const now = new Date();
    const run = `hosts/vps1/runs/${now.toISOString().replace(/[:.]/g, '')}/`;
    const p = await publishReport(d1, s3(), env(), now);
    assert.deepEqual(p.wrote, [`${run}report.json`, `${run}index.html`, 'hosts/vps1/index.html']);
    assert.equal(await get('hosts/vps1/index.html'), '<!doctype html><title>report 1</title>');
    assert.equal(await get(`${run}report.json`), '{"n":1}');

    const d2 = join(dir, 'two');
    write(d2, 2);
    await assert.rejects(publishReport(d2, s3(), { S3_KEY: 'NOT-A-KEY', S3_SECRET: 'a-secret-value-1234' }, new Date(now.getTime() + 1000)), (e: Error & { hint?: string }) => {
      assert.match(e.message, /HTTP 403 InvalidAccessKeyId/);
      assert.doesNotMatch(e.message + (e.hint ?? ''), /a-secret-value-1234/);
      assert.match(e.hint ?? '', /hosts\/vps1\/index\.html is the previous report/);
      return true;
    });
    assert.equal(await get('hosts/vps1/index.html'), '<!doctype html><title>report 1</title>', 'the previous page stays');
    await publishReport(d2, s3(), env(), new Date(now.getTime() + 2000));
    assert.equal(await get('hosts/vps1/index.html'), '<!doctype html><title>report 2</title>');
  });

  it('a key with spaces and unicode is encoded once, as S3 wants it', () => {
    const { url, headers } = signPut({ endpoint: 'https://s3.example', region: 'auto', bucket: 'b', accessKeyId: 'AK', secretAccessKey: 'SK' }, 'a b/ü(1).html', Buffer.from('x'), 'text/html', new Date('2026-01-01T00:00:00Z'));
    assert.equal(url, 'https://s3.example/b/a%20b/%C3%BC%281%29.html');
    assert.match(headers.authorization!, /^AWS4-HMAC-SHA256 Credential=AK\/20260101\/auto\/s3\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
  });

  it('the command form runs the operator\'s tool with the directory; a failure says so; no report, no publish', async () => {
    const d = join(dir, 'cmd');
    write(d, 3);
    const out = join(dir, 'seen.txt');
    const r = await publishReport(d, { command: ['sh', '-c', `printf '%s %s' "$1" "$CLAWOPS_REPORT_DIR" > ${out}`, 'sh'] }, {});
    assert.equal(readFileSync(out, 'utf8'), `${d} ${d}`);
    assert.equal(r.wrote.length, 1);
    await assert.rejects(publishReport(d, { command: ['sh', '-c', 'echo "bucket gone" >&2; exit 3'] }, {}), /the publish command exited 3: bucket gone/);
    await assert.rejects(publishReport(join(dir, 'nothing'), { command: ['true'] }, {}), /is not a report: .*index\.html.* missing/);
  });

  it('clawops report publish with no report.publish in the spec says how to add it', async () => {
    const rt = memoryRuntime();
    assert.equal(await runCli(['report', 'publish', dir], rt), 1);
    assert.match(rt.stderr, /the spec says nowhere to publish to/);
  });
});
