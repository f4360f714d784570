// Service environment variables: names, values and which services count.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { serviceEnv } from './serviceenv.ts';

const svc = (ns: string, name: string, clusterIP: string, ports: { name?: string; port: number; protocol?: string }[]): Service => ({ metadata: { namespace: ns, name }, spec: { clusterIP, ports: ports.map((p) => ({ ...p, targetPort: p.port })) } });

const kubernetes = svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);
const web = svc('shop', 'web-front', '10.96.0.20', [
  { name: 'http', port: 80, protocol: 'TCP' },
  { name: 'dns-udp', port: 53, protocol: 'UDP' },
]);

test('a service with two named ports, and the kubernetes service, as the kubelet names them', () => {
  const env = serviceEnv([kubernetes, web], 'shop', true);
  assert.deepEqual(Object.fromEntries(env), {
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    WEB_FRONT_SERVICE_HOST: '10.96.0.20',
    WEB_FRONT_SERVICE_PORT: '80',
    WEB_FRONT_SERVICE_PORT_HTTP: '80',
    WEB_FRONT_SERVICE_PORT_DNS_UDP: '53',
    WEB_FRONT_PORT: 'tcp://10.96.0.20:80',
    WEB_FRONT_PORT_80_TCP: 'tcp://10.96.0.20:80',
    WEB_FRONT_PORT_80_TCP_PROTO: 'tcp',
    WEB_FRONT_PORT_80_TCP_PORT: '80',
    WEB_FRONT_PORT_80_TCP_ADDR: '10.96.0.20',
    WEB_FRONT_PORT_53_UDP: 'udp://10.96.0.20:53',
    WEB_FRONT_PORT_53_UDP_PROTO: 'udp',
    WEB_FRONT_PORT_53_UDP_PORT: '53',
    WEB_FRONT_PORT_53_UDP_ADDR: '10.96.0.20',
  });
});

test('enableServiceLinks=false keeps only the master services; other namespaces, headless and IP-less services never count', () => {
  const other = svc('elsewhere', 'db', '10.96.0.30', [{ port: 5432 }]);
  const headless = svc('shop', 'peers', 'None', [{ port: 7000 }]);
  const external: Service = { metadata: { namespace: 'shop', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } };
  assert.deepEqual([...serviceEnv([kubernetes, web, other, headless, external], 'shop', false).keys()].filter((k) => !k.startsWith('KUBERNETES_')), []);
  assert.equal(serviceEnv([kubernetes], 'shop', false).get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  const keys = [...serviceEnv([kubernetes, web, other, headless, external], 'shop', true).keys()];
  assert.ok(!keys.some((k) => k.startsWith('DB_') || k.startsWith('PEERS_') || k.startsWith('EXT_')), keys.join(' '));
  // An unnamed single port gives no _SERVICE_PORT_<NAME>.
  assert.deepEqual([...serviceEnv([other], 'elsewhere', true).keys()], ['DB_SERVICE_HOST', 'DB_SERVICE_PORT', 'DB_PORT', 'DB_PORT_5432_TCP', 'DB_PORT_5432_TCP_PROTO', 'DB_PORT_5432_TCP_PORT', 'DB_PORT_5432_TCP_ADDR']);
});

test('a kubernetes service of the pod\'s own namespace wins over default\'s; IPv6 addresses are bracketed', () => {
  const own = svc('shop', 'kubernetes', 'fd00::5', [{ port: 8443 }]);
  const env = serviceEnv([kubernetes, own], 'shop', true);
  assert.equal(env.get('KUBERNETES_SERVICE_HOST'), 'fd00::5');
  assert.equal(env.get('KUBERNETES_PORT'), 'tcp://[fd00::5]:8443');
  assert.equal(env.get('KUBERNETES_PORT_8443_TCP_ADDR'), 'fd00::5');
  assert.equal(serviceEnv([own, kubernetes], 'shop', false).get('KUBERNETES_SERVICE_HOST'), '10.96.0.1', 'links off: only default\'s');
});
