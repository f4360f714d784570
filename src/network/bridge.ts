// The node's pod bridge made ahead of the first pod, with the pod CIDR's
// gateway address, and the service CIDR routed to it: the host's own
// connections to a ClusterIP then pass the nftables output hook (which
// needs a route to exist), and a packet for an address no Service has dies
// on the bridge instead of leaving the machine by the default route.

import { spawnSync } from 'node:child_process';

function ip(args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr ?? '').trim() };
}

/** The first address of a CIDR (the bridge's gateway address, as the CNI bridge plugin picks it). */
export function gatewayOf(cidr: string): string {
  const [addr, bits] = cidr.split('/');
  const n = addr!.split('.').reduce((a, p) => ((a << 8) | Number(p)) >>> 0, 0);
  const g = ((n & (bits === '0' ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0)) + 1) >>> 0;
  return `${[g >>> 24, (g >>> 16) & 255, (g >>> 8) & 255, g & 255].join('.')}/${bits}`;
}

export function ensureBridge(o: { bridge: string; podCIDR: string; serviceCIDR: string }): void {
  if (!ip(['link', 'show', o.bridge]).ok) {
    const r = ip(['link', 'add', o.bridge, 'type', 'bridge']);
    if (!r.ok && !/exists/.test(r.err)) throw new Error(`creating the pod bridge ${o.bridge}: ${r.err}`);
  }
  const gw = gatewayOf(o.podCIDR);
  const r = ip(['addr', 'replace', gw, 'dev', o.bridge]);
  if (!r.ok) throw new Error(`giving ${o.bridge} the address ${gw}: ${r.err}`);
  ip(['link', 'set', o.bridge, 'up']);
  const rt = ip(['route', 'replace', o.serviceCIDR, 'dev', o.bridge]);
  if (!rt.ok) throw new Error(`routing the service CIDR ${o.serviceCIDR} to ${o.bridge}: ${rt.err}`);
}
