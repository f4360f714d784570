// Hollow nodes: N Node objects that report Ready and run nothing, for tests
// and benchmarks at scale (Kubernetes' kubemark in small). One timer renews
// every node's Lease in kube-node-lease; one shared pod informer sees pods
// bound to them and reports them Running and Ready with a fake pod IP; a pod
// being deleted is removed at once (nothing to stop). Cheap at 5000 nodes:
// no per-node timers or watches.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { Informer } from '../../client/informer.ts';
import { isAlreadyExists, isConflict, isNotFound, type Client } from '../../client/rest.ts';
import { microTime } from '../../client/leaderelection.ts';
import { Limiter } from './limiter.ts';
import { hollowNode, nodeAddress, nodeLease, NODE_LEASE_NAMESPACE, runningStatus } from './objects.ts';

export interface HollowNodeOptions {
  count: number;
  /** Names are prefix + index (default "hollow-node-"). */
  namePrefix?: string;
  /** Capacity = allocatable (default cpu 4, memory 32Gi, pods 110, ephemeral-storage 100Gi). */
  capacity?: Record<string, string>;
  /** Extra labels, the same for all or per node index. */
  labels?: Record<string, string> | ((i: number) => Record<string, string>);
  taints?: Taint[] | ((i: number) => Taint[] | undefined);
  /** status.images, per node index (ImageLocality reads them). */
  images?: (i: number) => { names: string[]; sizeBytes: number }[] | undefined;
  /** How often Leases are renewed (default 10 s, as the kubelet); 0: no Leases. */
  leaseRenewIntervalMs?: number;
  leaseDurationSeconds?: number;
  /** Report bound pods Running and finish their deletion (default true). */
  runPods?: boolean;
  /** API writes in flight at once (default 32). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface HollowNodes {
  readonly names: string[];
  /** Pods reported Running so far. */
  readonly podsStarted: number;
  /** Stops renewing and reporting; deleteNodes also removes the Nodes and their Leases. */
  stop(opts?: { deleteNodes?: boolean }): Promise<void>;
}

const DEFAULT_CAPACITY = { cpu: '4', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };

export async function startHollowNodes(client: Client, o: HollowNodeOptions): Promise<HollowNodes> {
  if (!Number.isInteger(o.count) || o.count < 0) throw new Error(`hollow nodes: count must be a whole number, not ${o.count}`);
  const prefix = o.namePrefix ?? 'hollow-node-';
  const limiter = new Limiter(o.concurrency ?? 32);
  const log = (l: string) => o.log?.(`hollow nodes: ${l}`);
  const nodesAPI = client.resource<Node>('v1', 'nodes');
  const leasesAPI = client.resource<Lease>('coordination.k8s.io/v1', 'leases');
  const podsAPI = client.resource<Pod>('v1', 'pods');
  const names = Array.from({ length: o.count }, (_, i) => `${prefix}${i}`);
  const index = new Map(names.map((n, i) => [n, i]));
  const leaseSeconds = o.leaseDurationSeconds ?? 40;
  const leases = new Map<string, Lease>();
  let stopped = false;

  // --- register -------------------------------------------------------------
  const registered = await Promise.all(
    names.map((name, i) =>
      limiter.run(async () => {
        const labels = typeof o.labels === 'function' ? o.labels(i) : (o.labels ?? {});
        const taints = typeof o.taints === 'function' ? o.taints(i) : o.taints;
        const node = hollowNode(name, i, { ...DEFAULT_CAPACITY, ...o.capacity }, labels, taints, o.images?.(i) as never);
        try {
          return await nodesAPI.create(undefined, node);
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
          // Re-registering after a restart: take over the existing Node's status.
          const cur = await nodesAPI.get(undefined, name);
          return nodesAPI.updateStatus(undefined, { ...cur, status: node.status });
        }
      }),
    ),
  );

  // --- leases: one timer for all -------------------------------------------------
  const renewAll = async () => {
    await Promise.all(
      registered.map((node) =>
        limiter.run(async () => {
          if (stopped) return;
          const name = node.metadata!.name!;
          const cur = leases.get(name);
          try {
            if (!cur) {
              try {
                leases.set(name, await leasesAPI.create(NODE_LEASE_NAMESPACE, nodeLease(node, leaseSeconds)));
              } catch (e) {
                if (!isAlreadyExists(e)) throw e;
                const existing = await leasesAPI.get(NODE_LEASE_NAMESPACE, name);
                leases.set(name, await leasesAPI.update(NODE_LEASE_NAMESPACE, { ...existing, spec: { ...existing.spec, holderIdentity: name, leaseDurationSeconds: leaseSeconds, renewTime: microTime(Date.now()) } }));
              }
              return;
            }
            leases.set(name, await leasesAPI.update(NODE_LEASE_NAMESPACE, { ...cur, spec: { ...cur.spec, renewTime: microTime(Date.now()) } }));
          } catch (e) {
            // Someone else wrote it, or it was deleted: start over from the server's copy next time.
            if (isConflict(e) || isNotFound(e)) leases.delete(name);
            else log(`lease ${name}: ${(e as Error).message}`);
          }
        }),
      ),
    );
  };
  const interval = o.leaseRenewIntervalMs ?? 10_000;
  let leaseTimer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> = Promise.resolve();
  if (interval > 0) {
    await renewAll();
    leaseTimer = setInterval(() => {
      // A slow round is not stacked on by the next one.
      renewing = renewing.then(renewAll);
    }, interval);
    leaseTimer.unref();
  }

  // --- pods: one informer for all nodes ---------------------------------------
  let started = 0;
  const ipCounters = new Map<string, number>();
  const pending = new Set<string>();
  const handle = (pod: Pod) => {
    const nodeName = pod.spec?.nodeName;
    if (stopped || !nodeName || !index.has(nodeName)) return;
    const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
    if (pending.has(key)) return;
    if (pod.metadata?.deletionTimestamp) {
      pending.add(key);
      void limiter
        .run(() => podsAPI.delete(pod.metadata!.namespace, pod.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid } }))
        .catch((e) => isNotFound(e) || isConflict(e) || log(`deleting ${key}: ${(e as Error).message}`))
        .finally(() => pending.delete(key));
      return;
    }
    if (pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const i = index.get(nodeName)!;
    const addr = nodeAddress(i);
    const n = (ipCounters.get(nodeName) ?? 0) + 1;
    ipCounters.set(nodeName, n);
    const podIP = `${addr.podPrefix}${(n % 253) + 1}`;
    pending.add(key);
    void limiter
      .run(() => podsAPI.patch(pod.metadata!.namespace, pod.metadata!.name!, 'merge', { status: runningStatus(pod, addr.ip, podIP) }, { subresource: 'status' }))
      .then(() => started++)
      .catch((e) => isNotFound(e) || log(`reporting ${key} Running: ${(e as Error).message}`))
      .finally(() => pending.delete(key));
  };
  const informer = o.runPods === false ? undefined : new Informer<Pod>(podsAPI, { fieldSelector: 'spec.nodeName!=', transform: (p: Pod) => (delete p.metadata?.managedFields, p), onError: (e) => log(`pod informer: ${(e as Error).message}`) });
  informer?.onAdd(handle).onUpdate((_, p) => handle(p));
  informer?.start();
  await informer?.waitForSync();

  return {
    names,
    get podsStarted() {
      return started;
    },
    async stop(opts = {}) {
      stopped = true;
      if (leaseTimer) clearInterval(leaseTimer);
      await informer?.stop();
      await renewing;
      if (opts.deleteNodes) {
        await Promise.all(
          names.map((name) =>
            limiter.run(async () => {
              for (const del of [() => leasesAPI.delete(NODE_LEASE_NAMESPACE, name), () => nodesAPI.delete(undefined, name)]) {
                try {
                  await del();
                } catch (e) {
                  if (!isNotFound(e)) throw e;
                }
              }
            }),
          ),
        );
      }
    },
  };
}
