// Kubernetes' RealPodControl: how the ReplicaSet, Job and DaemonSet
// controllers create and delete their pods, with the events Kubernetes
// records on the owner (SuccessfulCreate "Created pod: <name>", FailedCreate
// "Error creating: <error>", SuccessfulDelete "Deleted pod: <name>",
// FailedDelete "Error deleting: <error>"). A create refused because the
// namespace is terminating records nothing: that is not the owner's failure.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, isConflict, isNotFound, type KubeObject, type ResourceHandle } from '../../client/rest.ts';
import type { EventSink } from './events.ts';

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The API refused a create because the namespace is being deleted (status cause NamespaceTerminating). */
export function isNamespaceTerminating(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  return !!e.status.details?.causes?.some((x) => (x as { reason?: string }).reason === 'NamespaceTerminating') || /because it is being terminated/.test(e.message);
}

export class PodControl {
  constructor(
    private readonly pods: Pick<ResourceHandle<Pod>, 'create' | 'delete'>,
    private readonly events: EventSink,
  ) {}

  /** Creates the pod for `owner`; on failure records FailedCreate (unless the namespace is terminating) and throws. */
  async create(owner: KubeObject, namespace: string | undefined, pod: Pod): Promise<Pod> {
    try {
      const created = await this.pods.create(namespace, pod);
      this.events.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      return created;
    } catch (e) {
      if (!isNamespaceTerminating(e)) this.events.event(owner, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(e)}`);
      throw e;
    }
  }

  /**
   * Deletes this pod (the uid is a precondition, so a newer pod of the same
   * name is never hit). Answers false when it was gone already; on another
   * failure records FailedDelete and throws.
   */
  async delete(owner: KubeObject, pod: Pod, opts: { gracePeriodSeconds?: number } = {}): Promise<boolean> {
    const name = pod.metadata!.name!;
    try {
      await this.pods.delete(pod.metadata?.namespace, name, { ...opts, preconditions: { uid: pod.metadata?.uid } });
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return false;
      this.events.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(e)}`);
      throw e;
    }
    this.events.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    return true;
  }
}
