/**
 * `clawops report publish DIR`: the report written by `clawops report --out DIR`, off the host (the
 * runbook's open decision "report fan-out"). To an S3-compatible bucket: the run's page and data
 * under `<prefix>runs/<time>/`, then `<prefix>index.html` replaced by one PUT, so a failed upload
 * leaves the page people open as it was. Or to the operator's own tooling: a command run here with
 * the directory appended. Secrets by spec reference, read where clawops runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClawopsError } from '../core/errors.ts';
import type { SpecData } from '../desired/schema.ts';
import { secretValue } from '../desired/secrets.ts';
import { localExecutor } from '../exec/local.ts';
import { putObject } from './s3.ts';

export type PublishSpec = NonNullable<SpecData['report']['publish']>;

export interface Published {
  to: string;
  /** the objects written, in order (S3), or the command run */
  wrote: string[];
  ms: number;
}

/** The report's files, or an error that says how to make them. */
function reportFiles(dir: string): { html: Buffer; json: Buffer } {
  const files = ['index.html', 'report.json'].map((f) => join(dir, f));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new ClawopsError(`${dir} is not a report: ${missing.join(', ')} missing`, { hint: `write one first: clawops report --out ${dir}` });
  return { html: readFileSync(files[0]!), json: readFileSync(files[1]!) };
}

export async function publishReport(dir: string, p: PublishSpec, env: NodeJS.ProcessEnv, now = new Date(), log: (l: string) => void = () => {}): Promise<Published> {
  const t0 = performance.now();
  const here = localExecutor();
  try {
    if ('command' in p) {
      reportFiles(dir);
      const argv = [...p.command, dir];
      log(`running ${argv.join(' ')}`);
      const r = await here.run(argv, { env: { CLAWOPS_REPORT_DIR: dir }, allowFailure: true, timeoutMs: 600_000 });
      if (r.exitCode !== 0) {
        throw new ClawopsError(`the publish command exited ${r.exitCode ?? r.signal}: ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ').slice(0, 400)}`, { hint: 'run it by hand with the same directory to see why; what it published before is its own business' });
      }
      return { to: p.command[0]!, wrote: [argv.join(' ')], ms: Math.round(performance.now() - t0) };
    }
    const { html, json } = reportFiles(dir);
    const s3 = p.s3;
    const target = {
      endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket,
      accessKeyId: await secretValue(here, s3.accessKeyId, env, 'the S3 access key id'),
      secretAccessKey: await secretValue(here, s3.secretAccessKey, env, 'the S3 secret access key'),
    };
    const run = `${s3.prefix}runs/${now.toISOString().replace(/[:.]/g, '')}/`;
    const objects: [string, Buffer, string][] = [
      [`${run}report.json`, json, 'application/json'],
      [`${run}index.html`, html, 'text/html; charset=utf-8'],
      // last, one PUT: the page people open is the old one or the new one, never half of each
      [`${s3.prefix}index.html`, html, 'text/html; charset=utf-8'],
    ];
    const wrote: string[] = [];
    for (const [key, body, type] of objects) {
      log(`PUT ${s3.bucket}/${key} (${body.length} bytes)`);
      try {
        await putObject(target, key, body, type, now);
      } catch (err) {
        throw new ClawopsError(`publishing to ${s3.endpoint} failed: ${(err as Error).message}`, {
          hint: wrote.length < 2 ? `nothing the page points to changed (${s3.prefix}index.html is the previous report); check the bucket, the endpoint and the keys` : `${s3.prefix}index.html is still the previous report; the new run is under ${run}`,
        });
      }
      wrote.push(key);
    }
    return { to: `${s3.endpoint} ${s3.bucket}/${s3.prefix}index.html`, wrote, ms: Math.round(performance.now() - t0) };
  } finally {
    await here.close();
  }
}
