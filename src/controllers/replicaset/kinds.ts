// The two kinds the replica set controller serves: apps/v1 ReplicaSet and
// core/v1 ReplicationController (Kubernetes runs the same code for both,
// the "replication manager" being a ReplicaSet controller over RCs). They
// differ in their selector's shape and in names.

import type { ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../client/rest.ts';
import { selectorFromLabelSelector, selectorFromSet, type Selector } from '../../api/labels.ts';

/** A ReplicaSet or a ReplicationController: the fields both have. */
export type Replicated = KubeObject & {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelector | Record<string, string> | null;
    template?: PodTemplateSpec;
  };
  status?: ReplicaSetStatus;
};

export type { ReplicaSetCondition, ReplicaSetStatus };

export interface ReplicatedKind {
  apiVersion: string;
  kind: string;
  resource: string;
  /** The component name events and logs carry. */
  component: string;
  /** The pods this object selects (throws on an invalid selector). */
  selector(obj: Replicated): Selector;
}

export const REPLICA_SET: ReplicatedKind = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  resource: 'replicasets',
  component: 'replicaset-controller',
  selector: (rs) => selectorFromLabelSelector(rs.spec?.selector as LabelSelector | undefined),
};

export const REPLICATION_CONTROLLER: ReplicatedKind = {
  apiVersion: 'v1',
  kind: 'ReplicationController',
  resource: 'replicationcontrollers',
  component: 'replication-controller',
  // An RC's selector is a plain map; an empty one would select everything, which validation forbids.
  selector: (rc) => {
    const sel = rc.spec?.selector as Record<string, string> | undefined;
    if (!sel || Object.keys(sel).length === 0) throw new Error('selector is empty');
    return selectorFromSet(sel);
  },
};
