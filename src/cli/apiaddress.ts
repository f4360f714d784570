// Where the API server of `skiff up` / `skiff server` listens and what it
// advertises in the `kubernetes` Service's endpoints. By default: loopback
// for this host's clients, plus the node's own address so pods (whose
// traffic to 10.43.0.1:443 is DNATed to the advertised address) and joining
// agents reach it — not every address (`--host 0.0.0.0` asks for that, and
// `skiff up --nodes N` needs it for the nodes' bridge).

import { isIP } from 'node:net';
import { UsageError } from './args.ts';

export interface ApiAddresses {
  /** The first address listened on (clients on this host use it when it is loopback). */
  host: string;
  /** Further addresses, on the same port. */
  alsoListen: string[];
  /** The `kubernetes` endpoints' address; undefined leaves it to the API server (its bound host). */
  advertiseAddress?: string;
}

const wildcard = (h: string) => h === '0.0.0.0' || h === '::';

export function apiAddresses(o: { host?: string; advertiseAddress?: string; nodeIP?: string; allAddresses?: boolean }): ApiAddresses {
  if (o.advertiseAddress !== undefined && (!isIP(o.advertiseAddress) || wildcard(o.advertiseAddress))) {
    throw new UsageError(`--advertise-address must be an IP address of this host, got "${o.advertiseAddress}"`);
  }
  const host = o.host ?? (o.allAddresses ? '0.0.0.0' : '127.0.0.1');
  // An explicit, specific --host is what is advertised (unless told otherwise): it is the one address
  // served (loopback only, then, is the user's choice: pods cannot reach the API).
  const advertiseAddress = o.advertiseAddress ?? (o.host !== undefined && !wildcard(o.host) ? o.host : o.nodeIP);
  const alsoListen = !wildcard(host) && (o.host === undefined || o.advertiseAddress !== undefined) && advertiseAddress && advertiseAddress !== host ? [advertiseAddress] : [];
  return { host, alsoListen, advertiseAddress };
}
