// Shapes the runtime tests share: a sandbox and a container config for the
// busybox image, a CRI log reader, and waiting for a container state.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerConfig, ContainerState, ContainerStatus, PodSandboxConfig, Runtime } from '../runtime.ts';

let n = 0;

export function sandboxConfig(logRoot: string, over: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const i = ++n;
  const name = `pod${i}`;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${process.pid}-${i}`, attempt: 0 },
    hostname: name,
    logDirectory: join(logRoot, `default_${name}_uid${i}`),
    labels: { app: 'test', pod: name },
    ...over,
  };
}

export function containerConfig(name: string, over: Partial<ContainerConfig> = {}): ContainerConfig {
  return { metadata: { name, attempt: 0 }, image: 'busybox', logPath: `${name}/0.log`, labels: { container: name }, ...over };
}

export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  tag: 'F' | 'P';
  text: string;
}

/** Parses a CRI-format log (`<RFC3339Nano> <stream> <F|P> <text>`); throws on a line in any other shape. */
export async function readCriLog(path: string): Promise<LogLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(?:Z|[+-]\d\d:\d\d)) (stdout|stderr) (F|P) (.*)$/.exec(line);
      if (!m) throw new Error(`not a CRI log line: ${JSON.stringify(line)}`);
      return { time: m[1]!, stream: m[2] as LogLine['stream'], tag: m[3] as LogLine['tag'], text: m[4]! };
    });
}

/** Polls the container's status until it is in `state` (deadline `ms`). */
export async function waitState(rt: Runtime, id: string, state: ContainerState, ms = 10_000): Promise<ContainerStatus> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await rt.containerStatus(id);
    if (s.state === state) return s;
    if (Date.now() > deadline) throw new Error(`container ${id} still ${s.state} after ${ms} ms (waited for ${state})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
