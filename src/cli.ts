#!/usr/bin/env -S node --lite-mode
// The clawops entry point: the only module that sets the process exit code.
//
// --lite-mode: clawops runs for well under a second most of the time (the health timer runs it
// every minute), so V8's optimising tiers cost more memory than they can win back; with them off
// the health check's peak memory drops by about 6 MB at the same CPU time.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `clawops: error: Node.js >= 22.13 is required (this is ${process.version})\n` +
      '  next: run it through npm (`npx clawops`, which uses the Node 24 installed by `npm ci`) or install Node 22.13+\n',
  );
  process.exitCode = 1;
} else {
  const { runCli } = await import('./cli/program.ts');
  const { processRuntime } = await import('./cli/runtime.ts');
  process.exitCode = await runCli(process.argv.slice(2), processRuntime());
}
