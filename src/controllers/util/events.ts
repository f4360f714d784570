// Events from the workload controllers go through the shared EventRecorder
// (src/client/events.ts: aggregation of repeats, bounded background writes);
// the EventSink seam lets tests and benchmarks pass their own.

import { EventRecorder, type EventType } from '../../client/events.ts';
import type { Client, KubeObject } from '../../client/rest.ts';

export type { EventType };

export interface EventSink {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export function clientEventSink(client: Client, component: string): EventSink {
  return new EventRecorder(client, { component });
}
