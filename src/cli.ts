#!/usr/bin/env node
// The clawops entry point: the only module that sets the process exit code.
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
