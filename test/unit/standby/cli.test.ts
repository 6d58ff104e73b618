import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/program.ts';
import { memoryRuntime } from '../../../src/cli/runtime.ts';

async function cli(...argv: string[]) {
  const rt = memoryRuntime({ NO_COLOR: '1' });
  const code = await runCli(argv, rt);
  return { code, out: rt.stdout, err: rt.stderr };
}

describe('clawops standby: refusals before anything is touched', () => {
  it('sync needs a --target that is not this machine', async () => {
    for (const target of [[], ['--target', 'local']]) {
      const r = await cli('standby', 'sync', '--yes', ...target);
      assert.equal(r.code, 1);
      assert.match(r.err, /standby sync needs --target: the standby host/);
      assert.match(r.err, /clawops standby sync --target ssh:\/\//);
    }
  });
  it('sync needs --yes (it restarts the standby\'s gateways)', async () => {
    const r = await cli('standby', 'sync', '--target', 'ssh://root@standby.invalid');
    assert.equal(r.code, 1);
    assert.match(r.err, /replaces the standby's state and restarts its gateways/);
    assert.match(r.err, /run again with --yes/);
  });
  it('--keep-replaced must be a whole number', async () => {
    const r = await cli('standby', 'sync', '--yes', '--target', 'ssh://root@standby.invalid', '--keep-replaced', 'two');
    assert.equal(r.code, 1);
    assert.match(r.err, /--keep-replaced must be a whole number, got two/);
  });
  it('help explains the flow, the ssh config option and the exit codes', async () => {
    const r = await cli('standby', 'sync', '--help');
    assert.equal(r.code, 0);
    for (const s of ['converged by the same spec', 'not taken by the standby itself', '?config=', 'standby.json', 'Exit codes: 0 synced']) assert.ok(r.out.includes(s), s);
  });
});
