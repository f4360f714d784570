// A minimal core/v1 Event writer for the DaemonSet, StatefulSet and
// local-path controllers, until the shared EventRecorder (src/client/events.ts)
// exists; then the lead swaps it in. Failures to record are only logged:
// an event must never fail a sync.

import type { Client, KubeObject } from '../../client/rest.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export function eventSink(client: Client, component: string, log?: (line: string) => void): EventSink {
  const events = client.resource('v1', 'events');
  return {
    event(obj, type, reason, message) {
      const m = obj.metadata ?? {};
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const ns = m.namespace || 'default';
      const ev = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${m.name}.`, namespace: ns },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion },
        reason,
        message,
        type,
        source: { component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: component,
        reportingInstance: '',
      };
      events.create(ns, ev as KubeObject).catch((e: unknown) => log?.(`${component}: event ${reason} on ${m.name}: ${(e as Error).message}`));
    },
  };
}
