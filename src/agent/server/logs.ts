// GET /containerLogs/{namespace}/{pod}/{container}: the kubelet's log
// endpoint. Query: follow, previous, timestamps (true/1), tailLines,
// sinceSeconds | sinceTime (RFC3339), limitBytes. Answers text/plain,
// streamed while following; errors are plain text, as the kubelet writes
// them (the API server turns them into a Status).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../../engine/runtime.ts';
import { parseRFC3339Nano } from '../logs/crilog.ts';
import { readContainerLogs, type ReadLogsOptions } from '../logs/reader.ts';
import type { ContainerResolver } from './types.ts';

export class HTTPError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const flag = (q: URLSearchParams, k: string) => ['true', '1'].includes(q.get(k) ?? '');

function nonNegativeInt(q: URLSearchParams, k: string, min: number): number | undefined {
  const v = q.get(k);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new HTTPError(400, `${k}: invalid value ${JSON.stringify(v)}: must be an integer greater than or equal to ${min}`);
  return Number(v);
}

/** The reader's options from the kubelet's query parameters; bad values are a 400. */
export function parseLogQuery(q: URLSearchParams, now = Date.now()): ReadLogsOptions & { previous: boolean } {
  const sinceSeconds = nonNegativeInt(q, 'sinceSeconds', 1);
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw new HTTPError(400, 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  let sinceNs: bigint | undefined;
  if (sinceSeconds !== undefined) sinceNs = BigInt(now - sinceSeconds * 1000) * 1_000_000n;
  if (sinceTime) {
    const t = parseRFC3339Nano(sinceTime);
    if (!t) throw new HTTPError(400, `sinceTime: invalid value ${JSON.stringify(sinceTime)}: must be an RFC3339 time`);
    sinceNs = t.ns;
  }
  return {
    follow: flag(q, 'follow'),
    previous: flag(q, 'previous'),
    timestamps: flag(q, 'timestamps'),
    tailLines: nonNegativeInt(q, 'tailLines', 0),
    limitBytes: nonNegativeInt(q, 'limitBytes', 1),
    sinceNs,
  };
}

export async function serveContainerLogs(
  req: IncomingMessage,
  res: ServerResponse,
  p: { namespace: string; pod: string; container: string; query: URLSearchParams },
  deps: { runtime: Runtime; resolve: ContainerResolver; pollIntervalMs?: number },
): Promise<void> {
  const opts = parseLogQuery(p.query);
  const c = await deps.resolve(p.namespace, p.pod, p.container, opts.previous);
  if (!c) {
    if (opts.previous) throw new HTTPError(400, `previous terminated container "${p.container}" in pod "${p.pod}" not found`);
    throw new HTTPError(404, `container "${p.container}" in pod "${p.pod}" is not available`);
  }
  const ac = new AbortController();
  res.once('close', () => ac.abort());
  res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
  // Headers go out at once, so a follower sees the stream open before the first line.
  res.flushHeaders();
  const isRunning = async () => {
    if (opts.previous) return false;
    try {
      return (await deps.runtime.containerStatus(c.containerId)).state === 'running';
    } catch {
      return false;
    }
  };
  try {
    await readContainerLogs(c.logPath, res, { ...opts, isRunning, signal: ac.signal, pollIntervalMs: deps.pollIntervalMs });
  } catch (e) {
    // No file yet (the container never wrote) reads as empty; anything else ends the stream.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') res.destroy(e as Error);
  }
  res.end();
}
