// The namespace controller: a deleted namespace is Terminating until
// everything in it is gone; then its "kubernetes" finalizer is removed
// through /finalize and the API server deletes it.

import { Client, isConflict, isNotFound, type KubeObject } from '../../client/rest.ts';
import type { Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';
import { apiVersionOf, servedOnce } from '../../apiserver/registry/resources.ts';

const FINALIZER = 'kubernetes';
/** How soon a namespace whose contents are still going is looked at again. */
const RECHECK_MS = 250;

type Namespace = KubeObject & { spec?: { finalizers?: string[] }; metadata: KubeObject['metadata'] & { deletionTimestamp?: string } };

export class NamespaceController {
  private readonly informer: Informer<Namespace>;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'namespace' });
  /** Every namespaced resource that can be listed and deleted. */
  private readonly resources = servedOnce((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));
  private running?: Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly opts: { log?: (line: string) => void; informers?: InformerFactory } = {},
  ) {
    this.informers = new ControllerInformers(client, opts.informers, (e) => opts.log?.(`namespace controller: ${(e as Error).message}`));
    this.informer = this.informers.get<Namespace>('v1', 'namespaces');
    const enqueue = (ns: Namespace) => {
      if (ns.metadata?.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    this.informer.onAdd(enqueue).onUpdate((_, ns) => enqueue(ns));
  }

  async start(): Promise<void> {
    this.informers.startOwned();
    await this.informers.waitForSync();
    this.running = runWorkers(this.queue, 1, (name) => this.sync(name), { onError: (name, e) => this.opts.log?.(`namespace controller: ${name}: ${(e as Error).message}`) });
  }

  async stop(): Promise<void> {
    void this.informers.stopOwned();
    await this.queue.shutDown();
    await this.running;
  }

  private async sync(name: string): Promise<void> {
    const ns = this.informer.get(name);
    if (!ns?.metadata?.deletionTimestamp || !ns.spec?.finalizers?.includes(FINALIZER)) return;
    let remaining = 0;
    for (const res of this.resources) {
      const handle = this.client.resource(apiVersionOf(res), res.resource);
      const { items } = await handle.list(name);
      for (const item of items) {
        remaining++;
        if ((item.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp) continue;
        try {
          await handle.delete(name, item.metadata!.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!isNotFound(e) && !isConflict(e)) throw e;
        }
      }
    }
    if (remaining > 0) {
      // Some deletions take time (finalizers, grace periods): look again soon.
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    const finalized = { ...ns, spec: { ...ns.spec, finalizers: ns.spec.finalizers.filter((f) => f !== FINALIZER) } };
    try {
      await this.client.request({ method: 'PUT', path: `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, body: finalized });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
