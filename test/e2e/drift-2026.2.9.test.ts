// The drift table (see drift-table.ts) against OpenClaw 2026.2.9.
import { driftSuite } from './drift-table.ts';

driftSuite('2026.2.9');
