// Watching a rolling update from the outside: a pod informer on the
// Deployment's label that records, at every event, how many pods are live
// (not terminating, not finished) and how many of those are Ready, so a test
// can assert "never more than N+surge pods, never fewer than N-unavailable
// Ready"; and a bounded loop of HTTP GETs against a Service address while the
// rollout runs, counting failures and which answers came back.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { Informer } from '../../src/client/informer.ts';
import type { Client, KubeObject } from '../../src/client/rest.ts';
import { httpGet } from './skiffup.ts';

type PodObj = Pod & KubeObject;

const isLive = (p: Pod) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export interface PodCensus {
  /** Most live pods seen at once since start(). */
  maxLive: number;
  /** Fewest live Ready pods seen at once since start(). */
  minReady: number;
  /** Events seen since start(). */
  events: number;
  stop(): Promise<void>;
}

/** Counts the pods matching `labelSelector` in `namespace` at every watch event, from now on. */
export async function watchPodCensus(client: Client, namespace: string, labelSelector: string): Promise<PodCensus> {
  const pods = new Informer<PodObj>(client.resource<PodObj>('v1', 'pods'), { namespace, labelSelector });
  const census: PodCensus = { maxLive: 0, minReady: Number.POSITIVE_INFINITY, events: 0, stop: () => pods.stop() };
  const look = () => {
    const live = pods.list().filter(isLive);
    census.maxLive = Math.max(census.maxLive, live.length);
    census.minReady = Math.min(census.minReady, live.filter(isReady).length);
  };
  pods.start();
  await pods.waitForSync();
  look();
  const seen = () => {
    census.events++;
    look();
  };
  pods.onAdd(seen).onUpdate(seen).onDelete(seen);
  return census;
}

export interface Traffic {
  requests: number;
  failures: number;
  /** How many times each answer (the body's first line) came back. */
  answers: Map<string, number>;
}

/**
 * GETs http://host:port/ one request after another (`paceMs` apart, default 20) until `done()`
 * holds, at most `max` requests or `timeoutMs`.
 */
export async function trafficUntil(host: string, port: number, done: () => boolean, o: { max?: number; timeoutMs?: number; paceMs?: number } = {}): Promise<Traffic> {
  const t: Traffic = { requests: 0, failures: 0, answers: new Map() };
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  while (!done() && t.requests < (o.max ?? 5000) && Date.now() < deadline) {
    t.requests++;
    const body = await httpGet(host, port);
    if (body === null) t.failures++;
    else {
      const line = body.split('\n')[0]!;
      t.answers.set(line, (t.answers.get(line) ?? 0) + 1);
    }
    await new Promise((r) => setTimeout(r, o.paceMs ?? 20));
  }
  return t;
}
