// The node agent (kubelet) over a Runtime: registers the Node and keeps its
// Lease, watches the pods bound to it (fieldSelector spec.nodeName), and
// runs one serialized worker per pod UID that syncs the runtime to the pod
// and writes the pod's status. A relist of the runtime (PLEG) wakes workers
// when containers change and finds orphans. stop() leaves containers running:
// a new Agent on the same runtime adopts them by their labels. Services (for
// the containers' environment) come from one informer; projected
// ServiceAccount tokens from the TokenRequest API through the token manager.

import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../api/equality.ts';
import { EventRecorder } from '../client/events.ts';
import { Informer } from '../client/informer.ts';
import { isConflict, isNotFound, type Client, type ResourceHandle } from '../client/rest.ts';
import type { Runtime } from '../engine/runtime.ts';
import { Backoff } from './backoff.ts';
import { ImageManager } from './images.ts';
import { NodeManager } from './node.ts';
import { CachedObjects } from './objects.ts';
import { PLEG } from './pleg.ts';
import { PodWorkers, type SyncOutcome } from './podworkers.ts';
import { ProbeManager } from './probes/manager.ts';
import { currentSandbox, isEmpty, podRuntimeState, type PodRuntimeState } from './runtimestate.ts';
import { generatePodStatus } from './status.ts';
import { StatusManager } from './statusmanager.ts';
import { tokenRequestFetcher } from './serviceaccount/request.ts';
import { TokenManager } from './serviceaccount/tokens.ts';
import { ServiceLister } from './services.ts';
import { PodSyncer } from './sync.ts';
import { VolumeManager } from './volumes/manager.ts';
import { POD_GRACE } from './labels.ts';

export interface AgentOptions {
  nodeName: string;
  /** Root of the agent's files: pods/<uid>/volumes, logs. */
  dataDir: string;
  /** Port of the streaming API server (src/agent/server), advertised in the Node. */
  streamingPort?: number;
  log?: (line: string) => void;
  nodeIP?: string;
  labels?: Record<string, string>;
  roles?: string[];
  maxPods?: number;
  capacity?: Record<string, string>;
  /** CrashLoopBackOff: first delay and cap (kubelet: 10 s, 5 min). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** ImagePullBackOff: first delay and cap (kubelet: 10 s, 5 min). */
  imageBackoffInitialMs?: number;
  imageBackoffMaxMs?: number;
  /** Runtime relist period (kubelet: 1 s). */
  relistIntervalMs?: number;
  /** Periodic resync of every pod (kubelet: 1 min); configMap/secret volumes follow within it. */
  resyncIntervalMs?: number;
  /** Retry after a volume or container config failure. */
  retryMs?: number;
  /** How long a fetched configMap/secret is reused. */
  objectCacheTTLMs?: number;
  statusUpdateIntervalMs?: number;
  statusReportIntervalMs?: number;
  leaseRenewIntervalMs?: number;
  pidsLimit?: number;
  clusterDNS?: string[];
  clusterDomain?: string;
  /** The clock of token refreshes (ms since the epoch); tests move it forward. */
  now?: () => number;
}

/** What of a pod, when it changes, needs a sync (its status is ours; our own writes come back as updates). */
function syncRelevant(p: Pod): unknown {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = p.metadata ?? {};
  const gates = new Set((p.spec?.readinessGates ?? []).map((g) => g.conditionType));
  const gateConds = (p.status?.conditions ?? []).filter((c) => gates.has(c.type)).map((c) => [c.type, c.status]);
  return { meta, spec: p.spec, gateConds, phase: p.status?.phase };
}

export class Agent {
  readonly node: NodeManager;
  readonly recorder: EventRecorder;
  readonly probes: ProbeManager;
  readonly workers: PodWorkers;
  readonly statuses: StatusManager;
  readonly pleg: PLEG;
  /** Services for the containers' environment variables. */
  readonly services: ServiceLister;
  /** ServiceAccount tokens of projected volumes. */
  readonly tokens: TokenManager;
  private readonly informer: Informer<Pod>;
  private readonly pods: ResourceHandle<Pod>;
  private readonly byUid = new Map<string, Pod>();
  /** Last state of pods deleted from the API (their grace period, for the kill). */
  private readonly gone = new Map<string, Pod>();
  private readonly syncer: PodSyncer;
  private runtimeName = 'unknown';
  private started = false;

  constructor(
    private readonly client: Client,
    private readonly runtime: Runtime,
    private readonly o: AgentOptions,
  ) {
    const log = o.log;
    this.pods = client.resource<Pod>('v1', 'pods');
    // The kubelet's events: source {kubelet, node name}, reported by kubelet on this node.
    this.recorder = new EventRecorder(client, {
      component: 'kubelet',
      host: o.nodeName,
      reportingInstance: o.nodeName,
      onError: (e, ev) => log?.(`events: ${ev.reason} for ${ev.involvedObject.kind} ${ev.involvedObject.namespace ?? ''}/${ev.involvedObject.name}: ${(e as Error).message}`),
    });
    this.node = new NodeManager(client, runtime, this.recorder, {
      nodeName: o.nodeName,
      dataDir: o.dataDir,
      streamingPort: o.streamingPort,
      nodeIP: o.nodeIP,
      labels: o.labels,
      roles: o.roles,
      maxPods: o.maxPods,
      capacity: o.capacity,
      statusUpdateIntervalMs: o.statusUpdateIntervalMs,
      statusReportIntervalMs: o.statusReportIntervalMs,
      leaseRenewIntervalMs: o.leaseRenewIntervalMs,
      log,
    });
    this.statuses = new StatusManager(this.pods, log);
    this.workers = new PodWorkers({ sync: (uid) => this.syncUid(uid), onError: (uid, e) => log?.(`agent: pod ${this.describe(uid)}: sync failed: ${(e as Error).stack ?? e}`) });
    this.probes = new ProbeManager({ runtime, recorder: this.recorder, onChange: (uid) => this.workers.update(uid), log });
    const objects = new CachedObjects(client, o.objectCacheTTLMs ?? 5_000);
    const runtimeFields = () => ({ hostIP: this.node.hostIP, hostIPs: this.node.hostIPs });
    this.tokens = new TokenManager({ fetch: tokenRequestFetcher(client), now: o.now, log });
    this.services = new ServiceLister(client, log);
    const volumes = new VolumeManager(o.dataDir, (pod) => ({ objects, runtime: { ...runtimeFields(), podIPs: (pod.status?.podIPs ?? []).flatMap((p) => (p.ip ? [p.ip] : [])) }, nodeAllocatable: this.node.allocatable() }), this.tokens);
    const images = new ImageManager(runtime, this.recorder, { initialMs: o.imageBackoffInitialMs ?? 10_000, maxMs: o.imageBackoffMaxMs ?? 300_000 });
    this.syncer = new PodSyncer({
      runtime,
      recorder: this.recorder,
      volumes,
      images,
      probes: this.probes,
      objects,
      podConfig: { logRoot: join(o.dataDir, 'logs'), memoryCapacityBytes: this.node.memoryCapacityBytes, pidsLimit: o.pidsLimit, clusterDNS: o.clusterDNS, clusterDomain: o.clusterDomain },
      crashBackoff: new Backoff(o.backoffInitialMs ?? 10_000, o.backoffMaxMs ?? 300_000),
      runtimeName: () => this.runtimeName,
      hostIPs: () => this.node.hostIPs,
      nodeAllocatable: () => this.node.allocatable(),
      serviceEnv: (ns, links) => this.services.envFor(ns, links),
      retryMs: o.retryMs ?? 2_000,
      log,
    });
    this.informer = new Informer<Pod>(this.pods, { fieldSelector: `spec.nodeName=${o.nodeName}`, onError: (e) => log?.(`agent: pod watch: ${(e as Error).message}`) });
    this.informer
      .onAdd((p) => {
        this.byUid.set(p.metadata!.uid!, p);
        this.workers.update(p.metadata!.uid!);
      })
      .onUpdate((old, p) => {
        const uid = p.metadata!.uid!;
        this.byUid.set(uid, p);
        if (old.metadata?.uid !== uid) {
          this.byUid.delete(old.metadata!.uid!);
          this.workers.update(old.metadata!.uid!);
        }
        if (old.metadata?.uid !== uid || !semanticEqual(syncRelevant(old), syncRelevant(p))) this.workers.update(uid);
      })
      .onDelete((p) => {
        const uid = p.metadata!.uid!;
        this.byUid.delete(uid);
        this.gone.set(uid, p);
        this.workers.update(uid);
      });
    this.pleg = new PLEG({
      runtime,
      intervalMs: o.relistIntervalMs ?? 1_000,
      onPodChanged: (uid) => this.workers.update(uid),
      onRelist: (uids) => {
        // Pods the API no longer has (deleted while we were away): clean them up.
        if (!this.informer.hasSynced) return;
        for (const uid of uids) if (!this.byUid.has(uid) && !this.workers.has(uid)) this.workers.update(uid);
      },
      log,
    });
  }

  /** Registers the node, starts the lease, the pod watch, the relist and the workers. */
  async start(): Promise<void> {
    if (this.started) throw new Error('agent: already started');
    this.started = true;
    const v = await this.runtime.version();
    this.runtimeName = v.runtimeName;
    await this.node.register();
    this.node.start();
    this.services.start();
    this.informer.start();
    await Promise.all([this.informer.waitForSync(), this.services.waitForSync()]);
    this.pleg.start();
  }

  /** Stops watching and syncing; containers keep running (a new Agent adopts them). */
  async stop(): Promise<void> {
    this.node.stop();
    await this.informer.stop();
    await this.services.stop();
    await this.pleg.stop();
    this.probes.close();
    await this.workers.stop();
    await this.recorder.close();
  }

  /** The pod with this uid as the agent last saw it. */
  pod(uid: string): Pod | undefined {
    return this.byUid.get(uid);
  }

  /** The pod of this node with this namespace and name, if the agent knows it. */
  podByName(namespace: string, name: string): Pod | undefined {
    for (const p of this.byUid.values()) if (p.metadata?.namespace === namespace && p.metadata?.name === name) return p;
    return undefined;
  }

  private describe(uid: string): string {
    const p = this.byUid.get(uid) ?? this.gone.get(uid);
    return p ? `${p.metadata?.namespace}/${p.metadata?.name} (${uid})` : uid;
  }

  private async syncUid(uid: string): Promise<SyncOutcome> {
    const pod = this.byUid.get(uid);
    let state = await podRuntimeState(this.runtime, uid);
    if (!pod) return this.cleanUp(uid, state);
    if (pod.metadata?.deletionTimestamp) return this.terminate(pod, state);

    const terminalBefore = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    let requeue: number | undefined;
    if (!terminalBefore) requeue = await this.syncer.syncPod(pod, state);
    state = await podRuntimeState(this.runtime, uid);
    let status = this.status(pod, state, false);
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      // Done for good (restartPolicy Never/OnFailure): stop what is left; keep it for logs until the pod is deleted.
      if (state.sandboxes.some((s) => s.state === 'ready') || [...state.containers.values()].some((l) => l.some((c) => c.state === 'running'))) {
        await this.syncer.stopPod(pod, state);
        state = await podRuntimeState(this.runtime, uid);
        status = this.status(pod, state, false);
      }
      this.probes.removePod(uid);
    }
    await this.statuses.set(pod, status);
    if (status.phase !== 'Succeeded' && status.phase !== 'Failed') {
      const sandbox = currentSandbox(state);
      const running = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap((c) => {
        const cs = state.containers.get(c.name)?.[0];
        return cs?.state === 'running' && cs.podSandboxId === sandbox?.id ? [{ container: c, status: cs }] : [];
      });
      this.probes.sync(pod, running, sandbox?.id, sandbox?.ip ?? status.podIP ?? '127.0.0.1');
    }
    const resync = this.o.resyncIntervalMs ?? 60_000;
    return { done: false, requeueAfterMs: requeue === undefined ? resync : Math.min(requeue, resync) };
  }

  private status(pod: Pod, state: PodRuntimeState, terminal: boolean) {
    return generatePodStatus(pod, {
      state,
      info: this.syncer.info(pod.metadata!.uid!),
      isReady: (c, id) => this.probes.isReady(c, id),
      isStarted: (c, id) => this.probes.isStarted(c, id),
      hostIPs: this.node.hostIPs,
      runtimeName: this.runtimeName,
      terminal,
    });
  }

  /** deletionTimestamp: preStop, stop with grace, final status, remove, then delete the pod object with grace 0. */
  private async terminate(pod: Pod, state: PodRuntimeState): Promise<SyncOutcome> {
    const uid = pod.metadata!.uid!;
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    await this.syncer.stopPod(pod, state, grace);
    state = await podRuntimeState(this.runtime, uid);
    // A pod that never started anything is not given a terminal phase by its containers.
    const ranAnything = state.containers.size > 0;
    const status = this.status(pod, state, ranAnything);
    await this.statuses.set(pod, status);
    await this.syncer.removePod(uid, state);
    try {
      await this.pods.delete(pod.metadata!.namespace, pod.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
    // The informer's DELETED event syncs this uid once more and drops the worker.
    return { done: false };
  }

  /** The pod is gone from the API (or never was ours): kill and remove whatever the runtime holds for it. */
  private async cleanUp(uid: string, state: PodRuntimeState): Promise<SyncOutcome> {
    if (!isEmpty(state)) {
      const last = this.gone.get(uid);
      const annotated = Number([...state.containers.values()][0]?.[0]?.annotations[POD_GRACE]);
      const grace = last?.metadata?.deletionGracePeriodSeconds ?? (Number.isFinite(annotated) ? annotated : 30);
      await this.syncer.stopPod(last, state, grace);
      await this.syncer.removePod(uid, await podRuntimeState(this.runtime, uid));
    } else {
      this.syncer.forget(uid);
    }
    this.gone.delete(uid);
    this.statuses.forget(uid);
    return { done: true };
  }
}
