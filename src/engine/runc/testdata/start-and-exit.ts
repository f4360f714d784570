// Run by runtime.test.ts as a child process: opens an engine on ROOT, starts
// a pod with one long-running container, prints their ids and exits, leaving
// the container to conmon.
import { RuncRuntime } from '../runtime.ts';
import { busyboxImage, LocalImageService } from '../../testsuite/localimages.ts';
import { containerConfig, sandboxConfig } from '../../testsuite/fixtures.ts';

const [root, logRoot] = process.argv.slice(2) as [string, string];
const images = new LocalImageService();
images.add(await busyboxImage());
const rt = new RuncRuntime({ root, images });
const cfg = sandboxConfig(logRoot);
const sandbox = await rt.runPodSandbox(cfg);
const container = await rt.createContainer(sandbox, containerConfig('child', { command: ['sh', '-c', 'echo from the child > /tmp/hello; exec sleep 3600'] }), cfg);
await rt.startContainer(container);
await rt.close();
process.stdout.write(JSON.stringify({ sandbox, container }));
