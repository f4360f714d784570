// The managed /etc/hosts: content as the kubelet writes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { etcHostsMount, HostnameError, podHostnameAndDomain, podHostsFile } from './etchosts.ts';

const BASE = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}, name = 'web-7d9f'): Pod => ({ metadata: { name, namespace: 'shop', uid: 'u1' }, spec: { containers: [], ...spec } });

test('pod name, hostname, hostname+subdomain (FQDN first) and hostAliases', () => {
  const o = { clusterDomain: 'cluster.local' };
  assert.equal(podHostsFile(pod(), ['10.244.0.5'], o), `${BASE}10.244.0.5\tweb-7d9f\n`);
  assert.equal(podHostsFile(pod({ hostname: 'web-0' }), ['10.244.0.5'], o), `${BASE}10.244.0.5\tweb-0\n`);
  assert.equal(podHostsFile(pod({ hostname: 'web-0', subdomain: 'web' }), ['10.244.0.5', 'fd00::5'], o), `${BASE}10.244.0.5\tweb-0.web.shop.svc.cluster.local\tweb-0\nfd00::5\tweb-0.web.shop.svc.cluster.local\tweb-0\n`);
  assert.equal(
    podHostsFile(pod({ hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }] }), ['10.244.0.5'], o),
    `${BASE}10.244.0.5\tweb-7d9f\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n`,
  );
});

test('long pod names are cut to 63 without a trailing dash; invalid hostnames are errors', () => {
  const long = `${'a'.repeat(62)}-bcd`;
  assert.equal(podHostnameAndDomain(pod({}, long), 'cluster.local').hostname, 'a'.repeat(62));
  assert.throws(() => podHostnameAndDomain(pod({ hostname: 'Bad_Name' }), 'cluster.local'), (e: unknown) => e instanceof HostnameError && /^pod Hostname "Bad_Name" is not a valid DNS label: a lowercase RFC 1123 label/.test((e as Error).message));
});

test('the hosts mount: written under the pod dir, skipped without IPs or when the container mounts /etc/hosts; hostNetwork copies the node\'s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-etchosts-'));
  try {
    const c: Container = { name: 'c' };
    const m = etcHostsMount(pod(), c, ['10.244.0.9'], join(dir, 'pod'), { clusterDomain: 'cluster.local' });
    assert.deepEqual(m, { containerPath: '/etc/hosts', hostPath: join(dir, 'pod', 'etc-hosts'), readonly: false });
    assert.equal(readFileSync(m!.hostPath, 'utf8'), `${BASE}10.244.0.9\tweb-7d9f\n`);
    assert.equal(statSync(m!.hostPath).mode & 0o777, 0o644);
    assert.equal(etcHostsMount(pod(), c, [], join(dir, 'pod'), { clusterDomain: 'cluster.local' }), undefined);
    assert.equal(etcHostsMount(pod(), { name: 'c', volumeMounts: [{ name: 'h', mountPath: '/etc/hosts' }] }, ['10.244.0.9'], join(dir, 'pod'), { clusterDomain: 'cluster.local' }), undefined);
    const nodeHosts = join(dir, 'node-hosts');
    writeFileSync(nodeHosts, '127.0.0.1\tlocalhost\n192.168.1.2\tnode-a\n');
    assert.equal(podHostsFile(pod({ hostNetwork: true }), ['192.168.1.2'], { clusterDomain: 'cluster.local', nodeHostsPath: nodeHosts }), '# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n192.168.1.2\tnode-a\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

