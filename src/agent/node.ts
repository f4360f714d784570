// The agent's Node: registration (labels, addresses, capacity and
// allocatable from the host, nodeInfo, the streaming endpoint's port), the
// node status heartbeat (conditions with the kubelet's reasons, checked every
// 10 s and written on change or every 5 minutes, images), and the Lease in
// kube-node-lease renewed every 10 s that tells the control plane the node
// is alive.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../api/equality.ts';
import type { EventRecorder } from '../client/events.ts';
import { isAlreadyExists, isConflict, isNotFound, type Client, type ResourceHandle } from '../client/rest.ts';
import type { Runtime } from '../engine/runtime.ts';
import { nodeRef } from './refs.ts';
import { metaTime, microTime } from './format.ts';
import { cpuCapacity, filesystem, goArch, hostIds, hostname, internalIP, kernelVersion, memoryAvailable, memoryCapacity, osImage } from './hostinfo.ts';

export interface NodeOptions {
  nodeName: string;
  dataDir: string;
  /** Port of the agent's streaming API (daemonEndpoints.kubeletEndpoint.Port). */
  streamingPort?: number;
  nodeIP?: string;
  labels?: Record<string, string>;
  /** Adds `node-role.kubernetes.io/<role>` labels. */
  roles?: string[];
  maxPods?: number;
  /** Overrides of the host's capacity (hollow nodes pretend to be bigger or smaller). */
  capacity?: Record<string, string>;
  statusUpdateIntervalMs?: number;
  statusReportIntervalMs?: number;
  leaseRenewIntervalMs?: number;
  leaseDurationSeconds?: number;
  log?: (line: string) => void;
}

/** Hard eviction thresholds the kubelet subtracts from capacity by default. */
const EVICTION_MEMORY_BYTES = 100 * 1024 * 1024;
const EVICTION_NODEFS_FRACTION = 0.1;
const MAX_IMAGES = 50;

const CONDITION_TEXT: Record<string, { ok: [string, string]; bad: [string, string] }> = {
  MemoryPressure: { ok: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'], bad: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'] },
  DiskPressure: { ok: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'], bad: ['KubeletHasDiskPressure', 'kubelet has disk pressure'] },
  PIDPressure: { ok: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'], bad: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'] },
  Ready: { ok: ['KubeletReady', 'kubelet is posting ready status'], bad: ['KubeletNotReady', 'container runtime is down'] },
};

export class NodeManager {
  readonly nodeName: string;
  private readonly nodes: ResourceHandle<Node>;
  private readonly leases: ResourceHandle<Lease>;
  private node?: Node;
  private lease?: Lease;
  private lastReportAt = 0;
  private statusTimer?: NodeJS.Timeout;
  private leaseTimer?: NodeJS.Timeout;
  private stopped = false;
  private kubeletVersion = 'v0.0.0';
  private runtimeVersion = '';
  readonly hostIP: string;
  readonly memoryCapacityBytes: number;
  private capacityCache?: Record<string, string>;
  /** Status writes and lease renewals made (tests and benches). */
  statusWrites = 0;
  statusChecks = 0;
  leaseRenewals = 0;

  constructor(
    private readonly client: Client,
    private readonly runtime: Runtime,
    private readonly recorder: EventRecorder,
    private readonly o: NodeOptions,
  ) {
    this.nodeName = o.nodeName;
    this.nodes = client.resource<Node>('v1', 'nodes');
    this.leases = client.resource<Lease>('coordination.k8s.io/v1', 'leases');
    this.hostIP = o.nodeIP ?? internalIP();
    this.memoryCapacityBytes = memoryCapacity();
  }

  get hostIPs(): string[] {
    return [this.hostIP];
  }

  capacity(): Record<string, string> {
    if (!this.capacityCache) {
      const fs = filesystem(this.o.dataDir);
      this.capacityCache = {
        cpu: String(cpuCapacity()),
        'ephemeral-storage': `${Math.floor(fs.capacity / 1024)}Ki`,
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: `${Math.floor(this.memoryCapacityBytes / 1024)}Ki`,
        pods: String(this.o.maxPods ?? 110),
        ...this.o.capacity,
      };
    }
    return this.capacityCache;
  }

  /** Capacity minus the kubelet's default hard eviction thresholds. */
  allocatable(): Record<string, string> {
    const cap = this.capacity();
    const out = { ...cap };
    if (!this.o.capacity?.memory) out.memory = `${Math.max(0, Math.floor((this.memoryCapacityBytes - EVICTION_MEMORY_BYTES) / 1024))}Ki`;
    if (!this.o.capacity?.['ephemeral-storage']) {
      const fs = filesystem(this.o.dataDir);
      out['ephemeral-storage'] = String(Math.floor(fs.capacity * (1 - EVICTION_NODEFS_FRACTION)));
    }
    return out;
  }

  private labels(): Record<string, string> {
    const os = 'linux';
    const l: Record<string, string> = {
      'beta.kubernetes.io/arch': goArch(),
      'beta.kubernetes.io/os': os,
      'kubernetes.io/arch': goArch(),
      'kubernetes.io/hostname': this.nodeName,
      'kubernetes.io/os': os,
      ...this.o.labels,
    };
    for (const r of this.o.roles ?? []) l[`node-role.kubernetes.io/${r}`] = '';
    return l;
  }

  private async pressure(): Promise<Record<string, boolean>> {
    const fs = filesystem(this.o.dataDir);
    let runtimeUp = true;
    try {
      const v = await this.runtime.version();
      this.runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
    } catch {
      runtimeUp = false;
    }
    return {
      MemoryPressure: memoryAvailable() > 0 && memoryAvailable() < EVICTION_MEMORY_BYTES,
      DiskPressure: fs.capacity > 0 && fs.available / fs.capacity < EVICTION_NODEFS_FRACTION,
      PIDPressure: false,
      Ready: !runtimeUp,
    };
  }

  private async computeStatus(now: string): Promise<NodeStatus> {
    const bad = await this.pressure();
    const old = this.node?.status?.conditions ?? [];
    const conditions: NodeCondition[] = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => {
      const isBad = bad[type]!;
      const status = type === 'Ready' ? (isBad ? 'False' : 'True') : isBad ? 'True' : 'False';
      const [reason, message] = isBad ? CONDITION_TEXT[type]!.bad : CONDITION_TEXT[type]!.ok;
      const prev = old.find((c) => c.type === type);
      return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: prev?.status === status ? (prev.lastTransitionTime ?? now) : now };
    });
    const images = (await this.runtime.listImages().catch(() => []))
      .sort((a, b) => b.size - a.size)
      .slice(0, MAX_IMAGES)
      .map((i) => ({ names: [...i.repoDigests, ...i.repoTags], sizeBytes: i.size }));
    const ids = hostIds();
    return {
      capacity: this.capacity(),
      allocatable: this.allocatable(),
      conditions,
      addresses: [
        { type: 'InternalIP', address: this.hostIP },
        { type: 'Hostname', address: this.o.nodeName || hostname() },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: this.o.streamingPort ?? 0 } },
      nodeInfo: {
        machineID: ids.machineID,
        systemUUID: ids.systemUUID,
        bootID: ids.bootID,
        kernelVersion: kernelVersion(),
        osImage: osImage(),
        containerRuntimeVersion: this.runtimeVersion,
        kubeletVersion: this.kubeletVersion,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: goArch(),
      },
      images,
    };
  }

  /** Creates the Node (or takes over one of the same name), writes its first status and lease. */
  async register(): Promise<Node> {
    try {
      const v = await this.client.request<{ gitVersion?: string }>({ method: 'GET', path: '/version' });
      if (v.gitVersion) this.kubeletVersion = v.gitVersion;
    } catch (e) {
      this.o.log?.(`node ${this.nodeName}: reading the server version: ${(e as Error).message}`);
    }
    this.recorder.event(nodeRef(this.nodeName), 'Normal', 'Starting', 'Starting kubelet.');
    const labels = this.labels();
    const annotations = { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' };
    try {
      this.node = await this.nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName, labels, annotations }, spec: {} });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // A node of this name exists (this agent restarted): make sure it carries our labels.
      const existing = await this.nodes.get(undefined, this.nodeName);
      this.node = await this.nodes.patch(undefined, this.nodeName, 'merge', { metadata: { labels, annotations } });
      void existing;
    }
    await this.updateStatus(true);
    await this.renewLease();
    return this.node!;
  }

  start(): void {
    const statusEvery = this.o.statusUpdateIntervalMs ?? 10_000;
    const leaseEvery = this.o.leaseRenewIntervalMs ?? 10_000;
    const statusLoop = async () => {
      await this.updateStatus(false).catch((e: unknown) => this.o.log?.(`node ${this.nodeName}: status: ${(e as Error).message}`));
      if (!this.stopped) (this.statusTimer = setTimeout(statusLoop, statusEvery)).unref();
    };
    const leaseLoop = async () => {
      await this.renewLease().catch((e: unknown) => this.o.log?.(`node ${this.nodeName}: lease: ${(e as Error).message}`));
      if (!this.stopped) (this.leaseTimer = setTimeout(leaseLoop, leaseEvery)).unref();
    };
    (this.statusTimer = setTimeout(statusLoop, statusEvery)).unref();
    (this.leaseTimer = setTimeout(leaseLoop, leaseEvery)).unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.statusTimer);
    clearTimeout(this.leaseTimer);
  }

  /** Writes the node status when it changed, or when the last report is older than the report frequency. */
  async updateStatus(force: boolean): Promise<void> {
    const now = metaTime();
    const status = await this.computeStatus(now);
    this.statusChecks++;
    const old = this.node?.status;
    const strip = (s: NodeStatus | undefined) => ({ ...s, conditions: s?.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })) });
    const due = Date.now() - this.lastReportAt >= (this.o.statusReportIntervalMs ?? 300_000);
    if (!force && !due && semanticEqual(JSON.parse(JSON.stringify(strip(old))), JSON.parse(JSON.stringify(strip(status))))) return;
    const before = new Map((old?.conditions ?? []).map((c) => [c.type, c.status]));
    this.node = await this.nodes.patch(undefined, this.nodeName, 'merge', { status }, { subresource: 'status' });
    this.statusWrites++;
    this.lastReportAt = Date.now();
    for (const c of status.conditions ?? []) {
      if (before.get(c.type) === c.status) continue;
      const what = c.type === 'Ready' ? (c.status === 'True' ? 'NodeReady' : 'NodeNotReady') : c.reason!.replace(/^Kubelet/, 'Node');
      this.recorder.event(nodeRef(this.nodeName), 'Normal', what, `Node ${this.nodeName} status is now: ${what}`);
    }
  }

  /** Renews (or creates) the node's Lease. */
  async renewLease(): Promise<void> {
    const ns = 'kube-node-lease';
    const spec = { holderIdentity: this.nodeName, leaseDurationSeconds: this.o.leaseDurationSeconds ?? 40, renewTime: microTime() };
    const owner = this.node?.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: this.node.metadata.uid }] : undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (!this.lease) {
          try {
            this.lease = await this.leases.get(ns, this.nodeName);
          } catch (e) {
            if (!isNotFound(e)) throw e;
            this.lease = await this.leases.create(ns, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.nodeName, namespace: ns, ownerReferences: owner }, spec });
            this.leaseRenewals++;
            return;
          }
        }
        this.lease = await this.leases.update(ns, { ...this.lease, metadata: { ...this.lease.metadata, ownerReferences: this.lease.metadata?.ownerReferences ?? owner }, spec: { ...this.lease.spec, ...spec } });
        this.leaseRenewals++;
        return;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
        this.lease = undefined;
      }
    }
  }

  get currentLease(): Lease | undefined {
    return this.lease;
  }
}
