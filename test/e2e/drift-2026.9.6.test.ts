// The drift table (see drift-table.ts) against OpenClaw 2026.9.6.
import { driftSuite } from './drift-table.ts';

// Its one full run (under load 8-15) passed 6 of 8 rounds; the fresh gate then timed out on the deep
// audit's fixed 5 s probe and on doctor --lint. Drop the reason once it has passed on a quiet machine.
driftSuite('2026.9.6', 'not yet passed end to end (see the comment in this file)');
