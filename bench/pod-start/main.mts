// bench/pod-start: pod startup latency through the node agent, from the
// create call at the API to the Running status seen by a watch, for 1, 10
// and 100 pods created at once (image already present), p50 and p99; beside
// the runtime alone in the same run (sandbox + create + start of the same
// containers straight on the runtime, no API, no agent). Then the agent's
// idle RSS (its own process, after a GC) with the 100 pods running.
//
// The agent runs the fake runtime for now: figures measure the agent and the
// API round trips, not container start-up. The lead switches the child to the
// runc engine (agent-child.mts) for the real figures.
//
//   npm run bench:pod-start              (1, 10, 100 pods; ~20 s)
//   npm run bench:pod-start -- --quick   (1 and 10 pods)

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Client } from '../../src/client/rest.ts';
import { startControlPlane } from '../../src/cli/controlplane.ts';
import { FakeRuntime } from '../../src/engine/fake/runtime.ts';

const quick = process.argv.includes('--quick');
const sizes = quick ? [1, 10] : [1, 10, 100];
const NODE = 'bench-node';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function runtimeAlone(n: number): Promise<number[]> {
  const rt = new FakeRuntime({ images: ['busybox:1.36'], writeLogs: false });
  const logDirectory = mkdtempSync(join(tmpdir(), 'bench-rt-'));
  const one = async (i: number) => {
    const t0 = performance.now();
    const sc = { metadata: { name: `p${i}`, namespace: 'bench', uid: `u${i}`, attempt: 0 }, hostname: `p${i}`, logDirectory };
    const sb = await rt.runPodSandbox(sc);
    const id = await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: 'busybox:1.36', command: ['sleep', 'infinity'], logPath: 'c/0.log' }, sc);
    await rt.startContainer(id);
    return performance.now() - t0;
  };
  const out = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  await rt.shutdown();
  rmSync(logDirectory, { recursive: true, force: true });
  return out;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pod-start-'));
  const cp = await startControlPlane({ dataDir, port: 0 });
  const client = Client.fromKubeconfig(cp.kubeconfig, { userAgent: 'bench-pod-start' });
  const pods = client.resource<Pod>('v1', 'pods');
  const child = fork(fileURLToPath(new URL('./agent-child.mts', import.meta.url)), [cp.kubeconfig, NODE, join(dataDir, 'agent')], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: ((m: any) => void)[] = [];
  child.on('message', (m) => messages.shift()?.(m));
  const next = () => new Promise<any>((r) => messages.push(r));
  await next();

  console.log(`pod start-up, create → Running seen by a watch (fake runtime; node agent in its own process)`);
  console.log(`${'pods'.padStart(5)}  ${'p50'.padStart(10)}  ${'p99'.padStart(10)}  ${'all Running'.padStart(12)}  ${'runtime alone p50/p99'.padStart(24)}`);
  let ns = 0;
  for (const n of sizes) {
    const namespace = `bench-${ns++}`;
    await client.resource('v1', 'namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const created = new Map<string, number>();
    const runningAt = new Map<string, number>();
    const list = await pods.list(namespace);
    const watch = pods.watch(namespace, { resourceVersion: list.metadata.resourceVersion });
    const allRunning = new Promise<void>((resolve) => {
      void (async () => {
        for await (const ev of watch) {
          const p = ev.object;
          if (p.status?.phase === 'Running' && !runningAt.has(p.metadata!.name!)) {
            runningAt.set(p.metadata!.name!, performance.now());
            if (runningAt.size === n) return resolve();
          }
        }
      })();
    });
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const name = `p${i}`;
        created.set(name, performance.now());
        await pods.create(namespace, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', command: ['sleep', 'infinity'] }] } });
      }),
    );
    const deadline = new Promise<void>((_, rej) => setTimeout(() => rej(new Error(`${n} pods not all Running within 60 s (${runningAt.size} were)`)), 60_000).unref());
    await Promise.race([allRunning, deadline]);
    const total = performance.now() - t0;
    watch.close();
    const lat = [...runningAt].map(([name, at]) => at - created.get(name)!);
    const alone = await runtimeAlone(n);
    console.log(`${String(n).padStart(5)}  ${ms(pct(lat, 50)).padStart(10)}  ${ms(pct(lat, 99)).padStart(10)}  ${ms(total).padStart(12)}  ${`${ms(pct(alone, 50))} / ${ms(pct(alone, 99))}`.padStart(24)}`);
  }
  await new Promise((r) => setTimeout(r, 2_000));
  child.send('rss');
  const { rss, heapUsed } = await next();
  console.log(`agent RSS with ${sizes.reduce((a, b) => a + b, 0)} pods running, idle after a GC: ${(rss / 1048576).toFixed(1)} MB (heap used ${(heapUsed / 1048576).toFixed(1)} MB)`);
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  client.close();
  await cp.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
