// The drift table (see drift-table.ts) against OpenClaw 2026.2.9.
import { driftSuite } from './drift-table.ts';

// Not yet run to completion: its first run hit the fresh-apply timeout on an overloaded machine
// (2.9 installs 1.3 GB as a project). Drop the reason once it has passed on a quiet machine.
driftSuite('2026.2.9', 'not yet run to completion on 2026.2.9 (see the comment in this file)');
