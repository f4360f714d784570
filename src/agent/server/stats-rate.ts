// CPU rates for the Summary API: usageNanoCores is the rate between two
// consecutive samples of a cumulative CPU counter, as the kubelet computes
// it from its cache of the previous sample. The first sample of a series
// gives no rate (never the cumulative time since start, which would carry
// the container's start-up CPU), nor does a counter that went backwards (a
// new instance: it starts a new series). A sample no newer than the cached
// one leaves the cache alone and gives the rate computed last.

export class CPURates {
  private readonly last = new Map<string, { cpuNs: number; at: number; nanoCores?: number }>();

  /** Nanocores of `id` since its previous sample; undefined when there is none to compare with. */
  rate(id: string, cpuNs: number, atMs: number): number | undefined {
    const prev = this.last.get(id);
    if (!prev || cpuNs < prev.cpuNs) {
      this.last.set(id, { cpuNs, at: atMs });
      return undefined;
    }
    if (atMs <= prev.at) return prev.nanoCores;
    const nanoCores = Math.round(((cpuNs - prev.cpuNs) / (atMs - prev.at)) * 1000);
    this.last.set(id, { cpuNs, at: atMs, nanoCores });
    return nanoCores;
  }

  /** Forgets every series not in `keep` (containers gone since). */
  retain(keep: Set<string>): void {
    for (const id of this.last.keys()) if (!keep.has(id)) this.last.delete(id);
  }

  get size(): number {
    return this.last.size;
  }
}
