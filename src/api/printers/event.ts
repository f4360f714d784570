// The Event printer, for core/v1 Events and events.k8s.io/v1 Events alike:
// Kubernetes converts both to one internal Event before printing, so an
// events.k8s.io/v1 Event is first mapped onto the core/v1 field names.
// LAST SEEN is the plain age of the last occurrence; COUNT is its own
// (wide) column. "3m (x5 over 10m)" is kubectl describe's format, not get's.

import type { Event } from 'kubernetes-types/core/v1.js';
import type { Event as EventsV1Event } from 'kubernetes-types/events/v1.js';
import { NAME_COLUMN, col, int, type Printer } from './common.ts';
import { DOC } from './descriptions.ts';
import { parseTimestamp, translateTimestampSince } from './duration.ts';

/** The conversion from events.k8s.io/v1 to the core Event's fields. */
export function coreEventFromEventsV1(e: EventsV1Event): Event {
  const out: Event = {
    metadata: e.metadata ?? {},
    involvedObject: e.regarding ?? {},
    message: e.note,
    reason: e.reason,
    type: e.type,
    eventTime: e.eventTime,
    reportingComponent: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
  };
  if (e.series) out.series = { count: e.series.count, lastObservedTime: e.series.lastObservedTime };
  return out;
}

export const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'string', DOC.evLast),
    col('Type', 'string', DOC.evType),
    col('Reason', 'string', DOC.evReason),
    col('Object', 'string', DOC.evInvolved),
    col('Subobject', 'string', DOC.evFieldPath, 1),
    col('Source', 'string', DOC.evSource, 1),
    col('Message', 'string', DOC.evMessage),
    col('First Seen', 'string', DOC.evFirst, 1),
    col('Count', 'string', DOC.evCount, 1),
    { ...NAME_COLUMN, priority: 1 },
  ],
  cells(obj: any, now, apiVersion) {
    const ev: Event = apiVersion.startsWith('events.k8s.io/') ? coreEventFromEventsV1(obj as EventsV1Event) : (obj as Event);
    let first = translateTimestampSince(ev.firstTimestamp, now);
    if (parseTimestamp(ev.firstTimestamp) === undefined) first = translateTimestampSince(ev.eventTime, now);
    let last = translateTimestampSince(ev.lastTimestamp, now);
    if (parseTimestamp(ev.lastTimestamp) === undefined) last = first;
    let count = int(ev.count);
    if (ev.series) {
      last = translateTimestampSince(ev.series.lastObservedTime, now);
      count = int(ev.series.count);
    } else if (count === 0) {
      // Singleton events don't have a count set in the new API.
      count = 1;
    }
    const involved = ev.involvedObject ?? {};
    const kind = (involved.kind ?? '').toLowerCase();
    const target = involved.name ? `${kind}/${involved.name}` : kind;
    return [
      last,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      involved.fieldPath ?? '',
      formatEventSource(ev),
      (ev.message ?? '').trim(),
      first,
      count,
      ev.metadata?.name ?? '',
    ];
  },
};

/** formatEventSource: "component, host", each falling back to the reporting controller / instance. */
function formatEventSource(ev: Event): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance === '' ? component : `${component}, ${instance}`;
}
