// A DaemonSet's pod for one node (Kubernetes' NewPod plus what the controller
// adds): the template with the revision hash label, a controller reference,
// the DaemonSet tolerations, and a required node affinity naming the node
// (matchFields metadata.name), so the default scheduler binds it there.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Affinity, Pod } from 'kubernetes-types/core/v1.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../controllerrevision/history.ts';
import { newControllerRef } from '../util/controllerref.ts';
import { withDaemonTolerations } from './predicates.ts';

/** The deprecated label Kubernetes still puts on DaemonSet pods. */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** The affinity with its required node terms replaced by one naming the node (ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function nodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const a = structuredClone(affinity ?? {});
  const na = (a.nodeAffinity ??= {});
  na.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
  };
  return a;
}

/** The node a daemon pod is on or meant for: spec.nodeName, else the single node its affinity names. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length !== 1) return undefined;
  const field = terms[0]!.matchFields?.find((f) => f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1);
  return field?.values?.[0];
}

export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const tpl = structuredClone(ds.spec?.template ?? {});
  const spec = tpl.spec ?? { containers: [] };
  spec.tolerations = withDaemonTolerations(spec);
  spec.affinity = nodeNameAffinity(spec.affinity, nodeName);
  const labels: Record<string, string> = { ...(tpl.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash };
  if (ds.metadata?.generation !== undefined) labels[POD_TEMPLATE_GENERATION_LABEL] = String(ds.metadata.generation);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata!.name}-`,
      namespace: ds.metadata!.namespace,
      labels,
      annotations: tpl.metadata?.annotations,
      ownerReferences: [newControllerRef(ds, { apiVersion: 'apps/v1', kind: 'DaemonSet' })],
    },
    spec,
  };
}
