// SyncPod (the kubelet's kuberuntime SyncPod and computePodActions): from
// the pod's spec and what the runtime holds, make one step towards the
// desired state: volumes, a ready sandbox, init containers one at a time in
// order, then app containers; restart per restartPolicy with CrashLoopBackOff;
// restart containers whose liveness/startup probe failed or whose spec
// changed. Also the pod's end: stop containers with preStop and grace, then
// remove them. Every failure leaves a reason for the status and an event.

import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { isRuntimeError, type ContainerStatus, type PodSandboxStatus, type PodSandboxConfig, type Runtime } from '../engine/runtime.ts';
import { Backoff } from './backoff.ts';
import { containerEnv, EnvError } from './env.ts';
import { etcHostsMount, HostnameError } from './etchosts.ts';
import type { EventRecorder } from '../client/events.ts';
import { podRef } from './refs.ts';
import { formatPod, goDuration, metaTime } from './format.ts';
import { ImageError, type ImageManager } from './images.ts';
import { CONTAINER_HASH, containerHash } from './labels.ts';
import type { ObjectSource } from './objects.ts';
import { containerConfig, sandboxConfig, type PodConfigOptions } from './podconfig.ts';
import { runAction } from './probes/actions.ts';
import type { ProbeManager } from './probes/manager.ts';
import { currentSandbox, restartCountOf, type PodRuntimeState } from './runtimestate.ts';
import { ServicesNotSynced } from './services.ts';
import type { PodSyncInfo } from './status.ts';
import { VolumeError, type VolumeManager, type VolumeSource } from './volumes/manager.ts';

/** The kubelet never gives a container less than this to stop (minimumGracePeriodInSeconds). */
const MIN_GRACE_SECONDS = 2;

export interface SyncerOptions {
  runtime: Runtime;
  recorder: EventRecorder;
  volumes: VolumeManager;
  images: ImageManager;
  probes: ProbeManager;
  objects: ObjectSource;
  podConfig: PodConfigOptions;
  crashBackoff: Backoff;
  runtimeName: () => string;
  hostIPs: () => string[];
  nodeAllocatable: () => Record<string, string>;
  /** The service variables of a container (ServiceLister.envFor); none when unset. */
  serviceEnv?: (namespace: string, enableServiceLinks: boolean) => Map<string, string>;
  /** Retry of a pod whose volume or container config failed (the kubelet retries on its next sync). */
  retryMs: number;
  log?: (line: string) => void;
}

interface StartResult {
  started: boolean;
  requeueMs?: number;
}

function message(e: unknown): string {
  return isRuntimeError(e) ? e.message : (e as Error).message;
}

function shouldRestart(policy: string, cs: ContainerStatus): boolean {
  if (cs.state === 'created') return true;
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return cs.exitCode !== 0;
  return false;
}

export class PodSyncer {
  private readonly infos = new Map<string, PodSyncInfo>();

  constructor(private readonly o: SyncerOptions) {}

  info(uid: string): PodSyncInfo {
    let i = this.infos.get(uid);
    if (!i) this.infos.set(uid, (i = { waiting: new Map(), startTime: metaTime() }));
    return i;
  }

  /** One step towards the pod's spec; answers when the pod wants another sync (back-offs), if it does. */
  async syncPod(pod: Pod, state: PodRuntimeState): Promise<number | undefined> {
    const uid = pod.metadata!.uid!;
    const info = this.info(uid);
    info.waiting.clear();
    let requeue: number | undefined;
    const want = (ms: number | undefined) => {
      if (ms !== undefined) requeue = requeue === undefined ? ms : Math.min(requeue, ms);
    };
    const policy = pod.spec?.restartPolicy ?? 'Always';

    let volumes: Map<string, VolumeSource>;
    try {
      volumes = await this.o.volumes.setUp(pod);
    } catch (e) {
      if (!(e instanceof VolumeError)) throw e;
      this.o.recorder.event(podRef(pod), 'Warning', 'FailedMount', e.message);
      return this.o.retryMs;
    }
    // Projected tokens are refreshed by setting the volumes up again when they are due.
    const tokenDue = this.o.volumes.refreshDueInMs(uid);
    if (tokenDue !== undefined) want(Math.max(tokenDue, this.o.retryMs));

    let sandbox = currentSandbox(state);
    if (!sandbox) {
      // A Never pod whose containers already ran is not given a new sandbox: it is over.
      if (state.sandboxes.length > 0 && policy === 'Never' && state.containers.size > 0) return undefined;
      const created = await this.createSandbox(pod, state);
      if (!created) return this.o.retryMs;
      sandbox = created;
    }
    const sbConfig = sandboxConfig(pod, sandbox.metadata.attempt, this.o.podConfig);

    for (const c of pod.spec?.initContainers ?? []) {
      const cur = state.containers.get(c.name)?.[0];
      const here = cur?.podSandboxId === sandbox.id ? cur : undefined;
      const sidecar = c.restartPolicy === 'Always';
      if (here?.state === 'running') {
        if (!sidecar) return requeue;
        const r = await this.checkRunning(pod, c, here, sandbox, sbConfig, volumes, 'init', policy);
        want(r?.requeueMs);
        continue;
      }
      if (!sidecar && here?.state === 'exited') {
        if (here.exitCode === 0) continue;
        // A failed init container fails a Never pod; otherwise it is retried with back-off.
        if (policy === 'Never') return requeue;
      }
      const r = await this.startContainer(pod, c, 'init', sandbox, sbConfig, cur, volumes);
      want(r.requeueMs);
      if (!sidecar || !r.started) return requeue;
    }

    for (const c of pod.spec?.containers ?? []) {
      let cur = state.containers.get(c.name)?.[0];
      if (cur?.state === 'running') {
        if (cur.podSandboxId === sandbox.id) {
          const r = await this.checkRunning(pod, c, cur, sandbox, sbConfig, volumes, 'app', policy);
          if (r) want(r.requeueMs);
          continue;
        }
        await this.killContainer(pod, c, cur);
        cur = await this.o.runtime.containerStatus(cur.id);
      }
      if (cur && !shouldRestart(policy, cur)) continue;
      const r = await this.startContainer(pod, c, 'app', sandbox, sbConfig, cur, volumes);
      want(r.requeueMs);
    }
    await this.pruneDead(state);
    return requeue;
  }

  /**
   * A running container: restarted when its spec changed or a liveness or
   * startup probe failed; undefined when it is left alone.
   */
  private async checkRunning(pod: Pod, c: Container, cur: ContainerStatus, sandbox: PodSandboxStatus, sbConfig: PodSandboxConfig, volumes: Map<string, VolumeSource>, type: 'init' | 'app', policy: string): Promise<StartResult | undefined> {
    let why: string | undefined;
    let grace: number | undefined;
    if (cur.annotations[CONTAINER_HASH] !== containerHash(c)) why = `Container ${c.name} definition changed, will be restarted`;
    else if (this.o.probes.startupFailed(cur.id)) {
      why = `Container ${c.name} failed startup probe, will be restarted`;
      grace = c.startupProbe?.terminationGracePeriodSeconds;
    } else if (this.o.probes.livenessFailed(cur.id)) {
      why = `Container ${c.name} failed liveness probe, will be restarted`;
      grace = c.livenessProbe?.terminationGracePeriodSeconds;
    }
    if (!why) return undefined;
    await this.killContainer(pod, c, cur, { message: why, graceSeconds: grace ?? pod.spec?.terminationGracePeriodSeconds ?? 30 });
    const after = await this.o.runtime.containerStatus(cur.id);
    if (type === 'app' && !shouldRestart(policy, after)) return { started: false };
    return this.startContainer(pod, c, type, sandbox, sbConfig, after, volumes);
  }

  private async createSandbox(pod: Pod, state: PodRuntimeState): Promise<PodSandboxStatus | undefined> {
    for (const old of state.sandboxes) {
      try {
        await this.o.runtime.stopPodSandbox(old.id);
      } catch (e) {
        this.o.log?.(`pod ${formatPod(pod)}: stopping old sandbox ${old.id}: ${message(e)}`);
      }
    }
    if (state.sandboxes.length > 0) this.o.recorder.event(podRef(pod), 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    const attempt = state.sandboxes.length ? Math.max(...state.sandboxes.map((s) => s.metadata.attempt)) + 1 : 0;
    try {
      const id = await this.o.runtime.runPodSandbox(sandboxConfig(pod, attempt, this.o.podConfig));
      return await this.o.runtime.podSandboxStatus(id);
    } catch (e) {
      this.o.recorder.event(podRef(pod), 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${message(e)}`);
      return undefined;
    }
  }

  /** Pull, create and start one container (after its back-off, if it ran before). */
  private async startContainer(pod: Pod, c: Container, type: 'init' | 'app', sandbox: PodSandboxStatus, sbConfig: PodSandboxConfig, cur: ContainerStatus | undefined, volumes: Map<string, VolumeSource>): Promise<StartResult> {
    const uid = pod.metadata!.uid!;
    const info = this.info(uid);
    const ref = podRef(pod, c.name);
    const key = `${uid}/${c.name}`;
    const backoff = this.o.crashBackoff;
    if (cur?.state === 'exited') {
      const finished = cur.finishedAt || Date.now();
      if (backoff.isInBackOffSince(key, finished)) {
        this.o.recorder.event(ref, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${formatPod(pod)}`);
        info.waiting.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(backoff.get(key))} restarting failed container=${c.name} pod=${formatPod(pod)}` });
        return { started: false, requeueMs: backoff.remaining(key, finished) + 5 };
      }
      backoff.next(key, finished);
    }
    const restartCount = cur ? restartCountOf(cur) + 1 : 0;

    try {
      await this.o.images.ensure(pod, c);
    } catch (e) {
      if (!(e instanceof ImageError)) throw e;
      info.waiting.set(c.name, { reason: e.reason, message: e.message });
      this.o.recorder.event(ref, 'Warning', 'Failed', `Error: ${e.reason}`);
      // Come back soon enough to show ImagePullBackOff, then when the back-off ends.
      const after = this.o.images.retryAfterMs(pod, c);
      return { started: false, requeueMs: e.reason === 'ErrImagePull' ? Math.min(after, 1000) : after };
    }

    const sandboxIPs = sandbox.ip ? [sandbox.ip] : pod.spec?.hostNetwork ? this.o.hostIPs() : [];
    let config;
    try {
      const serviceEnv = this.o.serviceEnv?.(pod.metadata!.namespace!, pod.spec?.enableServiceLinks ?? true);
      const { envs, warnings } = await containerEnv(pod, c, { objects: this.o.objects, runtime: { hostIP: this.o.hostIPs()[0], hostIPs: this.o.hostIPs(), podIPs: sandboxIPs }, nodeAllocatable: this.o.nodeAllocatable(), serviceEnv });
      for (const w of warnings) this.o.recorder.event(ref, 'Warning', 'InvalidEnvironmentVariableNames', w);
      const mounts = this.o.volumes.containerMounts(c, volumes, envs);
      const hosts = etcHostsMount(pod, c, sandboxIPs, this.o.volumes.podDir(uid), { clusterDomain: this.o.podConfig.clusterDomain ?? 'cluster.local' });
      if (hosts) mounts.push(hosts);
      config = containerConfig(pod, c, type, restartCount, envs, mounts, this.o.podConfig);
    } catch (e) {
      if (!(e instanceof EnvError) && !(e instanceof VolumeError) && !(e instanceof ServicesNotSynced) && !(e instanceof HostnameError)) throw e;
      const msg = e instanceof VolumeError ? e.reason : e.message;
      info.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: msg });
      this.o.recorder.event(ref, 'Warning', 'Failed', `Error: ${msg}`);
      return { started: false, requeueMs: this.o.retryMs };
    }

    let id: string;
    try {
      id = await this.o.runtime.createContainer(sandbox.id, config, sbConfig);
    } catch (e) {
      // A config the runtime refuses (runAsNonRoot with a root image, a bad seccomp profile name) is the
      // kubelet's CreateContainerConfigError; a creation that failed is CreateContainerError.
      info.waiting.set(c.name, { reason: isRuntimeError(e, 'InvalidConfig') ? 'CreateContainerConfigError' : 'CreateContainerError', message: message(e) });
      this.o.recorder.event(ref, 'Warning', 'Failed', `Error: ${message(e)}`);
      return { started: false, requeueMs: this.o.retryMs };
    }
    this.o.recorder.event(ref, 'Normal', 'Created', `Created container: ${c.name}`);
    try {
      await this.o.runtime.startContainer(id);
    } catch (e) {
      info.waiting.set(c.name, { reason: 'RunContainerError', message: message(e) });
      this.o.recorder.event(ref, 'Warning', 'Failed', `Error: ${message(e)}`);
      // The failed instance now counts as exited: the next sync applies the back-off.
      return { started: false, requeueMs: 20 };
    }
    this.o.recorder.event(ref, 'Normal', 'Started', `Started container ${c.name}`);

    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const out = await runAction(postStart, { runtime: this.o.runtime, containerId: id, sandboxId: sandbox.id, podIP: sandbox.ip ?? '127.0.0.1', container: c, timeoutMs: (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000 });
      if (out.result !== 'success') {
        // The kubelet keeps the hook's output out of the event: it may hold secrets.
        this.o.recorder.event(ref, 'Warning', 'FailedPostStartHook', 'PostStartHook failed');
        this.o.log?.(`pod ${formatPod(pod)} container ${c.name}: postStart hook failed: ${out.output}`);
        const cs = await this.o.runtime.containerStatus(id);
        await this.killContainer(pod, c, cs, { message: `FailedPostStartHook`, runPreStop: false });
        return { started: false, requeueMs: 20 };
      }
    }
    return { started: true };
  }

  /** Stops one container: Killing event, preStop hook, stop signal, grace, SIGKILL. */
  async killContainer(pod: Pod | undefined, c: Container | undefined, cs: ContainerStatus, o: { message?: string; graceSeconds?: number; runPreStop?: boolean } = {}): Promise<void> {
    const name = c?.name ?? cs.metadata.name;
    if (cs.state !== 'running' && cs.state !== 'created') return;
    let grace = o.graceSeconds ?? pod?.metadata?.deletionGracePeriodSeconds ?? pod?.spec?.terminationGracePeriodSeconds ?? 30;
    if (pod) this.o.recorder.event(podRef(pod, name), 'Normal', 'Killing', o.message ?? `Stopping container ${name}`);
    const start = Date.now();
    const preStop = c?.lifecycle?.preStop;
    if (pod && preStop && cs.state === 'running' && o.runPreStop !== false) {
      const sandbox = await this.o.runtime.podSandboxStatus(cs.podSandboxId).catch(() => undefined);
      const out = await runAction(preStop, { runtime: this.o.runtime, containerId: cs.id, sandboxId: cs.podSandboxId, podIP: sandbox?.ip ?? '127.0.0.1', container: c!, timeoutMs: Math.max(1, grace) * 1000 });
      if (out.result !== 'success') {
        this.o.recorder.event(podRef(pod, name), 'Warning', 'FailedPreStopHook', `PreStopHook failed`);
        this.o.log?.(`pod ${formatPod(pod)} container ${name}: preStop hook failed: ${out.output}`);
      }
      grace -= (Date.now() - start) / 1000;
    }
    grace = Math.max(MIN_GRACE_SECONDS, Math.ceil(grace));
    this.o.probes.forgetContainer(cs.id);
    try {
      await this.o.runtime.stopContainer(cs.id, grace);
    } catch (e) {
      if (!isRuntimeError(e, 'NotFound')) throw e;
    }
  }

  /** Stops every container of the pod (app containers first, then init/sidecars) and its sandboxes. Leaves them in place. */
  async stopPod(pod: Pod | undefined, state: PodRuntimeState, graceSeconds?: number): Promise<void> {
    const specOf = (name: string) => pod?.spec?.containers?.find((c) => c.name === name) ?? pod?.spec?.initContainers?.find((c) => c.name === name);
    const isInit = (name: string) => !!pod?.spec?.initContainers?.some((c) => c.name === name);
    const live = [...state.containers.entries()].flatMap(([name, l]) => l.filter((cs) => cs.state === 'running' || cs.state === 'created').map((cs) => ({ name, cs })));
    const kill = (l: typeof live) => Promise.all(l.map(({ name, cs }) => this.killContainer(pod, specOf(name), cs, { graceSeconds })));
    await kill(live.filter((x) => !isInit(x.name)));
    await kill(live.filter((x) => isInit(x.name)));
    for (const sb of state.sandboxes) if (sb.state === 'ready') await this.o.runtime.stopPodSandbox(sb.id);
  }

  /** Removes the pod's sandboxes, containers and volumes, and forgets it. */
  async removePod(uid: string, state: PodRuntimeState): Promise<void> {
    const inSandbox = new Set(state.sandboxes.map((s) => s.id));
    for (const l of state.containers.values()) for (const cs of l) if (!inSandbox.has(cs.podSandboxId)) await this.o.runtime.removeContainer(cs.id);
    for (const sb of state.sandboxes) await this.o.runtime.removePodSandbox(sb.id);
    this.o.volumes.tearDown(uid);
    this.forget(uid);
  }

  forget(uid: string): void {
    this.o.volumes.forget(uid);
    this.o.probes.removePod(uid);
    this.o.crashBackoff.forgetPrefix(`${uid}/`);
    this.o.images.forgetPod(uid);
    this.infos.delete(uid);
  }

  /** Keeps the newest two instances of each container (current and previous, for logs --previous). */
  private async pruneDead(state: PodRuntimeState): Promise<void> {
    for (const l of state.containers.values()) {
      for (const cs of l.slice(2)) if (cs.state === 'exited') await this.o.runtime.removeContainer(cs.id).catch(() => undefined);
    }
  }
}
