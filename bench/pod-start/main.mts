// bench/pod-start: pod startup latency through the node agent, from the
// create call at the API to the Running status seen by a watch, for 1, 10
// and 100 pods created at once (image already present), p50 and p99; beside
// the runtime alone in the same run (sandbox + create + start of the same
// containers straight on the runtime, no API, no agent) and, on the runc
// engine, bare `runc run --detach` of as many containers at once. Then the
// agent's idle RSS (its own process, after a GC) with the pods running.
//
// --runtime=fake (default) measures the agent and the API round trips only;
// --runtime=runc runs real containers: the runc engine with a static busybox
// image built as an OCI layout and imported into the agent's image store
// (root, runc, conmon and busybox-static needed).
//
//   npm run bench:pod-start                          (1, 10, 100 pods; ~20 s)
//   npm run bench:pod-start -- --quick               (1 and 10 pods)
//   npm run bench:pod-start -- --runtime=runc [--quick]

import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Client } from '../../src/client/rest.ts';
import { startControlPlane } from '../../src/cli/controlplane.ts';
import { FakeRuntime } from '../../src/engine/fake/runtime.ts';
import { LocalImageService } from '../../src/engine/image/service.ts';
import { RuncRuntime } from '../../src/engine/runc/runtime.ts';
import type { Runtime } from '../../src/engine/runtime.ts';
import { unmount } from '../../src/engine/snapshot/mount.ts';
import { runcSkipReason } from '../../src/engine/testsuite/runc-harness.ts';
import { buildBusyboxImage } from '../../test/support/images.ts';
import { bareRunc, runtimeAlone } from './alone.mts';

const quick = process.argv.includes('--quick');
const sizes = quick ? [1, 10] : [1, 10, 100];
const NODE = 'bench-node';
const runtimeKind = process.argv.find((a) => a.startsWith('--runtime='))?.slice('--runtime='.length) ?? 'fake';
if (runtimeKind !== 'fake' && runtimeKind !== 'runc') {
  console.error(`bench/pod-start: --runtime must be fake or runc, not ${JSON.stringify(runtimeKind)}`);
  process.exit(2);
}
const why = runtimeKind === 'runc' ? runcSkipReason() : undefined;
if (why) {
  console.error(`bench/pod-start --runtime=runc: ${why}`);
  process.exit(1);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Unmounts whatever is still mounted under `dir` (never rm -rf through a mount). */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${dir}/`));
  for (const m of mounts.reverse()) await unmount(m);
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pod-start-'));
  const cp = await startControlPlane({ dataDir, port: 0 });
  const client = Client.fromKubeconfig(cp.kubeconfig, { userAgent: 'bench-pod-start' });
  const pods = client.resource<Pod>('v1', 'pods');
  let layout: string | undefined;
  let alone: Runtime = new FakeRuntime({ images: ['busybox:1.36'], writeLogs: false });
  let template: { sandbox: string; bundle: string } | undefined;
  if (runtimeKind === 'runc') {
    layout = (await buildBusyboxImage(join(dataDir, 'layout'), { tag: '1.36' })).layout;
    const images = await LocalImageService.open({ root: join(dataDir, 'alone-images') });
    await images.import(layout, { name: 'busybox:1.36' });
    const rt = new RuncRuntime({ root: join(dataDir, 'alone-engine'), images });
    alone = rt;
    // a created (never started) container whose bundle bare runc runs
    const sc = { metadata: { name: 'template', namespace: 'bench', uid: 'template', attempt: 0 }, hostname: 'template', logDirectory: join(dataDir, 'template-logs') };
    const sandbox = await rt.runPodSandbox(sc);
    const id = await rt.createContainer(sandbox, { metadata: { name: 'c', attempt: 0 }, image: 'busybox:1.36', command: ['sleep', 'infinity'], logPath: 'c/0.log' }, sc);
    template = { sandbox, bundle: join(rt.root, 'containers', id, 'bundle') };
  }
  const child = fork(fileURLToPath(new URL('./agent-child.mts', import.meta.url)), [cp.kubeconfig, NODE, join(dataDir, 'agent'), runtimeKind, ...(layout ? [layout] : [])], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: ((m: any) => void)[] = [];
  child.on('message', (m) => messages.shift()?.(m));
  const next = () => new Promise<any>((r) => messages.push(r));
  await next();

  console.log(`pod start-up, create → Running seen by a watch (${runtimeKind === 'runc' ? 'runc engine, busybox image imported' : 'fake runtime'}; node agent in its own process)`);
  console.log(`${'pods'.padStart(5)}  ${'p50'.padStart(10)}  ${'p99'.padStart(10)}  ${'all Running'.padStart(12)}  ${'runtime alone p50/p99'.padStart(24)}${template ? `  ${'bare runc p50/p99'.padStart(24)}` : ''}`);
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
    const rtAlone = await runtimeAlone(alone, n, namespace);
    const bare = template ? await bareRunc(template.bundle, n, namespace) : undefined;
    const pair = (xs: number[]) => `${ms(pct(xs, 50))} / ${ms(pct(xs, 99))}`.padStart(24);
    console.log(`${String(n).padStart(5)}  ${ms(pct(lat, 50)).padStart(10)}  ${ms(pct(lat, 99)).padStart(10)}  ${ms(total).padStart(12)}  ${pair(rtAlone)}${bare ? `  ${pair(bare)}` : ''}`);
  }
  await new Promise((r) => setTimeout(r, 2_000));
  child.send('rss');
  const { rss, heapUsed } = await next();
  console.log(`agent RSS with ${sizes.reduce((a, b) => a + b, 0)} pods running, idle after a GC: ${(rss / 1048576).toFixed(1)} MB (heap used ${(heapUsed / 1048576).toFixed(1)} MB)`);
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  if (template) await alone.removePodSandbox(template.sandbox);
  if (alone instanceof FakeRuntime) await alone.shutdown();
  client.close();
  await cp.stop();
  await unmountUnder(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
