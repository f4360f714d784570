// How every controller in this folder records events: the shared
// EventRecorder (src/client/events.ts: repeats aggregated into count and
// lastTimestamp, bounded background writes, never failing the caller)
// behind the small EventSink seam, so tests and benchmarks can pass their own.

import { EventRecorder, type EventType } from '../../client/events.ts';
import type { Client, KubeObject } from '../../client/rest.ts';

export type { EventType };

export interface EventSink {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface EventSinkOptions {
  /** Where a failed event write is reported (it never fails a sync). */
  log?: (line: string) => void;
  /** The controller's clock, for firstTimestamp and lastTimestamp. */
  now?: () => Date;
}

/** Events written through the API as `component` (source.component and reportingComponent). */
export function clientEventSink(client: Client, component: string, opts: EventSinkOptions = {}): EventSink {
  const { log, now } = opts;
  return new EventRecorder(client, { component, now, onError: (e) => log?.(`${component}: event: ${(e as Error).message}`) });
}
