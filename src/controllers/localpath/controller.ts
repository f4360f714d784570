// The local-path provisioner and a small PV binder (the parts of Kubernetes'
// PV controller and k3s's local-path-provisioner a single-machine cluster
// needs): a claim binds to a fitting pre-created volume, or, for a class
// provisioned by skiff.io/local-path, to a new hostPath volume under
// <dataDir>/storage/<pv-name> pinned to the node of its first consumer
// (WaitForFirstConsumer). A volume whose claim is gone is Released, and with
// reclaimPolicy Delete its directory and the volume are removed.

import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { keyOf, type Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { isAlreadyExists, isConflict, isNotFound, type Client, type ResourceHandle } from '../../client/rest.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { clientEventSink, type EventSink } from '../util/events.ts';
import { runController, type RunningController } from '../util/run.ts';
import { findBestMatch } from './matching.ts';
import { ensureLocalPathClass, PROVISIONER } from './storageclass.ts';

export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
const BY_CLAIM = 'claim';

export interface LocalPathOptions {
  /** Volumes live under <dataDir>/storage. */
  dataDir: string;
  log?: (line: string) => void;
  /** Shared informers (the controller manager's); the controller builds its own when unset. */
  informers?: InformerFactory;
}

export class LocalPathProvisioner {
  private readonly claimInformer: Informer<PersistentVolumeClaim>;
  private readonly volumeInformer: Informer<PersistentVolume>;
  private readonly classInformer: Informer<StorageClass>;
  private readonly podInformer: Informer<Pod>;
  private readonly nodeInformer: Informer<Node>;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'local_path_provisioner' });
  private readonly claims: ResourceHandle<PersistentVolumeClaim>;
  private readonly volumes: ResourceHandle<PersistentVolume>;
  private readonly events: EventSink;
  private readonly storageDir: string;
  private loop?: RunningController;

  constructor(
    private readonly client: Client,
    private readonly opts: LocalPathOptions,
  ) {
    const onError = (e: unknown) => opts.log?.(`local-path provisioner: ${(e as Error).message}`);
    this.storageDir = resolve(opts.dataDir, 'storage');
    this.claims = client.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
    this.volumes = client.resource<PersistentVolume>('v1', 'persistentvolumes');
    this.events = clientEventSink(client, 'persistentvolume-controller', { log: opts.log });
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.claimInformer = this.informers.get<PersistentVolumeClaim>('v1', 'persistentvolumeclaims', { source: this.claims });
    this.volumeInformer = this.informers.get<PersistentVolume>('v1', 'persistentvolumes', { source: this.volumes });
    this.classInformer = this.informers.get<StorageClass>('storage.k8s.io/v1', 'storageclasses');
    this.nodeInformer = this.informers.get<Node>('v1', 'nodes');
    this.podInformer = this.informers.get<Pod>('v1', 'pods').addIndex(BY_CLAIM, (p) =>
      (p.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [`${p.metadata?.namespace}/${v.persistentVolumeClaim.claimName}`] : [])),
    );

    const claimKey = (c: PersistentVolumeClaim) => this.queue.add(`claim:${keyOf(c)}`);
    const volumeKey = (v: PersistentVolume) => this.queue.add(`volume:${v.metadata!.name}`);
    this.claimInformer.onAdd(claimKey).onUpdate((_, c) => claimKey(c)).onDelete((c) => {
      // The volume it held is Released (or deleted).
      for (const v of this.volumeInformer.list()) if (v.spec?.claimRef?.uid === c.metadata?.uid) volumeKey(v);
    });
    this.volumeInformer.onAdd(volumeKey).onUpdate((_, v) => {
      volumeKey(v);
      // A volume that became Available may fit a waiting claim.
      if (!v.spec?.claimRef) for (const c of this.claimInformer.list()) if (!c.spec?.volumeName) claimKey(c);
    });
    // A consumer scheduled to a node lets a WaitForFirstConsumer claim go ahead.
    const podChanged = (p: Pod) => {
      if (!p.spec?.nodeName) return;
      for (const v of p.spec.volumes ?? []) if (v.persistentVolumeClaim) this.queue.add(`claim:${p.metadata?.namespace}/${v.persistentVolumeClaim.claimName}`);
    };
    this.podInformer.onAdd(podChanged).onUpdate((_, p) => podChanged(p));
  }

  async start(): Promise<void> {
    await ensureLocalPathClass(this.client);
    this.loop = await runController({
      name: 'local-path provisioner',
      informers: this.informers.owned,
      shared: this.informers.shared,
      queue: this.queue,
      workers: 2,
      sync: (key) => this.sync(key),
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  private sync(key: string): Promise<void> {
    if (key.startsWith('claim:')) return this.syncClaim(key.slice('claim:'.length));
    return this.syncVolume(key.slice('volume:'.length));
  }

  /** The node a claim's first consumer runs on: the scheduler's annotation, else a scheduled pod using it. */
  private consumerNode(pvc: PersistentVolumeClaim): string | undefined {
    const selected = pvc.metadata?.annotations?.[SELECTED_NODE_ANNOTATION];
    if (selected) return selected;
    const pod = this.podInformer.byIndex(BY_CLAIM, keyOf(pvc)).find((p) => p.spec?.nodeName && !p.metadata?.deletionTimestamp);
    return pod?.spec?.nodeName;
  }

  private async syncClaim(key: string): Promise<void> {
    const pvc = this.claimInformer.get(key);
    if (!pvc || pvc.metadata?.deletionTimestamp) return;
    if (pvc.spec?.volumeName) {
      const pv = this.volumeInformer.get(pvc.spec.volumeName);
      if (pv && pv.spec?.claimRef?.uid === pvc.metadata?.uid) await this.completeBinding(pv, pvc);
      return;
    }
    // An unbound claim is Pending (the PV controller's syncUnboundClaim), whatever happens next.
    if (!pvc.status?.phase) {
      await this.claims.patch(pvc.metadata!.namespace!, pvc.metadata!.name!, 'merge', { status: { phase: 'Pending' } }, { subresource: 'status' });
    }
    const className = pvc.spec?.storageClassName ?? '';
    const cls = className ? this.classInformer.get(className) : undefined;
    const waitForConsumer = cls?.volumeBindingMode === 'WaitForFirstConsumer';
    const nodeName = this.consumerNode(pvc);
    if (waitForConsumer && !nodeName) return;
    const node = nodeName ? this.nodeInformer.get(nodeName) : undefined;

    const match = findBestMatch(pvc, this.volumeInformer.list(), node);
    if (match) return this.bind(match, pvc);
    if (cls?.provisioner !== PROVISIONER) return;
    if (!nodeName) {
      this.events.event(claimObj(pvc), 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": configuration error, no node was specified`);
      return;
    }
    await this.provision(pvc, cls, nodeName, node);
  }

  private async provision(pvc: PersistentVolumeClaim, cls: StorageClass, nodeName: string, node: Node | undefined): Promise<void> {
    const ns = pvc.metadata!.namespace!;
    if (pvc.metadata?.annotations?.[STORAGE_PROVISIONER] !== PROVISIONER) {
      await this.claims.patch(ns, pvc.metadata!.name!, 'merge', { metadata: { annotations: { [STORAGE_PROVISIONER]: PROVISIONER, [BETA_STORAGE_PROVISIONER]: PROVISIONER } } });
      this.events.event(claimObj(pvc), 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${ns}/${pvc.metadata!.name}"`);
    }
    const name = `pvc-${pvc.metadata!.uid}`;
    const path = join(this.storageDir, name);
    mkdirSync(path, { recursive: true });
    // World-writable as Rancher's provisioner leaves it, whatever the umask: pods running as any user write here.
    chmodSync(path, 0o777);
    const hostname = node?.metadata?.labels?.['kubernetes.io/hostname'] ?? nodeName;
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { [PROVISIONED_BY]: PROVISIONER, 'local.path.provisioner/selected-node': nodeName } },
      spec: {
        capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '0' },
        accessModes: pvc.spec?.accessModes,
        persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
        storageClassName: cls.metadata!.name,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
        hostPath: { path, type: 'DirectoryOrCreate' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [hostname] }] }] } },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: pvc.metadata!.name, uid: pvc.metadata!.uid, resourceVersion: pvc.metadata!.resourceVersion },
      },
    };
    let created: PersistentVolume;
    try {
      created = await this.volumes.create(undefined, pv);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      created = await this.volumes.get(undefined, name);
    }
    this.events.event(claimObj(pvc), 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
    await this.bind(created, pvc);
  }

  /** Reserves the volume for the claim, then points the claim at it and marks both Bound. */
  private async bind(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> {
    let volume = pv;
    if (pv.spec?.claimRef?.uid !== pvc.metadata?.uid) {
      const ref = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata!.namespace, name: pvc.metadata!.name, uid: pvc.metadata!.uid, resourceVersion: pvc.metadata!.resourceVersion };
      // The resourceVersion precondition keeps two claims from taking one volume.
      volume = await this.volumes.update(undefined, { ...pv, spec: { ...pv.spec, claimRef: ref }, metadata: { ...pv.metadata, annotations: { ...(pv.metadata?.annotations ?? {}), [BOUND_BY_CONTROLLER]: 'yes' } } });
    }
    await this.completeBinding(volume, pvc);
  }

  private async completeBinding(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> {
    const ns = pvc.metadata!.namespace!;
    const name = pvc.metadata!.name!;
    if (pv.status?.phase !== 'Bound') {
      await this.volumes.patch(undefined, pv.metadata!.name!, 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
    }
    const ann = pvc.metadata?.annotations ?? {};
    if (pvc.spec?.volumeName !== pv.metadata!.name || ann[BIND_COMPLETED] !== 'yes') {
      await this.claims.patch(ns, name, 'merge', {
        metadata: { annotations: { [BIND_COMPLETED]: 'yes', [BOUND_BY_CONTROLLER]: 'yes' }, resourceVersion: pvc.metadata!.resourceVersion },
        spec: { volumeName: pv.metadata!.name },
      });
    }
    if (pvc.status?.phase !== 'Bound') {
      await this.claims.patch(ns, name, 'merge', { status: { phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity } }, { subresource: 'status' });
    }
  }

  private async syncVolume(name: string): Promise<void> {
    const pv = this.volumeInformer.get(name);
    if (!pv || pv.metadata?.deletionTimestamp) return;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      if (!pv.status?.phase || pv.status.phase === 'Pending') await this.setPhase(pv, 'Available');
      return;
    }
    const key = `${ref.namespace}/${ref.name}`;
    let claim = this.claimInformer.get(key);
    if (!claim || (ref.uid && claim.metadata?.uid !== ref.uid)) {
      // The cache may lag behind a new claim: ask the API before releasing anything.
      try {
        claim = await this.claims.get(ref.namespace, ref.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        claim = undefined;
      }
    }
    if (claim && (!ref.uid || claim.metadata?.uid === ref.uid)) {
      if (claim.spec?.volumeName === name || !claim.spec?.volumeName) this.queue.add(`claim:${key}`);
      return;
    }
    // Released: the claim is gone.
    if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete' && pv.metadata?.annotations?.[PROVISIONED_BY] === PROVISIONER) {
      this.removeDirectory(pv);
      try {
        await this.volumes.delete(undefined, name, { preconditions: { uid: pv.metadata!.uid! } });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
      return;
    }
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') await this.setPhase(pv, 'Released');
  }

  /** Removes a provisioned volume's directory, and only a direct child of <dataDir>/storage named after it. */
  private removeDirectory(pv: PersistentVolume): void {
    const path = pv.spec?.hostPath?.path;
    if (!path) return;
    const p = resolve(path);
    if (dirname(p) !== this.storageDir || basename(p) !== pv.metadata!.name) {
      this.opts.log?.(`local-path provisioner: volume ${pv.metadata!.name}: path ${path} is not under ${this.storageDir}; left in place`);
      return;
    }
    rmSync(p, { recursive: true, force: true });
  }

  private async setPhase(pv: PersistentVolume, phase: string): Promise<void> {
    await this.volumes.patch(undefined, pv.metadata!.name!, 'merge', { status: { phase } }, { subresource: 'status' });
  }
}

const claimObj = (pvc: PersistentVolumeClaim) => ({ ...pvc, apiVersion: 'v1', kind: 'PersistentVolumeClaim' });
