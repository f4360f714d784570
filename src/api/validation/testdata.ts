// Documentation examples used as known-good inputs by the tests (already
// defaulted where the server would default them).

import { applyDefaults } from '../defaults/index.ts';

/** The nginx Deployment from the Kubernetes "Deployments" concept page. */
export function nginxDeployment(): any {
  const d = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'nginx-deployment', namespace: 'default', labels: { app: 'nginx' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
  applyDefaults('apps/v1', 'Deployment', d);
  return d;
}

/** The Service from the "Service" concept page. */
export function myService(): any {
  const s = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'my-service', namespace: 'default' },
    spec: { selector: { 'app.kubernetes.io/name': 'MyApp' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 9376 }] },
  };
  applyDefaults('v1', 'Service', s);
  return s;
}

/** The configMap-volume Pod from "Configure a Pod to Use a ConfigMap". */
export function configMapPod(): any {
  const p = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'dapi-test-pod', namespace: 'default' },
    spec: {
      containers: [{
        name: 'test-container', image: 'registry.k8s.io/busybox', command: ['/bin/sh', '-c', 'ls /etc/config/'],
        volumeMounts: [{ name: 'config-volume', mountPath: '/etc/config' }],
      }],
      volumes: [{ name: 'config-volume', configMap: { name: 'special-config' } }],
      restartPolicy: 'Never',
    },
  };
  applyDefaults('v1', 'Pod', p);
  return p;
}
