// Writes pod statuses to the API: only when the status differs from the
// last one written (or, first, from the pod's own), as a JSON merge patch of
// pods/status carrying the pod's uid (so a pod recreated under the same
// name is never written with an old pod's status). Fields the new status
// drops are sent as null.

import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../api/equality.ts';
import { isConflict, isNotFound, type ResourceHandle } from '../client/rest.ts';

/** The status without the fields that change on every computation but mean nothing alone. */
function comparable(s: PodStatus | undefined): unknown {
  return JSON.parse(JSON.stringify(s ?? {}));
}

export class StatusManager {
  private readonly written = new Map<string, PodStatus>();
  /** Status writes made (for tests and benches). */
  writes = 0;

  constructor(
    private readonly pods: ResourceHandle<Pod>,
    private readonly log?: (line: string) => void,
  ) {}

  /** Writes the status if it changed; answers the pod as the server returned it (undefined when unchanged or gone). */
  async set(pod: Pod, status: PodStatus): Promise<Pod | undefined> {
    const uid = pod.metadata!.uid!;
    const prev = this.written.get(uid) ?? pod.status;
    if (semanticEqual(comparable(prev), comparable(status))) return undefined;
    const patch: Record<string, unknown> = { ...status };
    for (const k of Object.keys(prev ?? {})) if (!(k in patch)) patch[k] = null;
    try {
      const out = await this.pods.patch(pod.metadata!.namespace, pod.metadata!.name!, 'merge', { metadata: { uid }, status: patch }, { subresource: 'status' });
      this.writes++;
      this.written.set(uid, status);
      return out;
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) {
        this.log?.(`status of pod ${pod.metadata!.namespace}/${pod.metadata!.name}: ${(e as Error).message}`);
        return undefined;
      }
      throw e;
    }
  }

  /** The status last written for the pod, if any. */
  last(uid: string): PodStatus | undefined {
    return this.written.get(uid);
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }
}
