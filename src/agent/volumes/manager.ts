// A pod's volumes on this node: each volume set up under
// `<root>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>` (emptyDir,
// configMap, secret, downwardAPI, projected) or found on the host (hostPath,
// PVCs bound to hostPath/local PVs), then turned into each container's
// mounts. Set-up runs on every sync of the pod, so configMap and secret
// volumes follow their objects (through the TTL cache). With the pod's
// fsGroup, volumes that support ownership management (emptyDir once, when
// made; payload volumes on each write; local PVs once per pod, with
// fsGroupChangePolicy) are handed to the group (ownership.ts); hostPath and
// hostPath-backed PVs are not, as in Kubernetes.

import { chmodSync, existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Container, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/quantity.ts';
import type { KeyValue, Mount } from '../../engine/runtime.ts';
import { expand } from '../env.ts';
import { ObjectNotFound } from '../objects.ts';
import { PayloadError, writeAtomic } from './atomic.ts';
import { checkHostPath } from './hostpath.ts';
import { setVolumeOwnership } from './ownership.ts';
import { volumePayload, VolumeSetupError, type PayloadContext } from './payload.ts';
import type { TokenManager } from '../serviceaccount/tokens.ts';

export { VolumeSetupError };

/** Where a volume is on the host and how containers get it. */
export interface VolumeSource {
  hostPath: string;
  /** Volumes containers may never write (configMap, secret, downwardAPI, projected). */
  readOnly: boolean;
  tmpfs?: { sizeBytes?: number; mode?: number; gid?: number };
}

/** A volume that could not be set up: the FailedMount event's message. */
export class VolumeError extends Error {
  constructor(
    readonly volume: string,
    readonly reason: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${reason}`);
    this.name = 'VolumeError';
  }
}

const PLUGIN_DIR: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

function pluginOf(v: Volume): string | undefined {
  for (const k of Object.keys(PLUGIN_DIR)) if ((v as unknown as Record<string, unknown>)[k]) return k;
  return undefined;
}

export class VolumeManager {
  constructor(
    private readonly root: string,
    private readonly ctx: (pod: Pod) => PayloadContext,
    /** ServiceAccount tokens for projected volumes. */
    private readonly tokens?: TokenManager,
  ) {}

  podDir(uid: string): string {
    return join(this.root, 'pods', uid);
  }

  /** A volume's bookkeeping (the kubelet's `pods/<uid>/plugins/kubernetes.io~<plugin>/<name>`). */
  private metaDir(uid: string, plugin: string, name: string): string {
    return join(this.podDir(uid), 'plugins', plugin === 'local' ? 'kubernetes.io~local-volume' : PLUGIN_DIR[plugin]!, name);
  }

  /** Sets up every volume of the pod; throws VolumeError for the first that fails. */
  async setUp(pod: Pod): Promise<Map<string, VolumeSource>> {
    const out = new Map<string, VolumeSource>();
    const uid = pod.metadata!.uid!;
    const ctx: PayloadContext = { tokens: this.tokens, ...this.ctx(pod) };
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.setUpOne(pod, uid, v, ctx));
      } catch (e) {
        if (e instanceof VolumeSetupError || e instanceof PayloadError || e instanceof ObjectNotFound) throw new VolumeError(v.name, e.message);
        throw e;
      }
    }
    return out;
  }

  private async setUpOne(pod: Pod, uid: string, v: Volume, ctx: PayloadContext): Promise<VolumeSource> {
    const plugin = pluginOf(v);
    if (plugin) {
      const dir = join(this.podDir(uid), 'volumes', PLUGIN_DIR[plugin]!, v.name);
      const fsGroup = pod.spec?.securityContext?.fsGroup ?? undefined;
      if (plugin === 'emptyDir') {
        // Set up once (the kubelet's ready file): what containers did to it since stays.
        const ready = join(this.metaDir(uid, plugin, v.name), 'ready');
        if (!existsSync(ready) || !existsSync(dir)) {
          mkdirSync(dir, { recursive: true });
          // emptyDir is world-writable, as Kubernetes makes it.
          chmodSync(dir, 0o777);
          setVolumeOwnership(dir, fsGroup, { readOnly: false });
          mkdirSync(dirname(ready), { recursive: true });
          writeFileSync(ready, '');
        }
        if (v.emptyDir?.medium === 'Memory') {
          const size = v.emptyDir.sizeLimit ? parseQuantity(v.emptyDir.sizeLimit).value() : undefined;
          // Each container mounts its own tmpfs: the ownership goes in its options (the kubelet's 1777 | 2000 | 0660 | 0110).
          return { hostPath: dir, readOnly: false, tmpfs: fsGroup !== undefined ? { sizeBytes: size, mode: 0o3777, gid: fsGroup } : { sizeBytes: size } };
        }
        return { hostPath: dir, readOnly: false };
      }
      const payload = await volumePayload(pod, v, ctx);
      writeAtomic(dir, payload ?? new Map(), fsGroup !== undefined ? { fsGroup } : undefined);
      return { hostPath: dir, readOnly: true };
    }
    if (v.hostPath) {
      checkHostPath(v.hostPath.path, v.hostPath.type);
      return { hostPath: v.hostPath.path, readOnly: false };
    }
    if (v.persistentVolumeClaim) {
      const ns = pod.metadata!.namespace!;
      const claim = await ctx.objects.pvc(ns, v.persistentVolumeClaim.claimName);
      const pvName = claim.spec?.volumeName;
      if (claim.status?.phase !== 'Bound' || !pvName) {
        throw new VolumeSetupError(`PVC ${ns}/${claim.metadata?.name} has non-bound phase ("${claim.status?.phase ?? 'Pending'}") or empty pvc.Spec.VolumeName ("${pvName ?? ''}")`);
      }
      const pv = await ctx.objects.pv(pvName);
      const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
      if (!path) throw new VolumeSetupError(`persistentvolume "${pvName}" is neither hostPath nor local: this node mounts only those`);
      checkHostPath(path, pv.spec?.hostPath?.type ?? (pv.spec?.local ? 'Directory' : undefined));
      const readOnly = !!v.persistentVolumeClaim.readOnly;
      // Local PVs support ownership management (writable ones, once per pod's mount); hostPath PVs do not.
      const fsGroup = pod.spec?.securityContext?.fsGroup ?? undefined;
      if (pv.spec?.local && !readOnly && fsGroup !== undefined) {
        const ready = join(this.metaDir(uid, 'local', v.name), 'ready');
        if (!existsSync(ready)) {
          setVolumeOwnership(path, fsGroup, { readOnly: false, policy: pod.spec?.securityContext?.fsGroupChangePolicy });
          mkdirSync(dirname(ready), { recursive: true });
          writeFileSync(ready, '');
        }
      }
      return { hostPath: path, readOnly };
    }
    throw new VolumeSetupError(`volume type of "${v.name}" is not supported on this node`);
  }

  /** The runtime mounts of a container: its volumeMounts over the set-up volumes (subPath, subPathExpr). */
  containerMounts(c: Container, volumes: Map<string, VolumeSource>, envs: KeyValue[]): Mount[] {
    const env = new Map(envs.map((e) => [e.name, e.value]));
    const mounts: Mount[] = [];
    for (const vm of c.volumeMounts ?? []) {
      const src = volumes.get(vm.name);
      if (!src) throw new VolumeError(vm.name, `volume "${vm.name}" is not defined in the pod`);
      let hostPath = src.hostPath;
      const sub = vm.subPathExpr ? expand(vm.subPathExpr, (n) => env.get(n)) : vm.subPath;
      if (sub) {
        if (sub.startsWith('/') || sub.split('/').includes('..')) throw new VolumeError(vm.name, `subPath "${sub}" must be a relative path without '..'`);
        hostPath = join(hostPath, sub);
        if (!src.readOnly) mkdirSync(hostPath, { recursive: true });
        try {
          // configMap/secret entries are symlinks through ..data: mount what they point at.
          hostPath = realpathSync(hostPath);
        } catch {
          throw new VolumeError(vm.name, `subPath "${sub}" does not exist in volume "${vm.name}"`);
        }
      }
      const propagation = vm.mountPropagation === 'Bidirectional' ? 'rshared' : vm.mountPropagation === 'HostToContainer' ? 'rslave' : 'private';
      const m: Mount = { containerPath: vm.mountPath, hostPath, readonly: !!vm.readOnly || src.readOnly, propagation };
      if (src.tmpfs && !sub) m.tmpfs = src.tmpfs;
      mounts.push(m);
    }
    return mounts;
  }

  /** When the pod's volumes want setting up again to refresh a token (ms from now); undefined when nothing expires. */
  refreshDueInMs(uid: string): number | undefined {
    return this.tokens?.refreshDueInMs(uid);
  }

  /** Forgets what is cached for the pod (its tokens). */
  forget(uid: string): void {
    this.tokens?.forgetPod(uid);
  }

  /** Removes the pod's directory (volumes included) once its containers are gone. */
  tearDown(uid: string): void {
    this.forget(uid);
    rmSync(this.podDir(uid), { recursive: true, force: true });
  }
}
