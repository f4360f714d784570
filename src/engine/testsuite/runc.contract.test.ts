import { runtimeSuite } from './runtime-suite.ts';
import { runcHarness, runcSkipReason } from './runc-harness.ts';

runtimeSuite('runc', () => runcHarness(), { skip: runcSkipReason() });
