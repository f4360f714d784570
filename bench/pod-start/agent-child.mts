// The agent under test, in its own process so its RSS is its own: an Agent
// over the fake runtime or, with `runc`, the runc engine with the busybox
// image imported from the OCI layout the bench built (src/engine/image/
// import), talking to the bench's API server. Answers { rss } on an IPC
// 'rss' message; on 'stop' stops the agent and (runc) removes every sandbox
// it made, so no container outlives the bench.
//
//   agent-child.mts KUBECONFIG NODE DATADIR [fake | runc LAYOUT]

import { join } from 'node:path';
import { Agent } from '../../src/agent/agent.ts';
import { Client } from '../../src/client/rest.ts';
import { FakeRuntime } from '../../src/engine/fake/runtime.ts';
import { LocalImageService } from '../../src/engine/image/service.ts';
import { RuncRuntime } from '../../src/engine/runc/runtime.ts';
import type { Runtime } from '../../src/engine/runtime.ts';

const [kubeconfig, nodeName, dataDir, kind = 'fake', layout] = process.argv.slice(2) as [string, string, string, string?, string?];
const client = Client.fromKubeconfig(kubeconfig, { userAgent: 'skiff-agent-bench' });
let runtime: Runtime;
if (kind === 'runc') {
  const images = await LocalImageService.open({ root: join(dataDir, 'images') });
  await images.import(layout!, { name: 'busybox:1.36' });
  runtime = new RuncRuntime({ root: join(dataDir, 'engine'), images });
} else {
  runtime = new FakeRuntime({ images: ['busybox:1.36'] });
}
const agent = new Agent(client, runtime, { nodeName, dataDir, maxPods: 1000 });
await agent.start();
process.on('message', (m: unknown) => {
  if (m === 'rss') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  }
  if (m === 'stop')
    void (async () => {
      await agent.stop();
      if (kind === 'runc') for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
      await runtime.close();
      process.exit(0);
    })();
});
process.send!({ ready: true });
