// What the agent's events are about, referenced as the kubelet does it: a
// pod, or one of its containers (fieldPath `spec.containers{web}` or
// `spec.initContainers{init}`), and its node (the node name as uid).

import type { ObjectReference, Pod } from 'kubernetes-types/core/v1.js';

/** The reference of a pod, or of one of its containers. */
export function podRef(pod: Pod, containerName?: string): ObjectReference {
  const m = pod.metadata!;
  const ref: ObjectReference = { kind: 'Pod', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
  if (containerName !== undefined) {
    const init = pod.spec?.initContainers?.some((c) => c.name === containerName);
    ref.fieldPath = `spec.${init ? 'initContainers' : 'containers'}{${containerName}}`;
  }
  return ref;
}

/** The kubelet refers to its node with the node name as uid. */
export function nodeRef(nodeName: string): ObjectReference {
  return { kind: 'Node', name: nodeName, uid: nodeName };
}
