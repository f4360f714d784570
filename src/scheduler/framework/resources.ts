// Resource amounts as plain numbers for the hot path: cpu in millicores,
// everything else in whole units (bytes for memory), Kubernetes'
// MilliValue/Value rounding. Quantity strings repeat across thousands of pods,
// so each distinct string is parsed once.

import { Quantity } from '../../api/quantity.ts';

/** A pod's requests or a node's allocatable/requested amounts. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Pod count (allocatable "pods"; on a requested side, the number of pods). */
  pods: number;
  /** Extended and hugepages resources by name, in whole units. */
  scalar: Map<string, number> | undefined;
}

export const emptyResources = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0, scalar: undefined });

const milliCache = new Map<string, number>();
const valueCache = new Map<string, number>();
const CACHE_LIMIT = 10_000;

function cached(cache: Map<string, number>, q: string | number, f: (x: Quantity) => number): number {
  const k = String(q);
  let v = cache.get(k);
  if (v === undefined) {
    try {
      v = f(Quantity.parse(q));
    } catch {
      // Validation rejects bad quantities at create; a stored oddity counts as nothing.
      v = 0;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(k, v);
  }
  return v;
}

export const milliValue = (q: string | number): number => cached(milliCache, q, (x) => x.milliValue());
export const unitValue = (q: string | number): number => cached(valueCache, q, (x) => x.value());

/** Adds a resource list (a container's requests, a pod's overhead) into `into`. */
export function addResourceList(into: Resources, list: Record<string, string | number> | undefined, sign = 1): void {
  if (!list) return;
  for (const name in list) {
    const q = list[name]!;
    switch (name) {
      case 'cpu':
        into.milliCPU += sign * milliValue(q);
        break;
      case 'memory':
        into.memory += sign * unitValue(q);
        break;
      case 'ephemeral-storage':
        into.ephemeralStorage += sign * unitValue(q);
        break;
      case 'pods':
        into.pods += sign * unitValue(q);
        break;
      default:
        if (isScalarResource(name)) {
          into.scalar ??= new Map();
          into.scalar.set(name, (into.scalar.get(name) ?? 0) + sign * unitValue(q));
        }
    }
  }
}

/** Kubernetes' IsScalarResourceName: extended and prefixed native resources, hugepages, attachable volumes. */
export function isScalarResource(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  // Domain-qualified names: extended resources (example.com/gpu) and prefixed native ones (kubernetes.io/x).
  return name.includes('/') && !name.startsWith('requests.');
}

export function addResources(into: Resources, r: Resources, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  into.pods += sign * r.pods;
  if (r.scalar) {
    into.scalar ??= new Map();
    for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + sign * v);
  }
}

/** Per resource, the larger of the two (init containers run one at a time). */
export function maxResources(into: Resources, r: Resources): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  if (r.scalar) {
    into.scalar ??= new Map();
    for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
  }
}

export function cloneResources(r: Resources): Resources {
  return { ...r, scalar: r.scalar ? new Map(r.scalar) : undefined };
}
