// How the batch, node and pod-GC controllers record events: the shared
// EventRecorder (src/client/events.ts, which aggregates repeats) behind the
// small EventSink interface, so tests can pass their own sink.

import { EventRecorder } from '../../client/events.ts';
import type { Client, KubeObject } from '../../client/rest.ts';
import { realClock, type Clock } from './clock.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export class EventWriter implements EventSink {
  private readonly recorder: EventRecorder;

  constructor(client: Client, component: string, opts: { log?: (line: string) => void; clock?: Clock } = {}) {
    const clock = opts.clock ?? realClock;
    this.recorder = new EventRecorder(client, { component, now: () => clock.now(), onError: (e) => opts.log?.(`${component}: event: ${(e as Error).message}`) });
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.recorder.event(obj, type, reason, message);
  }
}
