// A Runtime whose pod sandboxes get a network: the engine creates the
// sandbox's namespaces, then the Network (CNI) gives it an interface and an
// address, reported as the sandbox's IP; stopping the sandbox takes the
// network down first. Everything else passes through. The CRI puts this in
// the runtime too (containerd calls CNI); here it is a layer above the
// engine, so the engine stays free of network code.

import type { Runtime, PodSandboxConfig, PodSandboxStatus, SandboxFilter } from '../engine/runtime.ts';
import type { Network, PodNetworkRef } from './network.ts';

export function withNetwork(inner: Runtime, network: Network): Runtime {
  const ref = (id: string, s: PodSandboxStatus): PodNetworkRef => ({ id, netnsPath: s.netnsPath ?? '', namespace: s.metadata.namespace, name: s.metadata.name, uid: s.metadata.uid });
  const addIP = (s: PodSandboxStatus): PodSandboxStatus => {
    if (s.ip || !s.netnsPath) return s;
    const ip = network.status(s.id)?.ips[0];
    return ip ? { ...s, ip } : s;
  };
  const pass = <K extends keyof Runtime>(k: K) => (inner[k] as (...a: unknown[]) => unknown).bind(inner) as Runtime[K];
  return {
    version: pass('version'),
    createContainer: pass('createContainer'),
    startContainer: pass('startContainer'),
    stopContainer: pass('stopContainer'),
    removeContainer: pass('removeContainer'),
    listContainers: pass('listContainers'),
    containerStatus: pass('containerStatus'),
    exec: pass('exec'),
    attach: pass('attach'),
    portForward: pass('portForward'),
    containerStats: pass('containerStats'),
    listContainerStats: pass('listContainerStats'),
    pullImage: pass('pullImage'),
    imageStatus: pass('imageStatus'),
    listImages: pass('listImages'),
    removeImage: pass('removeImage'),
    close: pass('close'),
    async runPodSandbox(config: PodSandboxConfig): Promise<string> {
      const id = await inner.runPodSandbox(config);
      if (config.hostNetwork) return id;
      const status = await inner.podSandboxStatus(id);
      try {
        await network.setUp(ref(id, status));
      } catch (e) {
        // A sandbox without its network is no use: undo it, so the agent retries from scratch.
        await inner.stopPodSandbox(id).catch(() => {});
        await inner.removePodSandbox(id).catch(() => {});
        throw e;
      }
      return id;
    },
    async stopPodSandbox(id: string): Promise<void> {
      let status: PodSandboxStatus | undefined;
      try {
        status = await inner.podSandboxStatus(id);
      } catch {
        // unknown sandbox: the inner runtime decides (stop is idempotent)
      }
      if (status?.netnsPath) await network.tearDown(ref(id, status));
      await inner.stopPodSandbox(id);
    },
    async removePodSandbox(id: string): Promise<void> {
      try {
        const status = await inner.podSandboxStatus(id);
        if (status.netnsPath) await network.tearDown(ref(id, status));
      } catch {
        // already gone
      }
      await inner.removePodSandbox(id);
    },
    async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
      return addIP(await inner.podSandboxStatus(id));
    },
    async listPodSandboxes(filter?: SandboxFilter): Promise<PodSandboxStatus[]> {
      return (await inner.listPodSandboxes(filter)).map(addIP);
    },
  };
}
