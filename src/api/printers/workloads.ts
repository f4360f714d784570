// Printers for the apps workloads and ReplicationController: Deployment,
// ReplicaSet, ReplicationController, DaemonSet and StatefulSet.
// Replica counts a Kubernetes server always defaults (spec.replicas to 1)
// are defaulted here too, so an undefaulted object prints as a stored one.

import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  col,
  containerCells,
  formatLabelSelector,
  formatLabels,
  int,
  selectorString,
  type Printer,
} from './common.ts';
import { DOC } from './descriptions.ts';
import { translateTimestampSince } from './duration.ts';


function replicas(n: number | undefined): number {
  return n === undefined || n === null ? 1 : int(n);
}

export const deploymentPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', DOC.deployUpdated),
    col('Available', 'string', DOC.deployAvailable),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', DOC.deploySelector, 1),
  ],
  cells(obj: Deployment, now) {
    const status = obj.status ?? {};
    const [names, images] = containerCells(obj.spec?.template?.spec?.containers);
    // printDeployment prints the selector without FormatLabelSelector's "<none>".
    const selector = selectorString(obj.spec?.selector);
    return [
      obj.metadata?.name ?? '',
      `${int(status.readyReplicas)}/${replicas(obj.spec?.replicas)}`,
      int(status.updatedReplicas),
      int(status.availableReplicas),
      translateTimestampSince(obj.metadata?.creationTimestamp, now),
      names,
      images,
      selector === null ? '<invalid>' : selector,
    ];
  },
};

/** ReplicaSet and ReplicationController print alike; they differ in their column docs and selector form. */
function replicaCountPrinter<T extends ReplicaSet | ReplicationController>(
  docs: { replicas: string; current: string; ready: string; selector: string },
  selector: (obj: T) => string,
): Printer {
  return {
    columns: [
      NAME_COLUMN,
      col('Desired', 'integer', docs.replicas),
      col('Current', 'integer', docs.current),
      col('Ready', 'integer', docs.ready),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      col('Selector', 'string', docs.selector, 1),
    ],
    cells(obj: T, now) {
      const [names, images] = containerCells(obj.spec?.template?.spec?.containers);
      return [
        obj.metadata?.name ?? '',
        replicas(obj.spec?.replicas),
        int(obj.status?.replicas),
        int(obj.status?.readyReplicas),
        translateTimestampSince(obj.metadata?.creationTimestamp, now),
        names,
        images,
        selector(obj),
      ];
    },
  };
}

export const replicaSetPrinter = replicaCountPrinter<ReplicaSet>(
  { replicas: DOC.rsSpecReplicas, current: DOC.rsStatusReplicas, ready: DOC.rsStatusReadyReplicas, selector: DOC.rsSpecSelector },
  (obj) => formatLabelSelector(obj.spec?.selector),
);

export const replicationControllerPrinter = replicaCountPrinter<ReplicationController>(
  { replicas: DOC.rcSpecReplicas, current: DOC.rcStatusReplicas, ready: DOC.rcStatusReadyReplicas, selector: DOC.rcSpecSelector },
  (obj) => formatLabels(obj.spec?.selector),
);

export const daemonSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', DOC.dsDesired),
    col('Current', 'integer', DOC.dsCurrent),
    col('Ready', 'integer', DOC.dsReady),
    col('Up-to-date', 'integer', DOC.dsUpdated),
    col('Available', 'integer', DOC.dsAvailable),
    col('Node Selector', 'string', DOC.podSpecNodeSelector),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', DOC.dsSelector, 1),
  ],
  cells(obj: DaemonSet, now) {
    const status = obj.status;
    const [names, images] = containerCells(obj.spec?.template?.spec?.containers);
    return [
      obj.metadata?.name ?? '',
      int(status?.desiredNumberScheduled),
      int(status?.currentNumberScheduled),
      int(status?.numberReady),
      int(status?.updatedNumberScheduled),
      int(status?.numberAvailable),
      formatLabels(obj.spec?.template?.spec?.nodeSelector),
      translateTimestampSince(obj.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(obj.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [NAME_COLUMN, col('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
  cells(obj: StatefulSet, now) {
    const [names, images] = containerCells(obj.spec?.template?.spec?.containers);
    return [
      obj.metadata?.name ?? '',
      `${int(obj.status?.readyReplicas)}/${replicas(obj.spec?.replicas)}`,
      translateTimestampSince(obj.metadata?.creationTimestamp, now),
      names,
      images,
    ];
  },
};
