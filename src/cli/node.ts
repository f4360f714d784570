// A node's parts in one process: the container engine (images, runc under
// conmon, CNI networking), the agent with its streaming API, the service
// proxy and the cluster DNS. `skiff up` runs it beside the control plane;
// `skiff agent` runs it alone against a remote control plane. Routes to the
// other nodes' pod CIDRs follow the Nodes (src/network/routes.ts).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Client, KubeObject } from '../client/rest.ts';
import { Informer } from '../client/informer.ts';
import { Agent } from '../agent/agent.ts';
import { AgentServer } from '../agent/server/server.ts';
import { containerResolver } from '../agent/resolver.ts';
import { ensureAgentServingCert, type CertPair } from '../apiserver/proxy/certs.ts';
import { RouteSync } from '../network/routes.ts';
import { LocalImageService } from '../engine/image/service.ts';
import { RuncRuntime } from '../engine/runc/runtime.ts';
import { CniNetwork } from '../network/cni/cni.ts';
import { withNetwork } from '../network/runtime.ts';
import { bridgeConflist, DEFAULT_BRIDGE, DEFAULT_CONFLIST_NAME } from '../network/cni/config.ts';
import { ensureBridge } from '../network/bridge.ts';
import { ServiceProxy } from '../network/proxy/proxier.ts';
import { DnsServer } from '../network/dns/server.ts';
import { publishDns, DNS_SERVICE_IP } from '../network/dns/publish.ts';
import { nodeIP as detectNodeIP } from '../network/hostip.ts';

export interface NodeOptions {
  client: Client;
  dataDir: string;
  /** Directory of the cluster CA (ca.crt, ca.key): the agent's serving certificate is issued from it. */
  pkiDir?: string;
  /** Without the CA's key (a joined agent): the cluster CA and the serving certificate the control plane issued. */
  caCert?: string;
  servingCert?: CertPair;
  /** Name of the pod bridge (default skiff0). */
  bridge?: string;
  /** Registries pulled from over plain HTTP (the cluster registry seen from another machine). */
  insecureRegistries?: string[];
  nodeName?: string;
  nodeIP?: string;
  /** Port of the agent's HTTPS API (default 10250; 0 picks one). */
  agentPort?: number;
  /** Port the DNS server listens on at the node IP (default 10053; 0 picks one). */
  dnsPort?: number;
  clusterCIDR?: string;
  serviceCIDR?: string;
  /** The cluster registry `host:port`, tried first for names without a registry. */
  defaultRegistry?: string;
  log?: (line: string) => void;
}

export interface RunningNode {
  nodeName: string;
  nodeIP: string;
  stop(): Promise<void>;
}

export async function startNode(o: NodeOptions): Promise<RunningNode> {
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  const ip = o.nodeIP ?? detectNodeIP();
  if (!ip) throw new Error('cannot tell this machine\'s IP address (no default route and no non-loopback IPv4 address): pass --node-ip');
  const log = o.log;
  const agentDir = join(o.dataDir, 'agent');
  const cniDir = join(agentDir, 'cni', 'net.d');
  mkdirSync(cniDir, { recursive: true });

  const caCert = o.caCert ?? (o.pkiDir ? readFileSync(join(o.pkiDir, 'ca.crt'), 'utf8') : undefined);
  if (!caCert || (!o.servingCert && !o.pkiDir)) throw new Error('the node needs the cluster CA and a serving certificate (or the CA key to issue one)');
  const images = await LocalImageService.open({ root: join(o.dataDir, 'images'), defaultRegistry: o.defaultRegistry, insecureRegistries: o.insecureRegistries });
  const network = new CniNetwork({ confDir: cniDir, cacheDir: join(agentDir, 'cni', 'cache') });
  const runtime = withNetwork(new RuncRuntime({ root: join(o.dataDir, 'engine'), images }), network);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e) => log?.(`node: stopping: ${(e as Error).message}`));
  };
  try {
    // The node's pod CIDR comes from node IPAM once the Node exists; the CNI config follows it.
    const self = new Informer<Node & KubeObject>(o.client.resource('v1', 'nodes') as never, { fieldSelector: `metadata.name=${nodeName}` });
    const writeCni = (n: Node) => {
      const cidr = n.spec?.podCIDR;
      if (!cidr) return;
      const path = join(cniDir, DEFAULT_CONFLIST_NAME);
      const text = JSON.stringify(bridgeConflist({ podCIDR: cidr, bridge: o.bridge, ipamDataDir: join(agentDir, 'cni', 'ipam') }), null, 2);
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        // first time
      }
      if (current !== text) {
        writeFileSync(path, text);
        log?.(`node: pod network ${cidr} (CNI config ${path})`);
      }
      try {
        ensureBridge({ bridge: o.bridge ?? DEFAULT_BRIDGE, podCIDR: cidr, serviceCIDR: o.serviceCIDR ?? '10.43.0.0/16' });
      } catch (e) {
        log?.(`node: ${(e as Error).message}`);
      }
    };
    self.onAdd(writeCni).onUpdate((_, n) => writeCni(n));
    self.start();
    stops.push(async () => self.stop());

    let agent: Agent | undefined;
    const certs = o.servingCert ?? ensureAgentServingCert(o.pkiDir!, nodeName, [ip, '127.0.0.1', nodeName]);
    const server = new AgentServer({
      runtime,
      nodeName,
      resolve: containerResolver(runtime, (ns, name) => agent?.podByName(ns, name)),
      tls: { cert: certs.cert, key: certs.key, clientCA: caCert },
      host: '0.0.0.0',
      port: o.agentPort ?? 10250,
      log,
    });
    const { port: agentPort } = await server.start();
    stops.push(() => server.stop());

    // DNS, routes, the service proxy and the agent start side by side (as the kubelet and kube-proxy
    // do); each registers its stop once started, so a failure stops exactly what runs.
    const dns = new DnsServer(o.client, { host: ip, port: o.dnsPort ?? 10053, log });
    const routes = new RouteSync(o.client, { nodeName, log });
    const proxy = new ServiceProxy(o.client, { clusterCIDR: o.clusterCIDR, serviceCIDR: o.serviceCIDR, log });
    agent = new Agent(o.client, runtime, { nodeName, dataDir: agentDir, streamingPort: agentPort, nodeIP: ip, log, clusterDNS: [DNS_SERVICE_IP], clusterDomain: 'cluster.local' });
    const parts = await Promise.allSettled([
      (async () => {
        const dnsPort = await dns.start();
        stops.push(() => dns.stop());
        await publishDns(o.client, { nodeName, ip, port: dnsPort });
      })(),
      routes.start().then(() => void stops.push(() => routes.stop())),
      proxy.start().then(() => void stops.push(() => proxy.stop())),
      agent.start().then(() => void stops.push(() => agent!.stop())),
    ]);
    const failed = parts.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    stops.push(() => runtime.close());
    return { nodeName, nodeIP: ip, stop: stopAll };
  } catch (e) {
    await stopAll();
    await runtime.close();
    throw e;
  }
}
