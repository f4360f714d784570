// A runc engine with one pod sandbox, for the engine's real-runc tests: start
// containers in it and exec in them, reading the output back as text. Torn
// down after the test.

import type { TestContext } from 'node:test';
import { PassThrough } from 'node:stream';
import type { ContainerConfig, PodSandboxConfig } from '../runtime.ts';
import { Collect } from './collect.ts';
import { containerConfig, sandboxConfig } from './fixtures.ts';
import { runcHarness } from './runc-harness.ts';

export async function runcSandbox(t: TestContext, defaults: Partial<ContainerConfig> = {}) {
  const h = await runcHarness();
  t.after(() => h.cleanup());
  const rt = h.runtime;
  const sbCfg = sandboxConfig(h.logRoot);
  const sb = await rt.runPodSandbox(sbCfg);
  /** Creates and starts a container in the sandbox (`defaults` under `over`). */
  const runC = async (name: string, over: Partial<ContainerConfig>, sandbox = sb, cfg: PodSandboxConfig = sbCfg) => {
    const id = await rt.createContainer(sandbox, containerConfig(name, { ...defaults, ...over }), cfg);
    await rt.startContainer(id);
    return id;
  };
  const exec = async (id: string, cmd: string[], opts: { stdin?: string; tty?: boolean; timeoutMs?: number } = {}) => {
    const stdout = new Collect();
    const stderr = new Collect();
    const stdin = opts.stdin !== undefined ? new PassThrough() : undefined;
    stdin?.end(opts.stdin);
    const r = await rt.exec(id, { cmd, stdout, stderr, ...(stdin ? { stdin } : {}), ...(opts.tty ? { tty: true } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
    return { ...r, stdout: stdout.text, stderr: stderr.text };
  };
  return { h, rt, sb, sbCfg, runC, exec };
}
