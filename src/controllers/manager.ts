// The controller manager: every controller by its kube-controller-manager
// name, started together over one client. Which ones run is a list, so a test
// can run a controller of its own with test options instead of the built-in.
// The controllers share one InformerFactory: one LIST+WATCH and one cache per
// resource however many controllers follow it; a fresh factory each time the
// controllers start, stopped after them.

import type { Client } from '../client/rest.ts';
import { LeaderElector, type LeaderElectionOptions } from '../client/leaderelection.ts';
import { InformerFactory } from '../client/informerfactory.ts';
import { GarbageCollector } from './garbagecollector/controller.ts';
import { NamespaceController } from './namespace/controller.ts';
import { EndpointsController } from './endpoints/controller.ts';
import { EndpointSliceController } from './endpointslice/controller.ts';
import { NodeIpamController } from './nodeipam/controller.ts';
import { ServiceLBController } from './servicelb/controller.ts';
import { newReplicationManager, ReplicaSetController } from './replicaset/controller.ts';
import { DeploymentController } from './deployment/controller.ts';
import { JobController } from './job/controller.ts';
import { TTLAfterFinishedController } from './job/ttlafterfinished.ts';
import { CronJobController } from './cronjob/controller.ts';
import { NodeLifecycleController } from './nodelifecycle/controller.ts';
import { TaintEvictionController } from './nodelifecycle/tainteviction.ts';
import { PodGCController } from './podgc/controller.ts';
import { DaemonSetController } from './daemonset/controller.ts';
import { StatefulSetController } from './statefulset/controller.ts';
import { LocalPathProvisioner } from './localpath/controller.ts';
import { HpaController } from './hpa/controller.ts';
import { ServiceAccountController } from './serviceaccount/controller.ts';
import { ResourceQuotaController } from './resourcequota/controller.ts';

interface Runnable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerContext {
  client: Client;
  dataDir: string;
  log?: (line: string) => void;
  /** The cluster CA, published in every namespace as the kube-root-ca.crt ConfigMap. */
  caCert?: string;
  /** The node lifecycle controller's node-monitor-grace-period (default 50 s). */
  nodeMonitorGracePeriodMs?: number;
  /** The shared informers the controllers take theirs from (set by the manager). */
  informers?: InformerFactory;
}

const FACTORIES = {
  garbagecollector: (c: ControllerContext) => new GarbageCollector(c.client, { log: c.log, informers: c.informers }),
  namespace: (c: ControllerContext) => new NamespaceController(c.client, { log: c.log, informers: c.informers }),
  endpoints: (c: ControllerContext) => new EndpointsController(c.client, { log: c.log, informers: c.informers }),
  endpointslice: (c: ControllerContext) => new EndpointSliceController(c.client, { log: c.log, informers: c.informers }),
  nodeipam: (c: ControllerContext) => new NodeIpamController(c.client, { log: c.log, informers: c.informers }),
  servicelb: (c: ControllerContext) => new ServiceLBController(c.client, { log: c.log, informers: c.informers }),
  replicaset: (c: ControllerContext) => new ReplicaSetController(c.client, { log: c.log, informers: c.informers }),
  replicationcontroller: (c: ControllerContext) => newReplicationManager(c.client, { log: c.log, informers: c.informers }),
  deployment: (c: ControllerContext) => new DeploymentController(c.client, { log: c.log, informers: c.informers }),
  job: (c: ControllerContext) => new JobController(c.client, { log: c.log, informers: c.informers }),
  ttlafterfinished: (c: ControllerContext) => new TTLAfterFinishedController(c.client, { log: c.log, informers: c.informers }),
  cronjob: (c: ControllerContext) => new CronJobController(c.client, { log: c.log, informers: c.informers }),
  nodelifecycle: (c: ControllerContext) => new NodeLifecycleController(c.client, { log: c.log, gracePeriodMs: c.nodeMonitorGracePeriodMs, informers: c.informers }),
  'taint-eviction': (c: ControllerContext) => new TaintEvictionController(c.client, { log: c.log, informers: c.informers }),
  podgc: (c: ControllerContext) => new PodGCController(c.client, { log: c.log, informers: c.informers }),
  daemonset: (c: ControllerContext) => new DaemonSetController(c.client, { log: c.log, informers: c.informers }),
  statefulset: (c: ControllerContext) => new StatefulSetController(c.client, { log: c.log, informers: c.informers }),
  'local-path': (c: ControllerContext) => new LocalPathProvisioner(c.client, { dataDir: c.dataDir, log: c.log, informers: c.informers }),
  horizontalpodautoscaling: (c: ControllerContext) => new HpaController(c.client, { log: c.log }),
  serviceaccount: (c: ControllerContext) => new ServiceAccountController(c.client, { caCert: c.caCert, log: c.log, informers: c.informers }),
  resourcequota: (c: ControllerContext) => new ResourceQuotaController(c.client, { log: c.log, informers: c.informers }),
} satisfies Record<string, (c: ControllerContext) => Runnable>;

export type ControllerName = keyof typeof FACTORIES;
export const ALL_CONTROLLERS = Object.keys(FACTORIES) as ControllerName[];
/** The controllers that keep the API's own objects consistent (no workloads): what a bare control plane runs. */
export const CORE_CONTROLLERS: ControllerName[] = ['garbagecollector', 'namespace', 'endpoints', 'endpointslice', 'nodeipam', 'servicelb', 'serviceaccount', 'resourcequota'];

export interface ControllerManagerOptions {
  /** Lead through a Lease (kube-system/kube-controller-manager) so only one manager runs controllers; off when unset. */
  leaderElection?: Partial<LeaderElectionOptions>;
  /** Each controller builds its own informers instead of sharing one factory's (default false). */
  unsharedInformers?: boolean;
}

export class ControllerManager {
  private readonly names: ControllerName[];
  private running: Runnable[] = [];
  private informers: InformerFactory | undefined;
  private elector: LeaderElector | undefined;
  /** Serializes starting and stopping the controllers as leadership comes and goes. */
  private transition: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ControllerContext,
    names: readonly ControllerName[] = ALL_CONTROLLERS,
    private readonly opts: ControllerManagerOptions = {},
  ) {
    for (const n of names) if (!(n in FACTORIES)) throw new Error(`unknown controller "${n}"; known: ${ALL_CONTROLLERS.join(', ')}`);
    this.names = [...new Set(names)];
  }

  /** Without leader election: starts every controller. With it: campaigns, and the controllers run while this manager leads. */
  async start(): Promise<void> {
    if (!this.opts.leaderElection) return this.startControllers();
    this.elector = new LeaderElector(this.ctx.client, {
      namespace: 'kube-system',
      name: 'kube-controller-manager',
      ...this.opts.leaderElection,
      onStartedLeading: () => {
        this.ctx.log?.('controller manager: leading; starting controllers');
        this.transition = this.transition.then(() => this.startControllers());
      },
      onStoppedLeading: () => {
        this.ctx.log?.('controller manager: lost the lease; stopping controllers');
        this.transition = this.transition.then(() => this.stopControllers());
      },
      onError: (e) => this.ctx.log?.(`controller manager: leader election: ${(e as Error).message}`),
    });
    this.elector.start();
  }

  /** The informers the running controllers share (undefined when not running or unshared). */
  get sharedInformers(): InformerFactory | undefined {
    return this.informers;
  }

  /** Whether this manager's controllers are running now. */
  get active(): boolean {
    return this.running.length > 0;
  }

  /** Resolves once this manager leads and its controllers have started (for callers that need them running). */
  async waitLeading(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.elector && !this.elector.isLeader && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.transition;
    return !this.elector || this.elector.isLeader;
  }

  async stop(): Promise<void> {
    await this.elector?.stop();
    await this.transition;
    await this.stopControllers();
  }

  private async startControllers(): Promise<void> {
    if (this.running.length) return;
    // Fresh instances each time: a stopped controller's queue is shut for good.
    const informers = this.opts.unsharedInformers ? undefined : new InformerFactory(this.ctx.client, { onError: (r, e) => this.ctx.log?.(`controller manager: informer ${r}: ${(e as Error).message}`) });
    const ctx = { ...this.ctx, informers };
    this.running = this.names.map((n) => FACTORIES[n](ctx));
    this.informers = informers;
    // Every controller has asked for its informers: start them all at once, then the controllers (which wait for the caches).
    informers?.start();
    await Promise.all(this.running.map((c) => c.start()));
  }

  private async stopControllers(): Promise<void> {
    const r = this.running;
    const informers = this.informers;
    this.running = [];
    this.informers = undefined;
    await Promise.all(r.map((c) => c.stop()));
    await informers?.stop();
  }
}
