// A pod's status as the kubelet computes it (generateAPIPodStatus): each
// container's state, lastState, ready, started, restartCount, image and ids
// from the runtime plus the reasons the last sync left (CrashLoopBackOff,
// ErrImagePull...); the phase (getPhase); the conditions
// PodReadyToStartContainers, Initialized, Ready, ContainersReady,
// PodScheduled with their reasons; IPs, start time and QoS class. Pure: the
// status manager writes it.

import type { Container, ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../engine/runtime.ts';
import { metaTime } from './format.ts';
import { podQOS } from './resources.ts';
import { currentSandbox, restartCountOf, type PodRuntimeState } from './runtimestate.ts';

export interface Waiting {
  reason: string;
  message?: string;
}

/** What a sync learned that the runtime does not keep: why containers wait. */
export interface PodSyncInfo {
  waiting: Map<string, Waiting>;
  startTime?: string;
}

export interface StatusInputs {
  state: PodRuntimeState;
  info: PodSyncInfo;
  isReady: (c: Container, id: string) => boolean;
  isStarted: (c: Container, id: string) => boolean;
  hostIPs: string[];
  runtimeName: string;
  /** The agent has stopped the pod for good (deleted, or finished): the phase must be terminal. */
  terminal?: boolean;
}

function terminated(cs: ContainerStatus, runtimeName: string): ContainerState {
  return {
    terminated: {
      exitCode: cs.exitCode,
      reason: cs.reason ?? (cs.exitCode === 0 ? 'Completed' : 'Error'),
      message: cs.message || undefined,
      startedAt: cs.startedAt ? metaTime(cs.startedAt) : undefined,
      finishedAt: cs.finishedAt ? metaTime(cs.finishedAt) : undefined,
      containerID: `${runtimeName}://${cs.id}`,
    },
  };
}

function containerStatus(c: Container, initPending: boolean, isInit: boolean, x: StatusInputs): ApiContainerStatus {
  const instances = x.state.containers.get(c.name) ?? [];
  const cur = instances[0];
  const prev = instances[1];
  const waiting = x.info.waiting.get(c.name);
  let state: ContainerState;
  let lastState: ContainerState = {};
  if (waiting && !(cur?.state === 'running')) {
    state = { waiting: { reason: waiting.reason, message: waiting.message } };
    if (cur?.state === 'exited') lastState = terminated(cur, x.runtimeName);
  } else if (cur) {
    if (cur.state === 'running') state = { running: { startedAt: metaTime(cur.startedAt) } };
    else if (cur.state === 'exited') state = terminated(cur, x.runtimeName);
    else state = { waiting: { reason: 'ContainerCreating' } };
    if (prev?.state === 'exited') lastState = terminated(prev, x.runtimeName);
  } else {
    state = { waiting: { reason: initPending && !isInit ? 'PodInitializing' : 'ContainerCreating' } };
  }
  const running = cur?.state === 'running';
  const s: ApiContainerStatus = {
    name: c.name,
    state,
    lastState,
    ready: running ? x.isReady(c, cur.id) : false,
    restartCount: cur ? restartCountOf(cur) : 0,
    image: c.image ?? '',
    imageID: cur?.imageRef ?? '',
    started: running ? x.isStarted(c, cur.id) : false,
  };
  if (cur) s.containerID = `${x.runtimeName}://${cur.id}`;
  return s;
}

function failedTermination(s: ApiContainerStatus): boolean {
  const t = s.state?.terminated ?? (s.state?.waiting ? s.lastState?.terminated : undefined);
  return !!t && t.exitCode !== 0;
}

function succeeded(s: ApiContainerStatus): boolean {
  return s.state?.terminated?.exitCode === 0;
}

/** The kubelet's getPhase. */
export function podPhase(pod: Pod, init: ApiContainerStatus[], app: ApiContainerStatus[], terminal: boolean): PodStatus['phase'] {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const inits = pod.spec?.initContainers ?? [];
  let initPending = false;
  for (const [i, c] of inits.entries()) {
    if (c.restartPolicy === 'Always') continue;
    const s = init[i]!;
    if (succeeded(s)) continue;
    if (failedTermination(s) && (policy === 'Never' || terminal)) return 'Failed';
    initPending = true;
  }
  if (initPending) return terminal ? 'Failed' : 'Pending';
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let ok = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) ok++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        stopped++;
        if (s.lastState.terminated.exitCode === 0) ok++;
      } else waiting++;
    }
  }
  if (terminal) return stopped > 0 && stopped === ok && waiting === 0 && running === 0 ? 'Succeeded' : 'Failed';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === ok) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status: ok ? 'True' : 'False', lastProbeTime: null as unknown as string };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

const OWNED = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

export function generatePodStatus(pod: Pod, x: StatusInputs): PodStatus {
  const old = pod.status ?? {};
  const inits = pod.spec?.initContainers ?? [];
  const apps = pod.spec?.containers ?? [];
  const initStatuses0 = inits.map((c) => containerStatus(c, false, true, x));
  const initDone = inits.every((c, i) => c.restartPolicy === 'Always' || succeeded(initStatuses0[i]!));
  const wasInitialized = old.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false;
  const initialized = initDone || wasInitialized;
  const appStatuses = apps.map((c) => containerStatus(c, !initialized, false, x));
  let phase = podPhase(pod, initStatuses0, appStatuses, !!x.terminal);
  // A terminal phase is final: the kubelet never moves a pod out of it.
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;

  const sandbox = currentSandbox(x.state);
  const completed = phase === 'Succeeded';
  const unready = apps.filter((_, i) => !appStatuses[i]!.ready).map((c) => c.name);
  const incomplete = inits.filter((c, i) => c.restartPolicy !== 'Always' && !succeeded(initStatuses0[i]!)).map((c) => c.name);
  const conds: PodCondition[] = [];
  conds.push(condition('PodReadyToStartContainers', !!sandbox && !x.terminal));
  conds.push(initialized ? condition('Initialized', true) : condition('Initialized', false, completed ? 'PodCompleted' : 'ContainersNotInitialized', completed ? undefined : `containers with incomplete status: [${incomplete.join(' ')}]`));
  const containersReady = unready.length === 0 && phase !== 'Succeeded' && phase !== 'Failed';
  const notReadyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMsg = completed ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  let ready = condition('Ready', containersReady, notReadyReason, notReadyMsg);
  if (containersReady) {
    const missing = (pod.spec?.readinessGates ?? []).filter((g) => !old.conditions?.some((c) => c.type === g.conditionType && c.status === 'True'));
    if (missing.length) ready = condition('Ready', false, 'ReadinessGatesNotReady', `corresponding condition of pod readiness gate "${missing[0]!.conditionType}" does not exist.`);
  }
  conds.push(ready);
  conds.push(condition('ContainersReady', containersReady, notReadyReason, notReadyMsg));
  conds.push(condition('PodScheduled', true));
  // Conditions are stamped when they change, not on every write.
  const now = metaTime();
  for (const c of conds) {
    const prev = old.conditions?.find((o) => o.type === c.type);
    c.lastTransitionTime = prev && prev.status === c.status ? (prev.lastTransitionTime ?? now) : now;
  }
  for (const c of old.conditions ?? []) if (!OWNED.has(c.type)) conds.push(c);

  const hostIP = x.hostIPs[0];
  const podIP = pod.spec?.hostNetwork ? hostIP : sandbox?.ip;
  const status: PodStatus = {
    phase,
    conditions: conds,
    hostIP,
    hostIPs: x.hostIPs.map((ip) => ({ ip })),
    startTime: old.startTime ?? x.info.startTime,
    containerStatuses: appStatuses,
    qosClass: podQOS(pod),
  };
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  } else if (old.podIP && !x.terminal) {
    status.podIP = old.podIP;
    status.podIPs = old.podIPs;
  }
  if (inits.length) status.initContainerStatuses = initStatuses0;
  if (old.nominatedNodeName) status.nominatedNodeName = old.nominatedNodeName;
  if (phase === 'Failed' && x.terminal && old.reason) status.reason = old.reason;
  return status;
}
