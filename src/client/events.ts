// An event recorder as client-go's record package does it for core/v1
// Events: an event about an object is created in the object's namespace
// (default for cluster-scoped ones) with source.component and
// reportingComponent set to the component; a repeat of the same type, reason
// and message about the same object (and the same part of it: fieldPath, as
// `spec.containers{web}`) bumps count and lastTimestamp of the event already
// written (PATCH; a create under the same name if it has gone), instead of
// writing another. The object is a KubeObject, or an ObjectReference when the
// event is about part of one (the kubelet's container events). Writing happens
// in the background, a bounded number at a time; writes for one event are
// serialized; when too many wait, new ones are dropped (as client-go's
// broadcaster does), so a recorder never slows its caller down.

import type { Event, ObjectReference } from 'kubernetes-types/core/v1.js';
import { isNotFound, type Client, type KubeObject } from './rest.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. "default-scheduler". */
  component: string;
  /** source.host (a node name, for node components: the kubelet's is its node's). */
  host?: string;
  /** reportingInstance (default: host, or the component). */
  reportingInstance?: string;
  /** Writes in flight at once (default 8). */
  concurrency?: number;
  /** Events waiting beyond this are dropped (default 1000). */
  maxPending?: number;
  /** Distinct events remembered for aggregation (default 4096, least recently used out). */
  cacheSize?: number;
  now?: () => Date;
  /** A write failed (the event is not retried). */
  onError?: (e: unknown, ev: Event) => void;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  /** The last write for this event: the next one waits for it. */
  last: Promise<void>;
}

const ts = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = 0;
  private idle: (() => void)[] = [];
  private seq = 0;
  private closed = false;
  /** Events dropped because too many were waiting. */
  dropped = 0;
  written = 0;

  constructor(
    private readonly client: Client,
    private readonly o: EventRecorderOptions,
  ) {}

  /**
   * Records an event about `obj`: an object (which needs kind, metadata.name;
   * apiVersion and uid when known), or a reference to one, taken as it is
   * (with a fieldPath when the event is about a part of the object).
   */
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string, extra: { action?: string; related?: KubeObject } = {}): void {
    if (this.closed) return;
    const ref = isReference(obj) ? { ...obj } : referenceTo(obj);
    const now = (this.o.now ?? (() => new Date()))();
    // client-go's EventCorrelator key, less the source (one per recorder).
    const key = [ref.kind, ref.namespace, ref.name, ref.fieldPath, ref.uid, ref.apiVersion, type, reason, message].join('\u0000');
    const namespace = ref.namespace || 'default';
    let s = this.seen.get(key);
    if (s) {
      // Most recently used goes to the end of the map's order.
      this.seen.delete(key);
      s.count++;
    } else {
      s = { name: `${ref.name}.${this.uniqueSuffix(now)}`, namespace, count: 1, firstTimestamp: ts(now), last: Promise.resolve() };
      if (this.seen.size >= (this.o.cacheSize ?? 4096)) this.seen.delete(this.seen.keys().next().value!);
    }
    this.seen.set(key, s);
    const entry = s;
    const count = s.count;
    const body: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: s.name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: { component: this.o.component, ...(this.o.host ? { host: this.o.host } : {}) },
      firstTimestamp: s.firstTimestamp,
      lastTimestamp: ts(now),
      count,
      reportingComponent: this.o.component,
      reportingInstance: this.o.reportingInstance ?? this.o.host ?? this.o.component,
      ...(extra.action ? { action: extra.action } : {}),
      ...(extra.related ? { related: referenceTo(extra.related) } : {}),
    };
    if (this.waiting.length + this.running >= (this.o.maxPending ?? 1000)) {
      this.dropped++;
      return;
    }
    const prev = entry.last;
    entry.last = new Promise<void>((resolve) => {
      this.enqueue(async () => {
        await prev;
        try {
          await this.write(body, count);
          this.written++;
        } catch (e) {
          this.o.onError?.(e, body);
        } finally {
          resolve();
        }
      });
    });
  }

  private async write(ev: Event, count: number): Promise<void> {
    const events = this.client.resource<Event>('v1', 'events');
    const ns = ev.metadata!.namespace!;
    if (count > 1) {
      try {
        await events.patch(ns, ev.metadata!.name!, 'strategic', { count, lastTimestamp: ev.lastTimestamp, message: ev.message });
        return;
      } catch (e) {
        // The first write was dropped or the event expired: write it whole.
        if (!isNotFound(e)) throw e;
      }
    }
    await events.create(ns, ev);
  }

  private uniqueSuffix(now: Date): string {
    // client-go names events <object>.<UnixNano in hex>; the sequence keeps names unique within a millisecond.
    const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return nanos.toString(16);
  }

  private enqueue(job: () => Promise<void>): void {
    this.waiting.push(job);
    this.pump();
  }

  private pump(): void {
    const max = this.o.concurrency ?? 8;
    while (this.running < max && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      void job().finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.waiting.length === 0) for (const r of this.idle.splice(0)) r();
      });
    }
  }

  /** Resolves once every event recorded so far is written (or failed). */
  flush(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  /** Records nothing more; resolves once what was recorded before is written. */
  close(): Promise<void> {
    this.closed = true;
    return this.flush();
  }
}

/** An ObjectReference has no metadata; every object does. */
function isReference(obj: KubeObject | ObjectReference): obj is ObjectReference {
  return !('metadata' in obj) && typeof (obj as ObjectReference).name === 'string';
}

/** An ObjectReference to an object: kind, namespace, name, uid, apiVersion, resourceVersion. */
export function referenceTo(obj: KubeObject): ObjectReference {
  const m = obj.metadata ?? {};
  const ref: ObjectReference = { kind: obj.kind, name: m.name };
  if (m.namespace) ref.namespace = m.namespace;
  if (m.uid) ref.uid = m.uid;
  if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
  if (m.resourceVersion) ref.resourceVersion = m.resourceVersion;
  return ref;
}
