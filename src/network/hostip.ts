// The node's own address: the IPv4 address of the interface that holds the
// default route (/proc/net/route), else the first non-loopback IPv4 address.

import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

export function defaultRouteInterface(routeTable: string): string | undefined {
  for (const line of routeTable.split('\n').slice(1)) {
    const [iface, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (iface && dest === '00000000' && mask === '00000000') return iface;
  }
  return undefined;
}

export function nodeIP(): string | undefined {
  const ifs = networkInterfaces();
  let table = '';
  try {
    table = readFileSync('/proc/net/route', 'utf8');
  } catch {
    // not Linux: fall through
  }
  const iface = defaultRouteInterface(table);
  const v4 = (name: string) => ifs[name]?.find((a) => a.family === 'IPv4' && !a.internal)?.address;
  if (iface && v4(iface)) return v4(iface);
  for (const name of Object.keys(ifs)) {
    if (name.startsWith('skiff') || name.startsWith('veth') || name.startsWith('cni')) continue;
    const a = v4(name);
    if (a) return a;
  }
  return undefined;
}
