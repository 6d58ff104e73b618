// The drift table (see drift-table.ts) against OpenClaw 2026.9.6.
import { driftSuite } from './drift-table.ts';

driftSuite('2026.9.6');
