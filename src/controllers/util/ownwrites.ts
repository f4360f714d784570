// A controller's own last write of each object it manages (by key): the
// watch may not have delivered it yet, and a sync that read the older cached
// copy would undo or repeat what it just wrote. Resource versions are the
// store's revisions, so the higher one is the newer copy of the same object.

import type { KubeObject } from '../../client/rest.ts';

export class OwnWrites<T extends KubeObject> {
  private readonly written = new Map<string, T>();

  remember(key: string, obj: T): void {
    this.written.set(key, obj);
  }

  forget(key: string): void {
    this.written.delete(key);
  }

  /** The cached object, or our own write of it when that is newer; undefined when the cache has none. */
  newest(key: string, cached: T | undefined): T | undefined {
    const mine = this.written.get(key);
    if (!cached || !mine || mine.metadata?.uid !== cached.metadata?.uid) return cached;
    return Number(mine.metadata?.resourceVersion) > Number(cached.metadata?.resourceVersion) ? mine : cached;
  }
}
