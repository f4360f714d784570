// The taint eviction controller (Kubernetes' NoExecuteTaintManager): a pod on
// a node with a NoExecute taint it does not tolerate is deleted at once; one
// it tolerates for tolerationSeconds is deleted when that time, counted from
// the taint's timeAdded, runs out; a toleration without seconds keeps it.
// Before the delete the pod gets the DisruptionTarget condition, as in 1.32.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { timestamp } from '../../api/meta.ts';
import { isConflict, isNotFound, type Client, type ResourceHandle } from '../../client/rest.ts';
import { keyOf, type Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { addIndexes, BY_NODE } from '../util/indexes.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { realClock, Wakeups, type Clock } from '../util/clock.ts';
import { clientEventSink, type EventSink } from '../util/events.ts';
import { runController, type RunningController } from '../util/run.ts';
import { evictionTime } from './taints.ts';


export class TaintEvictionController {
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly informers: ControllerInformers;
  private readonly podsApi: ResourceHandle<Pod>;
  private readonly queue = new WorkQueue<string>({ name: 'noexec_taint_pod' });
  private readonly wakeups: Wakeups;
  private readonly clock: Clock;
  private readonly events: EventSink;
  private loop?: RunningController;

  constructor(
    client: Client,
    private readonly opts: { log?: (line: string) => void; clock?: Clock; events?: EventSink; informers?: InformerFactory } = {},
  ) {
    const onError = (e: unknown) => opts.log?.(`taint eviction controller: ${(e as Error).message}`);
    this.clock = opts.clock ?? realClock;
    this.wakeups = new Wakeups(this.clock, (key) => this.queue.add(key));
    this.events = opts.events ?? clientEventSink(client, 'taint-eviction-controller', { log: opts.log, now: () => this.clock.now() });
    this.podsApi = client.resource<Pod>('v1', 'pods');
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.nodes = this.informers.get<Node>('v1', 'nodes');
    this.pods = addIndexes(this.informers.get<Pod>('v1', 'pods', { source: this.podsApi }), BY_NODE);
    const noExecute = (n: Node) => JSON.stringify((n.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute'));
    const enqueueNode = (n: Node) => {
      for (const p of this.pods.byIndex(BY_NODE, n.metadata!.name!)) this.queue.add(keyOf(p));
    };
    this.nodes.onAdd(enqueueNode).onUpdate((old, n) => {
      if (noExecute(old) !== noExecute(n)) enqueueNode(n);
    });
    const enqueuePod = (p: Pod) => {
      if (p.spec?.nodeName) this.queue.add(keyOf(p));
    };
    this.pods.onAdd(enqueuePod).onUpdate((_, p) => enqueuePod(p));
    this.pods.onDelete((p) => this.wakeups.cancel(keyOf(p)));
  }

  async start(): Promise<void> {
    this.loop = await runController({
      name: 'taint eviction controller',
      informers: this.informers.owned,
      shared: this.informers.shared,
      queue: this.queue,
      workers: 2,
      sync: (key) => this.sync(key),
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    this.wakeups.cancelAll();
    await this.loop?.stop();
  }

  private async sync(key: string): Promise<void> {
    const pod = this.pods.get(key);
    const node = pod?.spec?.nodeName ? this.nodes.get(pod.spec.nodeName) : undefined;
    if (!pod || !node || pod.metadata?.deletionTimestamp) return this.wakeups.cancel(key);
    const now = this.clock.now().getTime();
    const at = evictionTime(pod.spec?.tolerations, node.spec?.taints ?? [], now);
    if (at === Infinity) return this.wakeups.cancel(key);
    if (at > now) return this.wakeups.at(key, new Date(at));
    this.wakeups.cancel(key);
    await this.evict(pod);
  }

  private async evict(pod: Pod): Promise<void> {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    const now = timestamp(this.clock.now());
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: now });
    try {
      await this.podsApi.patch(ns, name, 'merge', { status: { conditions } }, { subresource: 'status' });
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isConflict(e)) throw e;
    }
    this.events.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`);
    try {
      await this.podsApi.delete(ns, name, { preconditions: { uid: pod.metadata!.uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
