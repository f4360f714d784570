// The Runtime contract suite against the fake engine, which the agent,
// streaming, metrics and pod-start tests run on: it must keep the same
// semantics as the runc engine (runc.contract.test.ts runs the same suite).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeSuite } from '../testsuite/runtime-suite.ts';
import { FakeRuntime } from './runtime.ts';

runtimeSuite('fake', async () => {
  const logRoot = mkdtempSync(join(tmpdir(), 'skiff-fake-contract-'));
  const runtime = new FakeRuntime({ images: ['busybox', 'busybox:latest'] });
  return {
    runtime,
    logRoot,
    cleanup: async () => {
      await runtime.shutdown();
      rmSync(logRoot, { recursive: true, force: true });
    },
  };
});
