// The whole example spec applied through the CLI, pinned at OpenClaw 2026.2.9 (see apply-openclaw-suite.ts).
import { applyOpenclawSuite } from './apply-openclaw-suite.ts';

applyOpenclawSuite('2026.2.9');
