#!/usr/bin/env node
import { runCli } from './cli/program.ts';
import { processRuntime } from './cli/runtime.ts';

const code = await runCli(process.argv.slice(2), processRuntime());
process.exitCode = code;
