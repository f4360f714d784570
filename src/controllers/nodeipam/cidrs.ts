// Carving a cluster CIDR into per-node pod CIDRs (pure): the cluster range
// split into subnets of one mask size, handed out lowest first.

export interface CidrSet {
  /** The network address as a 32-bit number. */
  base: number;
  clusterBits: number;
  nodeBits: number;
}

export function parseIPv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`"${ip}" is not an IPv4 address`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function newCidrSet(clusterCIDR: string, nodeMaskSize: number): CidrSet {
  const [ip, bitsText] = clusterCIDR.split('/');
  const clusterBits = Number(bitsText);
  if (!ip || !Number.isInteger(clusterBits) || clusterBits < 0 || clusterBits > 32) throw new Error(`cluster CIDR "${clusterCIDR}" is not an IPv4 CIDR`);
  if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < clusterBits || nodeMaskSize > 30) throw new Error(`node mask size ${nodeMaskSize} does not fit cluster CIDR ${clusterCIDR}`);
  const mask = clusterBits === 0 ? 0 : (0xffffffff << (32 - clusterBits)) >>> 0;
  return { base: (parseIPv4(ip) & mask) >>> 0, clusterBits, nodeBits: nodeMaskSize };
}

export function capacity(set: CidrSet): number {
  return 2 ** (set.nodeBits - set.clusterBits);
}

export function cidrAt(set: CidrSet, index: number): string {
  return `${formatIPv4((set.base + index * 2 ** (32 - set.nodeBits)) >>> 0)}/${set.nodeBits}`;
}

/** The index of a node CIDR inside the set, or -1 when it is not one of its subnets. */
export function indexOf(set: CidrSet, cidr: string): number {
  const [ip, bits] = cidr.split('/');
  if (Number(bits) !== set.nodeBits) return -1;
  let n: number;
  try {
    n = parseIPv4(ip!);
  } catch {
    return -1;
  }
  const offset = n - set.base;
  const size = 2 ** (32 - set.nodeBits);
  if (offset < 0 || offset % size !== 0 || offset / size >= capacity(set)) return -1;
  return offset / size;
}
