// The sandbox hostname: truncation and setHostnameAsFQDN, as the kubelet sets it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { sandboxConfig } from './podconfig.ts';

const o = { logRoot: '/tmp/skiff-logs', memoryCapacityBytes: 1 << 30, clusterDNS: ['10.96.0.10'] };
const pod = (name: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name, namespace: 'shop', uid: 'u1' }, spec: { containers: [], ...spec } });

test('sandbox hostname: the pod name cut to 63 without a trailing dash, spec.hostname, setHostnameAsFQDN', () => {
  assert.equal(sandboxConfig(pod(`${'a'.repeat(62)}-xyz`), 0, o).hostname, 'a'.repeat(62));
  assert.equal(sandboxConfig(pod('p', { hostname: 'web-0', subdomain: 'web' }), 0, o).hostname, 'web-0');
  assert.equal(sandboxConfig(pod('p', { hostname: 'web-0', subdomain: 'web', setHostnameAsFQDN: true }), 0, o).hostname, 'web-0.web.shop.svc.cluster.local');
  assert.throws(
    () => sandboxConfig(pod('p', { hostname: 'h'.repeat(40), subdomain: 'web', setHostnameAsFQDN: true }), 0, o),
    /^Error: failed to construct FQDN from pod hostname and cluster domain, FQDN h{40}\.web\.shop\.svc\.cluster\.local is too long \(64 characters is the max, 67 characters requested\)$/,
  );
});
