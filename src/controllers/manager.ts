// The controller manager: every controller by its kube-controller-manager
// name, started together over one client. Which ones run is a list, so a test
// can run a controller of its own with test options instead of the built-in.

import type { Client } from '../client/rest.ts';
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

interface Runnable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerContext {
  client: Client;
  dataDir: string;
  log?: (line: string) => void;
}

const FACTORIES = {
  garbagecollector: (c: ControllerContext) => new GarbageCollector(c.client, { log: c.log }),
  namespace: (c: ControllerContext) => new NamespaceController(c.client, { log: c.log }),
  endpoints: (c: ControllerContext) => new EndpointsController(c.client, { log: c.log }),
  endpointslice: (c: ControllerContext) => new EndpointSliceController(c.client, { log: c.log }),
  nodeipam: (c: ControllerContext) => new NodeIpamController(c.client, { log: c.log }),
  servicelb: (c: ControllerContext) => new ServiceLBController(c.client, { log: c.log }),
  replicaset: (c: ControllerContext) => new ReplicaSetController(c.client, { log: c.log }),
  replicationcontroller: (c: ControllerContext) => newReplicationManager(c.client, { log: c.log }),
  deployment: (c: ControllerContext) => new DeploymentController(c.client, { log: c.log }),
  job: (c: ControllerContext) => new JobController(c.client, { log: c.log }),
  ttlafterfinished: (c: ControllerContext) => new TTLAfterFinishedController(c.client, { log: c.log }),
  cronjob: (c: ControllerContext) => new CronJobController(c.client, { log: c.log }),
  nodelifecycle: (c: ControllerContext) => new NodeLifecycleController(c.client, { log: c.log }),
  'taint-eviction': (c: ControllerContext) => new TaintEvictionController(c.client, { log: c.log }),
  podgc: (c: ControllerContext) => new PodGCController(c.client, { log: c.log }),
  daemonset: (c: ControllerContext) => new DaemonSetController(c.client, { log: c.log }),
  statefulset: (c: ControllerContext) => new StatefulSetController(c.client, { log: c.log }),
  'local-path': (c: ControllerContext) => new LocalPathProvisioner(c.client, { dataDir: c.dataDir, log: c.log }),
  horizontalpodautoscaling: (c: ControllerContext) => new HpaController(c.client, { log: c.log }),
} satisfies Record<string, (c: ControllerContext) => Runnable>;

export type ControllerName = keyof typeof FACTORIES;
export const ALL_CONTROLLERS = Object.keys(FACTORIES) as ControllerName[];
/** The controllers that keep the API's own objects consistent (no workloads): what a bare control plane runs. */
export const CORE_CONTROLLERS: ControllerName[] = ['garbagecollector', 'namespace', 'endpoints', 'endpointslice', 'nodeipam', 'servicelb'];

export class ControllerManager {
  private readonly running: Runnable[];

  constructor(ctx: ControllerContext, names: readonly ControllerName[] = ALL_CONTROLLERS) {
    for (const n of names) if (!(n in FACTORIES)) throw new Error(`unknown controller "${n}"; known: ${ALL_CONTROLLERS.join(', ')}`);
    this.running = [...new Set(names)].map((n) => FACTORIES[n](ctx));
  }

  async start(): Promise<void> {
    await Promise.all(this.running.map((c) => c.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.running.map((c) => c.stop()));
  }
}
