// The agent's event recorder (a local one: src/client/events.ts did not
// exist when the agent was written). core/v1 Events as the kubelet writes
// them: source {component: kubelet, host}, involvedObject with a fieldPath
// for a container (`spec.containers{web}`), and repeats of the same event
// folded into one object with a rising count, as client-go's correlator
// does. Writes run in order in the background and never block a sync; a
// backlog beyond a bound drops events rather than memory.

import type { Event, ObjectReference, Pod } from 'kubernetes-types/core/v1.js';
import type { Client, ResourceHandle } from '../client/rest.ts';
import { metaTime } from './format.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(ref: ObjectReference, type: EventType, reason: string, message: string): void;
}

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

const MAX_BACKLOG = 1000;
/** How long a repeat folds into the previous event (client-go's correlator cache lives about as long). */
const FOLD_MS = 10 * 60_000;

export class ApiEventRecorder implements EventRecorder {
  private readonly events: ResourceHandle<Event>;
  private readonly seen = new Map<string, { name: string; namespace: string; count: number; at: number; firstTimestamp: string }>();
  private chain: Promise<void> = Promise.resolve();
  private backlog = 0;
  private closed = false;

  constructor(
    client: Client,
    private readonly opts: { component?: string; host: string; log?: (line: string) => void },
  ) {
    this.events = client.resource<Event>('v1', 'events');
  }

  event(ref: ObjectReference, type: EventType, reason: string, message: string): void {
    if (this.closed) return;
    if (this.backlog >= MAX_BACKLOG) return;
    this.backlog++;
    const at = Date.now();
    this.chain = this.chain
      .then(() => this.write(ref, type, reason, message, at))
      .catch((e: unknown) => this.opts.log?.(`events: ${reason} for ${ref.kind} ${ref.namespace ?? ''}/${ref.name}: ${(e as Error).message}`))
      .finally(() => this.backlog--);
  }

  private async write(ref: ObjectReference, type: EventType, reason: string, message: string, at: number): Promise<void> {
    const namespace = ref.namespace || 'default';
    const key = [ref.uid, ref.fieldPath ?? '', type, reason, message].join('\u0000');
    const prev = this.seen.get(key);
    const ts = metaTime(at);
    if (prev && at - prev.at < FOLD_MS) {
      prev.count++;
      prev.at = at;
      try {
        await this.events.patch(prev.namespace, prev.name, 'merge', { count: prev.count, lastTimestamp: ts });
        return;
      } catch {
        // Gone (expired or deleted): write it afresh.
      }
    }
    const name = `${ref.name}.${(BigInt(at) * 1_000_000n + BigInt(process.hrtime()[1] % 1_000_000)).toString(16)}`;
    const component = this.opts.component ?? 'kubelet';
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: { component, host: this.opts.host },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: component,
      reportingInstance: this.opts.host,
    };
    await this.events.create(namespace, ev);
    this.seen.set(key, { name, namespace, count: 1, at, firstTimestamp: ts });
    if (this.seen.size > 5000) for (const [k, v] of this.seen) if (at - v.at > FOLD_MS) this.seen.delete(k);
  }

  /** Resolves when every event recorded so far is written (or failed). */
  flush(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
