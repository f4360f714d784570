// The node lifecycle controller: a node whose kubelet stops renewing its
// Lease (kube-node-lease/<node>) and posting status for the grace period
// (node-monitor-grace-period, 50 s in Kubernetes 1.32) gets its conditions
// set to Unknown ("Kubelet stopped posting node status."), its pods marked
// not Ready, and taints that follow its Ready condition: unreachable for
// Unknown, not-ready for False (NoExecute and NoSchedule); none for True.
// Eviction by those taints is the taint eviction controller's job.
//
// Time is read locally (Kubernetes' probeTimestamp): a lease or heartbeat
// that changed is "seen now", so clocks of other machines do not matter.
// Each node is looked at when it or its Lease changes, and once more when
// its grace period would run out; there is no polling loop.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1.js';
import { timestamp } from '../../api/meta.ts';
import { isConflict, isNotFound, type Client, type ResourceHandle } from '../../client/rest.ts';
import type { Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { addIndexes, BY_NODE } from '../util/indexes.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { realClock, Wakeups, type Clock } from '../util/clock.ts';
import { clientEventSink, type EventSink } from '../util/events.ts';
import { runController, type RunningController } from '../util/run.ts';
import { condition, desiredConditionTaints, reconcileTaints } from './taints.ts';

export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS = 50_000;
export const LEASE_NAMESPACE = 'kube-node-lease';
const STATUS_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface NodeLifecycleOptions {
  log?: (line: string) => void;
  clock?: Clock;
  /** How long a node may go without a lease renewal or status heartbeat (default 50 s). */
  gracePeriodMs?: number;
  events?: EventSink;
  /** Shared informers (the controller manager's); the controller builds its own when unset. */
  informers?: InformerFactory;
}

interface Health {
  probe: number;
  renewTime?: string;
  heartbeat?: string;
}

export class NodeLifecycleController {
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly informers: ControllerInformers;
  private readonly nodesApi: ResourceHandle<Node>;
  private readonly podsApi: ResourceHandle<Pod>;
  private readonly queue = new WorkQueue<string>({ name: 'node_lifecycle_controller' });
  private readonly health = new Map<string, Health>();
  private readonly wakeups: Wakeups;
  private readonly clock: Clock;
  private readonly graceMs: number;
  private readonly events: EventSink;
  private loop?: RunningController;

  constructor(
    client: Client,
    private readonly opts: NodeLifecycleOptions = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`node lifecycle controller: ${(e as Error).message}`);
    this.clock = opts.clock ?? realClock;
    this.wakeups = new Wakeups(this.clock, (name) => this.queue.add(name));
    this.graceMs = opts.gracePeriodMs ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS;
    this.events = opts.events ?? clientEventSink(client, 'node-controller', { log: opts.log, now: () => this.clock.now() });
    this.nodesApi = client.resource<Node>('v1', 'nodes');
    this.podsApi = client.resource<Pod>('v1', 'pods');
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.nodes = this.informers.get<Node>('v1', 'nodes', { source: this.nodesApi });
    this.leases = this.informers.get<Lease>('coordination.k8s.io/v1', 'leases', { namespace: LEASE_NAMESPACE });
    this.pods = addIndexes(this.informers.get<Pod>('v1', 'pods', { source: this.podsApi }), BY_NODE);
    this.nodes.onAdd((n) => this.queue.add(n.metadata!.name!)).onUpdate((_, n) => this.queue.add(n.metadata!.name!));
    this.nodes.onDelete((n) => {
      this.health.delete(n.metadata!.name!);
      this.wakeups.cancel(n.metadata!.name!);
    });
    this.leases.onAdd((l) => this.queue.add(l.metadata!.name!)).onUpdate((_, l) => this.queue.add(l.metadata!.name!));
  }

  async start(): Promise<void> {
    this.loop = await runController({
      name: 'node lifecycle controller',
      informers: this.informers.owned,
      shared: this.informers.shared,
      queue: this.queue,
      workers: 2,
      sync: (name) => this.sync(name),
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    this.wakeups.cancelAll();
    await this.loop?.stop();
  }

  private async sync(name: string): Promise<void> {
    let node = this.nodes.get(name);
    if (!node) return;
    const now = this.clock.now();
    const renewTime = this.leases.get(`${LEASE_NAMESPACE}/${name}`)?.spec?.renewTime;
    const heartbeat = condition(node, 'Ready')?.lastHeartbeatTime;
    let h = this.health.get(name);
    if (!h || h.renewTime !== renewTime || h.heartbeat !== heartbeat) {
      h = { probe: now.getTime(), renewTime, heartbeat };
      this.health.set(name, h);
    }
    const deadline = h.probe + this.graceMs;
    if (now.getTime() >= deadline) node = await this.markUnknown(node, now);
    else this.wakeups.at(name, new Date(deadline));

    if (condition(node, 'Ready')?.status !== 'True') await this.markPodsNotReady(node);
    const taints = reconcileTaints(node, desiredConditionTaints(node), timestamp(now));
    if (taints) {
      try {
        await this.nodesApi.update(undefined, { ...node, spec: { ...node.spec, taints: taints.length ? taints : undefined } });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }
  }

  /** Sets the kubelet's conditions to Unknown; answers the node as written. */
  private async markUnknown(node: Node, now: Date): Promise<Node> {
    const nowStr = timestamp(now);
    const conditions: NodeCondition[] = structuredClone(node.status?.conditions ?? []);
    let changed = false;
    let readyChanged = false;
    for (const type of STATUS_CONDITIONS) {
      const c = conditions.find((x) => x.type === type);
      if (!c) {
        conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: nowStr });
        changed = true;
        readyChanged ||= type === 'Ready';
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: nowStr });
        changed = true;
        readyChanged ||= type === 'Ready';
      }
    }
    if (!changed) return node;
    try {
      const out = await this.nodesApi.updateStatus(undefined, { ...node, status: { ...node.status, conditions } });
      if (readyChanged) this.events.event(node, 'Normal', 'NodeNotReady', `Node ${node.metadata!.name} status is now: NodeNotReady`);
      return out;
    } catch (e) {
      // The kubelet wrote first: its status is newer than our verdict; look again.
      if (isConflict(e)) this.queue.add(node.metadata!.name!);
      throw e;
    }
  }

  /** Pods on a node that is not Ready are not Ready either (Kubernetes' MarkPodsNotReady). */
  private async markPodsNotReady(node: Node): Promise<void> {
    const now = timestamp(this.clock.now());
    for (const pod of this.pods.byIndex(BY_NODE, node.metadata!.name!)) {
      const conds = pod.status?.conditions ?? [];
      const ready = conds.find((c) => c.type === 'Ready');
      if (!ready || ready.status !== 'True' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      const next = conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c));
      try {
        await this.podsApi.patch(pod.metadata!.namespace, pod.metadata!.name!, 'merge', { metadata: { resourceVersion: pod.metadata!.resourceVersion }, status: { conditions: next } }, { subresource: 'status' });
        this.events.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
  }
}
