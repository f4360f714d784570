// The API servers of a cluster, as its `kubernetes` Service's endpoints list
// them (every live server: src/apiserver/bootstrap/endpoints.ts). A client
// that keeps them learns servers added after it started, so it can fail over
// to them (k3s agents do the same). Reads need `get` on endpoints.

import type { Client, KubeObject } from './rest.ts';

interface EndpointsObject extends KubeObject {
  subsets?: { addresses?: { ip?: string }[]; ports?: { name?: string; port?: number }[] }[];
}

/** `https://ip:port` for each address of the `kubernetes` Endpoints. */
export async function apiServerURLs(client: Client): Promise<string[]> {
  const ep = await client.resource<EndpointsObject>('v1', 'endpoints').get('default', 'kubernetes');
  const urls: string[] = [];
  for (const s of ep.subsets ?? []) {
    const port = (s.ports ?? []).find((p) => p.name === 'https' || p.name === undefined)?.port ?? s.ports?.[0]?.port;
    if (!port) continue;
    for (const a of s.addresses ?? []) if (a.ip) urls.push(`https://${a.ip.includes(':') ? `[${a.ip}]` : a.ip}:${port}`);
  }
  return urls;
}

/** Adds the cluster's API servers to `client` now and every `intervalMs`; stop() ends it. */
export function learnAPIServers(client: Client, o: { intervalMs?: number; onAdded?: (origins: string[]) => void; log?: (line: string) => void } = {}): { ready: Promise<void>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const once = async () => {
    try {
      const added = client.addServers(await apiServerURLs(client));
      if (added.length) o.onAdded?.(added);
    } catch (e) {
      o.log?.(`API servers: reading the kubernetes endpoints: ${(e as Error).message}`);
    }
  };
  const loop = async () => {
    await once();
    if (!stopped) (timer = setTimeout(loop, o.intervalMs ?? 30_000)).unref();
  };
  const ready = loop();
  return {
    ready,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
