// A StatefulSet pod's stable identity (Kubernetes' stateful_set_utils):
// the name `<set>-<ordinal>`, the pod-name and pod-index labels, hostname
// and subdomain (the governing Service), its revision label, and the
// PersistentVolumeClaims `<template>-<set>-<ordinal>` its volumes use.

import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, PodTemplateSpec, Volume } from 'kubernetes-types/core/v1.js';
import { newControllerRef } from '../util/controllerref.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../controllerrevision/history.ts';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export const podName = (set: StatefulSet, ordinal: number) => `${set.metadata!.name}-${ordinal}`;

/** The ordinal in a pod's name if it is one of this set's (`<set>-<n>`), else -1. */
export function ordinalOf(set: StatefulSet, pod: Pod): number {
  const prefix = `${set.metadata!.name}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  if (!/^(0|[1-9]\d*)$/.test(rest)) return -1;
  const n = Number(rest);
  return Number.isSafeInteger(n) ? n : -1;
}

/** The first ordinal (spec.ordinals.start, default 0). */
export const startOrdinal = (set: StatefulSet) => set.spec?.ordinals?.start ?? 0;

export const claimName = (set: StatefulSet, template: PersistentVolumeClaim, ordinal: number) => `${template.metadata?.name}-${set.metadata!.name}-${ordinal}`;

const ownerRefFor = (set: StatefulSet) => newControllerRef(set, { apiVersion: 'apps/v1', kind: 'StatefulSet' });

/** The claims the pod of `ordinal` needs, as they would be created. */
export function claimsFor(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const selectorLabels = set.spec?.selector?.matchLabels ?? {};
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const claim = structuredClone(t);
    const meta = claim.metadata ?? {};
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = {
      name: claimName(set, t, ordinal),
      namespace: set.metadata!.namespace,
      labels: { ...(meta.labels ?? {}), ...selectorLabels },
      annotations: meta.annotations,
    };
    // A set whose claims go with it owns them (persistentVolumeClaimRetentionPolicy.whenDeleted: Delete).
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') {
      claim.metadata.ownerReferences = [{ ...ownerRefFor(set), controller: undefined }];
    }
    (claim as { status?: unknown }).status = undefined;
    return claim;
  });
}

/** The pod of `ordinal` from `template`, at revision `revisionName`. */
export function newStatefulSetPod(set: StatefulSet, template: PodTemplateSpec, ordinal: number, revisionName: string): Pod {
  const tpl = structuredClone(template);
  const name = podName(set, ordinal);
  const spec = tpl.spec ?? { containers: [] };
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  // Claim templates replace template volumes of the same name.
  const claims = set.spec?.volumeClaimTemplates ?? [];
  const claimVolumes: Volume[] = claims.map((t) => ({ name: t.metadata!.name!, persistentVolumeClaim: { claimName: claimName(set, t, ordinal) } }));
  const names = new Set(claimVolumes.map((v) => v.name));
  const volumes = [...(spec.volumes ?? []).filter((v) => !names.has(v.name)), ...claimVolumes];
  if (volumes.length > 0) spec.volumes = volumes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata!.namespace,
      labels: { ...(tpl.metadata?.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [CONTROLLER_REVISION_HASH_LABEL]: revisionName },
      annotations: tpl.metadata?.annotations,
      ownerReferences: [ownerRefFor(set)],
    },
    spec,
  };
}

export const podRevision = (pod: Pod) => pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
