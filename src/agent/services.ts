// The Services the agent knows (the kubelet's service lister): one informer
// over all namespaces, keeping only what the environment variables need,
// indexed by namespace. Until its first list is in, containers cannot be
// given their service variables and wait with the kubelet's error.

import type { Service } from 'kubernetes-types/core/v1.js';
import { Informer } from '../client/informer.ts';
import type { Client } from '../client/rest.ts';
import { MASTER_SERVICE_NAMESPACE, serviceEnv } from './serviceenv.ts';

const BY_NAMESPACE = 'namespace';

export class ServicesNotSynced extends Error {
  constructor() {
    super('services have not yet been read at least once, cannot construct envvars');
  }
}

/** What of a Service the cache keeps: the variables need the name, namespace, cluster IP and ports. */
function slim(s: Service): Service {
  return {
    metadata: { name: s.metadata?.name, namespace: s.metadata?.namespace, uid: s.metadata?.uid, resourceVersion: s.metadata?.resourceVersion },
    spec: { clusterIP: s.spec?.clusterIP, ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })) },
  };
}

export class ServiceLister {
  private readonly informer: Informer<Service>;

  constructor(client: Client, log?: (line: string) => void) {
    this.informer = new Informer<Service>(client.resource<Service>('v1', 'services'), { transform: slim, onError: (e) => log?.(`agent: service watch: ${(e as Error).message}`) });
    this.informer.addIndex(BY_NAMESPACE, (s) => [s.metadata?.namespace ?? '']);
  }

  start(): void {
    this.informer.start();
  }

  waitForSync(): Promise<boolean> {
    return this.informer.waitForSync();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** Whether the service is in the cache (tests wait for it before starting a pod that should see it). */
  has(namespace: string, name: string): boolean {
    return this.informer.get(`${namespace}/${name}`) !== undefined;
  }

  /** The service variables of a container of a pod in `namespace`. */
  envFor(namespace: string, enableServiceLinks: boolean): Map<string, string> {
    if (!this.informer.hasSynced) throw new ServicesNotSynced();
    const services = this.informer.byIndex(BY_NAMESPACE, MASTER_SERVICE_NAMESPACE);
    if (namespace !== MASTER_SERVICE_NAMESPACE && enableServiceLinks) services.push(...this.informer.byIndex(BY_NAMESPACE, namespace));
    return serviceEnv(services, namespace, enableServiceLinks);
  }
}
