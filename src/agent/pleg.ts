// The pod lifecycle event generator (the kubelet's generic PLEG): relists
// the runtime every second and compares each container's and sandbox's
// state with the previous relist. A change (started, died, removed) wakes
// the pod's worker, so exits are noticed without trusting a callback; a pod
// uid the agent has no pod for is reported too (orphans to clean up).

import type { Runtime } from '../engine/runtime.ts';
import { MANAGED_BY, MANAGER, POD_UID } from './labels.ts';

export interface PLEGOptions {
  runtime: Runtime;
  intervalMs: number;
  onPodChanged: (uid: string) => void;
  /** Every uid seen in the runtime at each relist (for orphan detection). */
  onRelist?: (uids: Set<string>) => void;
  log?: (line: string) => void;
}

export class PLEG {
  private prev = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  relists = 0;

  constructor(private readonly o: PLEGOptions) {}

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.relist().catch((e: unknown) => this.o.log?.(`pleg: relist failed: ${(e as Error).message}`));
      await this.running;
      if (!this.stopped) {
        this.timer = setTimeout(loop, this.o.intervalMs);
        this.timer.unref();
      }
    };
    this.timer = setTimeout(loop, 0);
    this.timer.unref();
  }

  async relist(): Promise<void> {
    const sel = { labelSelector: { [MANAGED_BY]: MANAGER } };
    const [sandboxes, containers] = await Promise.all([this.o.runtime.listPodSandboxes(sel), this.o.runtime.listContainers(sel)]);
    this.relists++;
    const next = new Map<string, string>();
    const uidOf = new Map<string, string>();
    const uids = new Set<string>();
    for (const s of sandboxes) {
      const uid = s.labels[POD_UID] ?? s.metadata.uid;
      next.set(`s/${s.id}`, s.state);
      uidOf.set(`s/${s.id}`, uid);
      uids.add(uid);
    }
    for (const c of containers) {
      const uid = c.labels[POD_UID];
      if (!uid) continue;
      next.set(`c/${c.id}`, c.state);
      uidOf.set(`c/${c.id}`, uid);
      uids.add(uid);
    }
    const changed = new Set<string>();
    for (const [id, state] of next) if (this.prev.get(id) !== state) changed.add(uidOf.get(id)!);
    for (const id of this.prev.keys()) if (!next.has(id)) changed.add(this.prevUid.get(id) ?? '');
    this.prev = next;
    this.prevUid = uidOf;
    changed.delete('');
    for (const uid of changed) this.o.onPodChanged(uid);
    this.o.onRelist?.(uids);
  }

  private prevUid = new Map<string, string>();

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
