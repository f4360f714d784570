// Serving a watch: one chunked HTTP response, one JSON object per line
// ({"type":"ADDED","object":{...}}), fed from the watch cache. The JSON frame
// of an event is built once and written to every watcher; Table watchers
// (kubectl get -w) get a one-row Table per event instead.

import type { IncomingMessage, ServerResponse } from 'node:http';
import * as errors from '../api/errors.ts';
import { isStoreError } from '../storage/store.ts';
import type { StoredObject } from '../storage/objects.ts';
import { apiVersionOf } from './registry/resources.ts';
import { filterFor, type ListQuery } from './rest/list.ts';
import type { ResourceREST } from './rest/resource.ts';
import { toTable, type IncludeObject } from './table.ts';

export interface WatchRequest extends Pick<ListQuery, 'labelSelector' | 'fieldSelector' | 'resourceVersion'> {
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  table?: { version: 'v1' | 'v1beta1'; includeObject?: IncludeObject };
  /** How often a BOOKMARK goes out when allowed (Kubernetes: about a minute). */
  bookmarkIntervalMs?: number;
}

/** Bytes a watcher may have queued in its socket before the stream waits for it. */
const WATCH_BUFFER_BYTES = 1 << 20;

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const errorFrame = (e: errors.StatusError) => `{"type":"ERROR","object":${JSON.stringify(e.status)}}\n`;

export async function serveWatch(req: IncomingMessage, res: ServerResponse, rest: ResourceREST, namespace: string, w: WatchRequest): Promise<void> {
  const filter = filterFor(rest.info, w);
  let since = 0;
  if (w.resourceVersion && w.resourceVersion !== '0') since = Number(w.resourceVersion);
  else if (!w.resourceVersion) await rest.cache.waitCurrent();

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let queue;
  try {
    queue = await rest.cache.watch({ sinceRevision: since, prefix: rest.prefix(namespace), filter });
  } catch (e) {
    if (isStoreError(e, 'Compacted')) res.end(errorFrame(errors.expired(String(since), e.compactRevision ?? 0)));
    else if (isStoreError(e, 'Timeout')) res.end(errorFrame(errors.tooLargeResourceVersion(since, rest.cache.revision)));
    else res.end(errorFrame(errors.internalError((e as Error).message)));
    return;
  }

  const timers: NodeJS.Timeout[] = [];
  const stop = () => queue.close();
  req.on('close', stop);
  res.on('close', stop);
  timers.push(setTimeout(stop, (w.timeoutSeconds && w.timeoutSeconds > 0 ? w.timeoutSeconds : 1800) * 1000));
  // Set while an event is between the queue and the socket.
  let busy = false;
  if (w.allowBookmarks) {
    // A bookmark must never overtake an event: the cache offers every event
    // before its revision moves, so with nothing queued or in flight here,
    // everything up to the cache's revision has been written.
    const bookmark = () => {
      if (busy || queue.pending > 0) return;
      res.write(`{"type":"BOOKMARK","object":${JSON.stringify({ kind: rest.info.kind, apiVersion: apiVersionOf(rest.info), metadata: { resourceVersion: String(rest.cache.revision) } })}}\n`);
    };
    timers.push(setInterval(bookmark, w.bookmarkIntervalMs ?? 60_000));
  }

  try {
    for await (const d of queue) {
      busy = true;
      let frame: string;
      if (w.table) {
        const table = toTable(rest.info, [rest.out(d.event.object as StoredObject)], { tableVersion: w.table.version, includeObject: w.table.includeObject, resourceVersion: String(d.event.revision) });
        frame = `{"type":"${d.type}","object":${JSON.stringify(table)}}\n`;
      } else if (rest.convert) {
        frame = `{"type":"${d.type}","object":${JSON.stringify(rest.out(d.event.object as StoredObject))}}\n`;
      } else {
        frame = d.event.frame(d.type);
      }
      res.write(frame);
      // Let the socket buffer absorb bursts; wait only when a watcher is
      // really behind. Waiting on every full write starves watchers while
      // many writers keep the event loop busy.
      if (res.writableLength > WATCH_BUFFER_BYTES) await drained(res);
      busy = false;
    }
  } catch (e) {
    // A watcher cut off (too slow, or the cache restarted) just ends: the
    // client re-watches from its last resourceVersion, as with Kubernetes.
    if (!isStoreError(e)) throw e;
  } finally {
    for (const t of timers) clearTimeout(t);
    req.off('close', stop);
    if (!res.writableEnded) res.end();
  }
}
