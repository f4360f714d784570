// Cluster IPs and node ports for Services. Each allocation is a key in the
// store, claimed with an atomic create (Kubernetes 1.31+ keeps IPAddress
// objects the same way), so several API servers sharing one etcd never hand
// out the same address, and a crash between claiming and storing the
// Service leaves at worst a claim that `release` on the next delete frees.

import * as errors from '../../api/errors.ts';
import { isStoreError, type Store } from '../../storage/store.ts';

export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';
export const NODE_PORT_RANGE: [number, number] = [30000, 32767];

const IP_KEY = '/registry/allocations/clusterips/';
const PORT_KEY = '/registry/allocations/nodeports/';

function parseCIDR(cidr: string): { base: number; size: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`bad service CIDR ${cidr}: expected a.b.c.d/n`);
  const [a, b, c, d, bits] = m.slice(1).map(Number) as [number, number, number, number, number];
  const base = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  return { base: (base & ~((1 << (32 - bits)) - 1)) >>> 0, size: 2 ** (32 - bits) };
}

const ipString = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const ipNumber = (s: string) => s.split('.').reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);

export class ServiceAllocator {
  private readonly range: { base: number; size: number };

  constructor(
    private readonly store: Store,
    readonly serviceCIDR: string = DEFAULT_SERVICE_CIDR,
  ) {
    this.range = parseCIDR(serviceCIDR);
  }

  /** The first address of the range: the `kubernetes` Service's, by convention. */
  get firstIP(): string {
    return ipString(this.range.base + 1);
  }

  private inRange(ip: string): boolean {
    const n = ipNumber(ip);
    return n > this.range.base && n < this.range.base + this.range.size - 1;
  }

  /** Claims `requested`, or a free address when none is asked for. `owner` is the Service's key. */
  async allocateIP(owner: string, requested?: string): Promise<string> {
    if (requested) {
      if (!this.inRange(requested)) {
        throw errors.invalid('', 'Service', owner.split('/').pop()!, [
          { type: 'FieldValueInvalid', field: 'spec.clusterIPs', badValue: [requested], detail: `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.serviceCIDR}` },
        ]);
      }
      if (!(await this.claim(IP_KEY + requested, owner))) {
        throw errors.invalid('', 'Service', owner.split('/').pop()!, [
          { type: 'FieldValueInvalid', field: 'spec.clusterIPs', badValue: [requested], detail: `failed to allocate IP ${requested}: provided IP is already allocated` },
        ]);
      }
      return requested;
    }
    // Start at a random offset so concurrent allocators rarely collide; skip .1 (kubernetes).
    const usable = this.range.size - 3;
    const start = Math.floor(Math.random() * usable);
    for (let i = 0; i < usable; i++) {
      const ip = ipString(this.range.base + 2 + ((start + i) % usable));
      if (await this.claim(IP_KEY + ip, owner)) return ip;
    }
    throw errors.internalError(`failed to allocate a serviceIP: range is full (${this.serviceCIDR})`);
  }

  async allocateNodePort(owner: string, requested?: number): Promise<number> {
    const [lo, hi] = NODE_PORT_RANGE;
    if (requested) {
      if (requested < lo || requested > hi || !(await this.claim(PORT_KEY + requested, owner))) {
        const why = requested < lo || requested > hi ? `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}` : 'provided port is already allocated';
        throw errors.invalid('', 'Service', owner.split('/').pop()!, [{ type: 'FieldValueInvalid', field: 'spec.ports[0].nodePort', badValue: requested, detail: why }]);
      }
      return requested;
    }
    const n = hi - lo + 1;
    const start = Math.floor(Math.random() * n);
    for (let i = 0; i < n; i++) {
      const port = lo + ((start + i) % n);
      if (await this.claim(PORT_KEY + port, owner)) return port;
    }
    throw errors.internalError(`failed to allocate a nodePort: range is full (${lo}-${hi})`);
  }

  async releaseIP(ip: string): Promise<void> {
    await this.release(IP_KEY + ip);
  }

  async releaseNodePort(port: number): Promise<void> {
    await this.release(PORT_KEY + port);
  }

  private async claim(key: string, owner: string): Promise<boolean> {
    try {
      await this.store.create(key, owner);
      return true;
    } catch (e) {
      if (isStoreError(e, 'AlreadyExists')) return false;
      throw e;
    }
  }

  private async release(key: string): Promise<void> {
    try {
      await this.store.delete(key);
    } catch (e) {
      if (!isStoreError(e, 'NotFound')) throw e;
    }
  }
}
