// The objects a hollow node writes: its Node (Ready, with capacity), its
// Lease in kube-node-lease, and the Running status of a pod bound to it.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod, PodCondition, PodStatus, Taint } from 'kubernetes-types/core/v1.js';
import { microTime } from '../../client/leaderelection.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const HOLLOW_KUBELET_VERSION = 'v1.32.0-skiff-hollow';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Node i's address and pod CIDR: 10.64.0.0/10 split into /24s. */
export function nodeAddress(i: number): { ip: string; podCIDR: string; podPrefix: string } {
  const a = 64 + (i >> 8);
  const b = i & 255;
  return { ip: `172.30.${a - 64}.${b}`, podCIDR: `10.${a}.${b}.0/24`, podPrefix: `10.${a}.${b}.` };
}

export function hollowNode(name: string, i: number, capacity: Record<string, string>, labels: Record<string, string>, taints: Taint[] | undefined, images: Node['status'] extends infer S ? (S extends { images?: infer I } ? I : never) : never): Node {
  const t = now();
  const addr = nodeAddress(i);
  const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastHeartbeatTime: t, lastTransitionTime: t });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', ...labels },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'skiff.dev/hollow': 'true' },
    },
    spec: { podCIDR: addr.podCIDR, podCIDRs: [addr.podCIDR], ...(taints?.length ? { taints } : {}) },
    status: {
      capacity: capacity,
      allocatable: capacity,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: addr.ip },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: 'hollow',
        osImage: 'Skiff hollow node',
        containerRuntimeVersion: 'fake://0.1.0',
        kubeletVersion: HOLLOW_KUBELET_VERSION,
        kubeProxyVersion: HOLLOW_KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      ...(images?.length ? { images } : {}),
    },
  };
}

export function nodeLease(node: Node, durationSeconds: number): Lease {
  const name = node.metadata!.name!;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: node.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] : undefined,
    },
    spec: { holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime: microTime(Date.now()) },
  };
}

/** A pod as a kubelet reports it once its containers run: Running, Ready, with an IP. */
export function runningStatus(pod: Pod, hostIP: string, podIP: string): PodStatus {
  const t = now();
  const old = pod.status ?? {};
  const cond = (type: string): PodCondition => ({ type, status: 'True', lastTransitionTime: t, lastProbeTime: null as unknown as undefined });
  const scheduled = old.conditions?.find((c) => c.type === 'PodScheduled') ?? cond('PodScheduled');
  const container = (c: { name: string; image?: string }) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    containerID: `fake://${pod.metadata?.uid ?? ''}-${c.name}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: t } },
  });
  return {
    ...old,
    phase: 'Running',
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: old.startTime ?? t,
    conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), scheduled],
    containerStatuses: (pod.spec?.containers ?? []).map(container),
    ...(pod.spec?.initContainers?.length
      ? { initContainerStatuses: pod.spec.initContainers.map((c) => ({ ...container(c), ready: true, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t } } })) }
      : {}),
  };
}
