// Where a controller gets its informers: from the manager's shared factory
// when it is given one (started and stopped by the factory's owner), else
// built here and owned by the controller (started and stopped with it), as
// each controller's own tests run them.

import { Informer, type InformerOptions, type ListerWatcher } from '../../client/informer.ts';
import type { InformerFactory, SharedInformerOptions } from '../../client/informerfactory.ts';
import type { Client, KubeObject } from '../../client/rest.ts';

export class ControllerInformers {
  /** Built by this controller: it starts and stops them. */
  readonly owned: Informer<any>[] = [];
  /** From the factory: only waited for. */
  readonly shared: Informer<any>[] = [];

  constructor(
    private readonly client: Client,
    private readonly factory: InformerFactory | undefined,
    private readonly onError: (e: unknown) => void,
  ) {}

  /**
   * The informer for a resource. `source` is what an owned informer lists and
   * watches (default: the client's handle); `transform` applies only to an
   * owned informer — a shared one keeps whole objects unless metadataOnly.
   */
  get<T extends KubeObject = KubeObject>(
    apiVersion: string,
    resource: string,
    o: SharedInformerOptions & { source?: ListerWatcher<T>; transform?: InformerOptions['transform'] } = {},
  ): Informer<T> {
    const { source, transform, metadataOnly, ...scope } = o;
    if (this.factory) {
      const i = this.factory.informerFor<T>(apiVersion, resource, { ...scope, metadataOnly });
      this.shared.push(i);
      return i;
    }
    const i = new Informer<T>(source ?? this.client.resource<T>(apiVersion, resource), { ...scope, onError: this.onError, ...(transform ? { transform } : {}) });
    this.owned.push(i);
    return i;
  }

  /** Every informer, owned or shared. */
  get all(): Informer<any>[] {
    return [...this.owned, ...this.shared];
  }

  startOwned(): void {
    for (const i of this.owned) i.start();
  }

  async waitForSync(): Promise<boolean> {
    const r = await Promise.all(this.all.map((i) => i.waitForSync()));
    return r.every(Boolean);
  }

  async stopOwned(): Promise<void> {
    await Promise.all(this.owned.map((i) => i.stop()));
  }
}
