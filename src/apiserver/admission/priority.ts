// Kubernetes' Priority admission plugin for pods: at create, the pod's
// priorityClassName resolves to spec.priority and spec.preemptionPolicy (a
// class marked globalDefault applies when none is named; with no default
// the priority is 0 and the policy PreemptLowerPriority). A class that does
// not exist, or a priority/policy that disagrees with the class, is 403
// Forbidden. On update the values set at create are kept. The two system
// classes exist from the start (bootstrapped by the server).

import * as errors from '../../api/errors.ts';

export interface PriorityClassLike {
  metadata?: { name?: string };
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

export const SYSTEM_PRIORITY_CLASSES: PriorityClassLike[] = [
  { metadata: { name: 'system-node-critical' }, value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' },
  { metadata: { name: 'system-cluster-critical' }, value: 2000000000, preemptionPolicy: 'PreemptLowerPriority' },
];

export const SYSTEM_PRIORITY_CLASS_DESCRIPTION: Record<string, string> = {
  'system-node-critical': 'Used for system critical pods that must not be moved from their current node.',
  'system-cluster-critical': 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
};

export interface PriorityClassLister {
  get(name: string): PriorityClassLike | undefined;
  list(): PriorityClassLike[];
}

type PodLike = { metadata?: { name?: string; generateName?: string }; spec?: { priorityClassName?: string; priority?: number; preemptionPolicy?: string } };

const PODS = { group: '', resource: 'pods' };

/** Sets spec.priority (and preemptionPolicy) from the pod's PriorityClass; throws Forbidden as Kubernetes does. */
export function admitPodPriority(pod: PodLike, classes: PriorityClassLister, old?: PodLike): void {
  const spec = (pod.spec ??= {});
  if (old) {
    // Validation forbids changing them; a client that left them out keeps what create set.
    if (spec.priority === undefined && old.spec?.priority !== undefined) spec.priority = old.spec.priority;
    if (spec.preemptionPolicy === undefined && old.spec?.preemptionPolicy !== undefined) spec.preemptionPolicy = old.spec.preemptionPolicy;
    return;
  }
  const name = pod.metadata?.name ?? '';
  let priority = 0;
  let policy: string | undefined = 'PreemptLowerPriority';
  if (!spec.priorityClassName) {
    // With more than one default (a race between writers), the lowest value wins.
    let def: PriorityClassLike | undefined;
    for (const pc of classes.list()) if (pc.globalDefault && (!def || (pc.value ?? 0) < (def.value ?? 0))) def = pc;
    if (def) {
      spec.priorityClassName = def.metadata?.name;
      priority = def.value ?? 0;
      policy = def.preemptionPolicy;
    }
  } else {
    const pc = classes.get(spec.priorityClassName);
    if (!pc) throw errors.forbidden(PODS, name, `no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value ?? 0;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw errors.forbidden(PODS, name, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (policy) {
    if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
      throw errors.forbidden(PODS, name, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }
}
