// The ServiceAccount admission plugin for pods being created: the service
// account defaults to "default" and must exist; unless automounting is off
// (on the pod, else on the account) the pod gets Kubernetes 1.32's projected
// kube-api-access-xxxxx volume (a bound token, the cluster CA from the
// kube-root-ca.crt ConfigMap, the namespace) mounted read-only in every
// container at /var/run/secrets/kubernetes.io/serviceaccount, and the
// account's imagePullSecrets when the pod names none.

import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import * as errors from '../../api/errors.ts';
import { NAME_SUFFIX_ALPHABET } from '../../api/meta.ts';
import type { AdmissionPlugin } from './types.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** Kubernetes' projected token lifetime (an hour and seven seconds, so it is told apart from legacy tokens). */
export const PROJECTED_TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
  return s;
}

export function kubeAPIAccessVolume(name: string) {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: PROJECTED_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
      ],
    },
  };
}

export interface ServiceAccountLookup {
  /** The account, from the cache; waits briefly for "default" of a new namespace, which its controller is about to make. */
  get(namespace: string, name: string): Promise<ServiceAccount | undefined>;
}

type Container = { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] };

export function serviceAccountAdmission(accounts: ServiceAccountLookup): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    async admit(a) {
      if (a.operation !== 'CREATE' || a.resource.group !== '' || a.resource.resource !== 'pods' || a.subresource) return;
      const pod = a.object;
      if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) return;
      const spec = (pod.spec ??= {});
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
      spec.serviceAccount = spec.serviceAccountName;
      const saName: string = spec.serviceAccountName;
      const sa = await accounts.get(a.namespace, saName);
      if (!sa) {
        throw errors.forbidden({ group: '', resource: 'pods' }, a.name, `error looking up service account ${a.namespace}/${saName}: serviceaccount "${saName}" not found`);
      }
      const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
      const containers: Container[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
      if (automount && !containers.some((c) => c.volumeMounts?.some((m) => m.mountPath === TOKEN_MOUNT_PATH))) {
        const taken = new Set<string>((spec.volumes ?? []).map((v: { name: string }) => v.name));
        let name = `kube-api-access-${randomSuffix()}`;
        while (taken.has(name)) name = `kube-api-access-${randomSuffix()}`;
        (spec.volumes ??= []).push(kubeAPIAccessVolume(name));
        for (const c of containers) (c.volumeMounts ??= []).push({ name, readOnly: true, mountPath: TOKEN_MOUNT_PATH });
      }
      if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
    },
  };
}
