// A shared informer factory (after client-go's SharedInformerFactory): one
// Informer — one LIST, one WATCH, one cache — per (resource, namespace, label
// selector, field selector), however many controllers ask for it. Each
// consumer adds its own handlers and indexes to the shared informer; the
// factory alone starts and stops it. An informer asked for after start() is
// started at once, and handlers added to an informer that already holds
// objects are told of them as adds (Informer.onAdd).
//
// A consumer that reads metadata only says so (metadataOnly); the shared
// cache then keeps metadata only when, at start, every consumer of it said
// so. A full consumer arriving after a metadata-only informer started gets an
// informer of its own for that key.

import { Informer } from './informer.ts';
import type { Client, KubeObject } from './rest.ts';

export interface SharedInformerOptions {
  /** Only this namespace (all namespaces when unset). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** This consumer reads only apiVersion, kind and metadata. */
  metadataOnly?: boolean;
}

export interface InformerFactoryOptions {
  /** Told of failures the informers recover from, with the resource they concern. */
  onError?: (resource: string, e: unknown) => void;
}

interface Entry {
  informer: Informer<any>;
  /** Some consumer needs whole objects. */
  full: boolean;
  /** The cache keeps metadata only (decided when started). */
  metadataOnly: boolean;
}

/** What a metadata-only cache keeps: kind and metadata, without managedFields or the last-applied annotation. */
export function metadataOnly(o: KubeObject & { metadata?: Record<string, any> }): KubeObject {
  const m = o.metadata;
  if (!m) return { apiVersion: o.apiVersion, kind: o.kind };
  const { managedFields: _mf, annotations, ...rest } = m as { managedFields?: unknown; annotations?: Record<string, string> };
  let ann = annotations;
  if (ann && 'kubectl.kubernetes.io/last-applied-configuration' in ann) {
    const { ['kubectl.kubernetes.io/last-applied-configuration']: _la, ...others } = ann;
    ann = others;
  }
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: ann ? { ...rest, annotations: ann } : rest } as KubeObject;
}

export class InformerFactory {
  private readonly entries = new Map<string, Entry>();
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(
    private readonly client: Client,
    private readonly opts: InformerFactoryOptions = {},
  ) {}

  /** The one shared informer for this resource and scope; created on first request. */
  informerFor<T extends KubeObject = KubeObject>(apiVersion: string, resource: string, o: SharedInformerOptions = {}): Informer<T> {
    if (this.state === 'stopped') throw new Error('informer factory: stopped');
    const base = [apiVersion, resource, o.namespace ?? '', o.labelSelector ?? '', o.fieldSelector ?? ''].join('|');
    let key = base;
    let e = this.entries.get(key);
    if (e && !o.metadataOnly && e.metadataOnly) {
      // Started trimmed to metadata: a whole-object consumer needs a cache of its own.
      key = `${base}|full`;
      e = this.entries.get(key);
    }
    if (!e) {
      const handle = this.client.resource<T>(apiVersion, resource);
      const informer = new Informer<T>(handle, {
        namespace: o.namespace,
        labelSelector: o.labelSelector,
        fieldSelector: o.fieldSelector,
        onError: (err) => this.opts.onError?.(resource, err),
      });
      e = { informer, full: false, metadataOnly: false };
      this.entries.set(key, e);
    }
    if (!o.metadataOnly) e.full = true;
    if (this.state === 'started' && !e.informer.started) this.startOne(e);
    return e.informer as Informer<T>;
  }

  /** Starts every informer asked for so far; later ones start when asked for. */
  start(): void {
    if (this.state === 'stopped') throw new Error('informer factory: stopped factories cannot restart');
    this.state = 'started';
    for (const e of this.entries.values()) if (!e.informer.started) this.startOne(e);
  }

  private startOne(e: Entry): void {
    if (!e.full) {
      e.metadataOnly = true;
      e.informer.setTransform(metadataOnly);
    }
    e.informer.start();
  }

  /** Resolves true once every started informer has synced (false if one stopped first). */
  async waitForSync(): Promise<boolean> {
    const r = await Promise.all([...this.entries.values()].filter((e) => e.informer.started).map((e) => e.informer.waitForSync()));
    return r.every(Boolean);
  }

  /** Stops every informer; the factory cannot be started again. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    await Promise.all([...this.entries.values()].map((e) => e.informer.stop()));
  }

  /** How many informers (each one LIST + WATCH) the factory holds. */
  get size(): number {
    return this.entries.size;
  }

  /** The keys of the informers held (resource|namespace|labels|fields), for tests and logs. */
  keys(): string[] {
    return [...this.entries.keys()];
  }
}
