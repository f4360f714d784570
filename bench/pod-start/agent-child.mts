// The agent under test, in its own process so its RSS is its own: an Agent
// over the fake runtime (the lead switches it to the runc engine), talking to
// the bench's API server. Answers { rss } on an IPC 'rss' message.

import { Agent } from '../../src/agent/agent.ts';
import { Client } from '../../src/client/rest.ts';
import { FakeRuntime } from '../../src/engine/fake/runtime.ts';

const [kubeconfig, nodeName, dataDir] = process.argv.slice(2) as [string, string, string];
const client = Client.fromKubeconfig(kubeconfig, { userAgent: 'skiff-agent-bench' });
const runtime = new FakeRuntime({ images: ['busybox:1.36'] });
const agent = new Agent(client, runtime, { nodeName, dataDir, maxPods: 1000 });
await agent.start();
process.on('message', (m: unknown) => {
  if (m === 'rss') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  }
  if (m === 'stop') void agent.stop().then(() => process.exit(0));
});
process.send!({ ready: true });
