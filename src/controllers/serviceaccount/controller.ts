// The ServiceAccount controller and the root-CA publisher, one worker over
// namespaces: every active namespace gets the `default` ServiceAccount (made
// again if deleted) and the kube-root-ca.crt ConfigMap holding the cluster
// CA (put back if deleted or changed), which every pod's projected
// kube-api-access volume reads.

import { Client, isAlreadyExists, isNotFound, type KubeObject } from '../../client/rest.ts';
import type { Informer } from '../../client/informer.ts';
import { ControllerInformers } from '../util/informers.ts';
import type { InformerFactory } from '../../client/informerfactory.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { runWorkers } from '../../client/controller.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

type Namespace = KubeObject & { metadata: KubeObject['metadata'] & { deletionTimestamp?: string }; status?: { phase?: string } };
type ConfigMap = KubeObject & { data?: Record<string, string> };

export class ServiceAccountController {
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer;
  private readonly configMaps: Informer<ConfigMap>;
  private readonly informers: ControllerInformers;
  private readonly queue = new WorkQueue<string>({ name: 'serviceaccount' });
  private running?: Promise<void>;

  constructor(
    private readonly client: Client,
    private readonly opts: { caCert?: string; log?: (line: string) => void; informers?: InformerFactory },
  ) {
    const onError = (e: unknown) => opts.log?.(`serviceaccount controller: ${(e as Error).message}`);
    this.informers = new ControllerInformers(client, opts.informers, onError);
    this.namespaces = this.informers.get<Namespace>('v1', 'namespaces');
    this.accounts = this.informers.get('v1', 'serviceaccounts', { fieldSelector: `metadata.name=${DEFAULT_SERVICE_ACCOUNT}` });
    this.configMaps = this.informers.get<ConfigMap>('v1', 'configmaps', { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
    const byName = (ns: Namespace) => this.queue.add(ns.metadata!.name!);
    this.namespaces.onAdd(byName).onUpdate((_, ns) => byName(ns));
    const byNamespace = (o: KubeObject) => o.metadata?.namespace && this.queue.add(o.metadata.namespace);
    this.accounts.onDelete(byNamespace);
    this.configMaps.onDelete(byNamespace).onUpdate((_, cm) => byNamespace(cm));
  }

  async start(): Promise<void> {
    this.informers.startOwned();
    await this.informers.waitForSync();
    this.running = runWorkers(this.queue, 2, (ns) => this.sync(ns), { onError: (ns, e) => this.opts.log?.(`serviceaccount controller: ${ns}: ${(e as Error).message}`) });
  }

  async stop(): Promise<void> {
    await this.informers.stopOwned();
    await this.queue.shutDown();
    await this.running;
  }

  private async sync(name: string): Promise<void> {
    const ns = this.namespaces.get(name);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (!this.accounts.get(`${name}/${DEFAULT_SERVICE_ACCOUNT}`)) {
      try {
        await this.client.resource('v1', 'serviceaccounts').create(name, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: name } });
      } catch (e) {
        if (!isAlreadyExists(e) && !isNotFound(e)) throw e;
      }
    }
    if (this.opts.caCert === undefined) return;
    const cm = this.configMaps.get(`${name}/${ROOT_CA_CONFIGMAP}`);
    const handle = this.client.resource('v1', 'configmaps');
    if (!cm) {
      try {
        await handle.create(name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace: name, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } }, data: { 'ca.crt': this.opts.caCert } } as ConfigMap);
      } catch (e) {
        if (!isAlreadyExists(e) && !isNotFound(e)) throw e;
      }
    } else if (cm.data?.['ca.crt'] !== this.opts.caCert) {
      await handle.update(name, { ...cm, data: { ...(cm.data ?? {}), 'ca.crt': this.opts.caCert } } as KubeObject);
    }
  }
}
