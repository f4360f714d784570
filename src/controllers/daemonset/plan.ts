// What one DaemonSet sync should do, computed from the cache without I/O
// (Kubernetes' manage + rollingUpdate + updateDaemonSetStatus): which nodes
// get a new pod, which pods go, and the status to report. The controller
// carries the plan out.

import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../controllerrevision/history.ts';
import { byCreation, isPodAvailable, isPodReady, isBeingDeleted, msUntilAvailable } from '../util/pods.ts';
import { nodeShouldRunDaemonPod } from './predicates.ts';
import { targetNodeName } from './pod.ts';

export interface DaemonSetPlan {
  /** Nodes that get a pod of the current revision. */
  createOn: string[];
  /** Pods to delete, with why (for events and logs). */
  remove: { pod: Pod; force: boolean; why: string }[];
  status: DaemonSetStatus;
  /** Look again after this long (a ready pod becoming available), if set. */
  recheckAfterMs?: number;
}

/** An int-or-percent against a total (Kubernetes' GetScaledValueFromIntOrPercent). */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number(v);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** maxSurge and maxUnavailable resolved against the desired count (Kubernetes' updatedDesiredNodeCounts). */
export function surgeAndUnavailable(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge as number | string | undefined, desired, true);
  let maxUnavailable = scaledValue((ru?.maxUnavailable ?? 1) as number | string, desired, maxSurge === 0);
  // Both zero would never make progress; Kubernetes allows one unavailable.
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

const hashOf = (p: Pod) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
const isFailed = (p: Pod) => p.status?.phase === 'Failed';

export function planDaemonSet(ds: DaemonSet, nodes: Node[], pods: Pod[], hash: string, now: number = Date.now()): DaemonSetPlan {
  const spec = ds.spec?.template?.spec;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const plan: DaemonSetPlan = { createOn: [], remove: [], status: {} as DaemonSetStatus };
  const removing = new Set<Pod>();
  const remove = (pod: Pod, why: string, force = false) => {
    if (removing.has(pod) || isBeingDeleted(pod)) return;
    removing.add(pod);
    plan.remove.push({ pod, force, why });
  };

  const byNode = new Map<string, Pod[]>();
  const nodeNames = new Set(nodes.map((n) => n.metadata!.name!));
  for (const pod of pods) {
    const target = targetNodeName(pod);
    if (!target) continue;
    // The node is gone: no kubelet will finish a graceful delete, so it is forced (what pod GC does).
    if (!nodeNames.has(target)) {
      if (!isBeingDeleted(pod)) remove(pod, `node ${target} no longer exists`, true);
      continue;
    }
    let list = byNode.get(target);
    if (!list) byNode.set(target, (list = []));
    list.push(pod);
  }
  for (const list of byNode.values()) list.sort(byCreation);

  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(spec, n).shouldRun).length;
  const { maxSurge, maxUnavailable } = surgeAndUnavailable(ds, desired);
  const surging = rolling && maxSurge > 0;

  // manage: one healthy pod on every node that should run one, none elsewhere.
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(spec, node);
    const here = byNode.get(name) ?? [];
    if (!shouldContinueRunning) {
      for (const p of here) remove(p, `node ${name} is not eligible`);
      continue;
    }
    if (!shouldRun && here.length === 0) continue;
    if (here.length === 0) {
      plan.createOn.push(name);
      continue;
    }
    const running: Pod[] = [];
    for (const p of here) {
      if (isBeingDeleted(p)) continue;
      if (isFailed(p)) remove(p, `found failed daemon pod ${p.metadata?.name} on node ${name}, will try to kill it`);
      else running.push(p);
    }
    // Only terminating or failed pods here: wait for them to go before a new one comes.
    if (running.length === 0) continue;
    if (!surging) {
      for (const extra of running.slice(1)) remove(extra, `more than one daemon pod on node ${name}`);
    } else {
      // With surge an old and a new pod may share a node: keep the oldest of each.
      const news = running.filter((p) => hashOf(p) === hash);
      const olds = running.filter((p) => hashOf(p) !== hash);
      for (const extra of [...news.slice(1), ...olds.slice(1)]) remove(extra, `more than one daemon pod on node ${name}`);
    }
  }

  if (rolling) rollingUpdate(plan, nodes, byNode, hash, { maxSurge, maxUnavailable, minReady, now, surging, remove });

  // Status from what is on the nodes now (Kubernetes' updateDaemonSetStatus).
  const st = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0 };
  let recheck = 0;
  for (const node of nodes) {
    const here = (byNode.get(node.metadata!.name!) ?? []).filter((p) => !isBeingDeleted(p));
    const { shouldRun } = nodeShouldRunDaemonPod(spec, node);
    if (!shouldRun) {
      if (here.length > 0) st.numberMisscheduled++;
      continue;
    }
    st.desiredNumberScheduled++;
    if (here.length === 0) continue;
    st.currentNumberScheduled++;
    const pod = here[0]!;
    if (isPodReady(pod)) {
      st.numberReady++;
      if (isPodAvailable(pod, minReady, now)) st.numberAvailable++;
      else recheck = Math.max(recheck, msUntilAvailable(pod, minReady, now));
    }
    if (here.some((p) => hashOf(p) === hash)) st.updatedNumberScheduled++;
  }
  plan.status = {
    ...st,
    numberUnavailable: Math.max(0, st.desiredNumberScheduled - st.numberAvailable),
    observedGeneration: ds.metadata?.generation,
    collisionCount: ds.status?.collisionCount,
  };
  if (recheck > 0) plan.recheckAfterMs = recheck + 50;
  return plan;
}

interface RollingOpts {
  maxSurge: number;
  maxUnavailable: number;
  minReady: number;
  now: number;
  surging: boolean;
  remove: (pod: Pod, why: string) => void;
}

/** Replaces old pods within the budget: maxUnavailable at a time, or maxSurge extra pods first. */
function rollingUpdate(plan: DaemonSetPlan, nodes: Node[], byNode: Map<string, Pod[]>, hash: string, o: RollingOpts): void {
  const available = (p: Pod) => isPodAvailable(p, o.minReady, o.now);
  const creating = new Set(plan.createOn);
  if (!o.surging) {
    let unavailable = 0;
    const replaceNow: Pod[] = [];
    const candidates: Pod[] = [];
    for (const node of nodes) {
      const name = node.metadata!.name!;
      const here = (byNode.get(name) ?? []).filter((p) => !isBeingDeleted(p) && !isFailed(p));
      if (here.length !== 1) {
        // Nothing running yet (a pod being created, or an old one still terminating), or duplicates
        // being cleaned up: unavailable, so the next old pod waits for its replacement.
        if (here.length > 1 || creating.has(name) || (byNode.get(name)?.length ?? 0) > 0) unavailable++;
        continue;
      }
      const pod = here[0]!;
      if (hashOf(pod) === hash) {
        if (!available(pod)) unavailable++;
      } else if (!available(pod)) {
        replaceNow.push(pod);
      } else {
        candidates.push(pod);
      }
    }
    // Old pods that are already unavailable go at once; available ones as the budget allows.
    const budget = Math.min(candidates.length, Math.max(0, o.maxUnavailable - unavailable - replaceNow.length));
    for (const p of replaceNow) o.remove(p, 'rolling update: replacing an unavailable old pod');
    for (const p of candidates.slice(0, budget)) o.remove(p, 'rolling update');
    return;
  }
  let surge = 0;
  const createNow: string[] = [];
  const candidateNodes: string[] = [];
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const here = (byNode.get(name) ?? []).filter((p) => !isBeingDeleted(p) && !isFailed(p));
    const news = here.filter((p) => hashOf(p) === hash);
    const olds = here.filter((p) => hashOf(p) !== hash);
    if (olds.length === 0) continue;
    if (news.length === 0) {
      if (!available(olds[0]!)) createNow.push(name);
      else candidateNodes.push(name);
    } else if (available(news[0]!)) {
      for (const p of olds) o.remove(p, 'rolling update: its replacement is available');
    } else {
      surge++;
    }
  }
  const budget = Math.min(candidateNodes.length, Math.max(0, o.maxSurge - surge));
  for (const n of [...createNow, ...candidateNodes.slice(0, budget)]) if (!creating.has(n)) plan.createOn.push(n);
}
