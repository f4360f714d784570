import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Client } from '../../src/client/rest.ts';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';

describe('Priority admission and the binding subresource', () => {
  let cluster: TestCluster;
  let client: Client;
  const pcs = () => client.resource('scheduling.k8s.io/v1', 'priorityclasses');
  const pods = () => client.resource<Pod>('v1', 'pods');
  const pod = (name: string, spec: Partial<Pod['spec']> = {}): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
  before(async () => {
    cluster = await startTestCluster();
    client = Client.fromKubeconfig(cluster.kubeconfig);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  test('the system classes exist and resolve to their values', async () => {
    const names = (await pcs().list(undefined)).items.map((p) => p.metadata?.name);
    assert.ok(names.includes('system-node-critical') && names.includes('system-cluster-critical'));
    const p = await pods().create('kube-system', pod('crit', { priorityClassName: 'system-cluster-critical' }));
    assert.equal(p.spec?.priority, 2000000000);
    assert.equal(p.spec?.preemptionPolicy, 'PreemptLowerPriority');
  });

  test('no class: priority 0; a globalDefault class applies to pods that name none', async () => {
    assert.equal((await pods().create('default', pod('plain'))).spec?.priority, 0);
    await pcs().create(undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'everyone' }, value: 7, globalDefault: true, preemptionPolicy: 'Never' } as never);
    const p = await pods().create('default', pod('defaulted'));
    assert.equal(p.spec?.priorityClassName, 'everyone');
    assert.equal(p.spec?.priority, 7);
    assert.equal(p.spec?.preemptionPolicy, 'Never');
    await pcs().delete(undefined, 'everyone');
  });

  test('a missing class or a contradicting priority is 403 and stores nothing', async () => {
    await assert.rejects(pods().create('default', pod('x', { priorityClassName: 'ghost' })), (e: { code?: number; message?: string }) => e.code === 403 && e.message === 'pods "x" is forbidden: no PriorityClass with name ghost was found');
    await assert.rejects(pods().create('default', pod('y', { priority: 5 })), (e: { code?: number; message?: string }) => e.code === 403 && /the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 0/.test(e.message ?? ''));
    const names = (await pods().list('default')).items.map((p) => p.metadata?.name);
    assert.ok(!names.includes('x') && !names.includes('y'));
  });

  test('an update that leaves priority out keeps it', async () => {
    const cur = await pods().get('default', 'plain');
    const { priority: _p, preemptionPolicy: _pp, ...spec } = cur.spec!;
    const updated = await pods().update('default', { ...cur, metadata: { ...cur.metadata, labels: { touched: 'yes' } }, spec: spec as Pod['spec'] });
    assert.equal(updated.spec?.priority, 0);
  });

  test('binding a bound pod is 409 on pods/binding; a stale uid precondition too', async () => {
    const bind = (name: string, node: string, uid?: string) => client.request({ method: 'POST', path: `/api/v1/namespaces/default/pods/${name}/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, uid }, target: { kind: 'Node', name: node } } });
    await assert.rejects(bind('plain', 'n1', 'not-the-uid'), (e: { code?: number; message?: string }) => e.code === 409 && /Precondition failed: UID in precondition: not-the-uid/.test(e.message ?? ''));
    await bind('plain', 'n1');
    await assert.rejects(bind('plain', 'n2'), (e: { code?: number; message?: string }) => e.code === 409 && e.message === 'Operation cannot be fulfilled on pods/binding "plain": pod plain is already assigned to node "n1"');
  });
});
