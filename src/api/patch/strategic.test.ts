import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, createTwoWayStrategicMergePatch } from './strategic.ts';
import { patchSchemaFor } from './schema.ts';
import { PatchError } from './errors.ts';

const deploymentSchema = patchSchemaFor('apps/v1', 'Deployment');
const serviceSchema = patchSchemaFor('v1', 'Service');
const podSchema = patchSchemaFor('v1', 'Pod');
const nodeSchema = patchSchemaFor('v1', 'Node');

type Obj = Record<string, unknown>;

function deployment(podSpec: Obj, extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...((extra.metadata as Obj) ?? {}) },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
      ...((extra.spec as Obj) ?? {}),
    },
  };
}

const web = { name: 'web', image: 'nginx:1.26', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '1' }] };
const sidecar = { name: 'sidecar', image: 'busybox', args: ['sleep', '1d'] };
const twoContainers = deployment({ containers: [web, sidecar] });

/** spec.template.spec of a deployment-shaped object. */
function podSpecOf(o: Obj): Obj {
  return ((o.spec as Obj).template as Obj).spec as Obj;
}
const containersOf = (o: Obj) => podSpecOf(o).containers as Obj[];
const tmpl = (podSpec: Obj): Obj => ({ spec: { template: { spec: podSpec } } });

describe('applyStrategicMergePatch: what kubectl 1.32 sends', () => {
  test('re-apply after a container is removed: $setElementOrder plus a $patch delete entry drop it', () => {
    const patch = tmpl({ '$setElementOrder/containers': [{ name: 'web' }], containers: [{ $patch: 'delete', name: 'sidecar' }] });
    const out = applyStrategicMergePatch(twoContainers, patch, deploymentSchema);
    assert.deepEqual(containersOf(out), [web]);
  });

  test('apply with an env var changed merges env by name and keeps the order', () => {
    const patch = tmpl({
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
      containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'B', value: '2' }], name: 'web' }],
    });
    const out = applyStrategicMergePatch(twoContainers, patch, deploymentSchema);
    assert.deepEqual(containersOf(out), [{ ...web, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, sidecar]);
  });

  test('kubectl set image (plain form) changes only that container image', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } };
    const out = applyStrategicMergePatch(twoContainers, patch, deploymentSchema);
    assert.deepEqual(containersOf(out), [{ ...web, image: 'nginx:1.27' }, sidecar]);
  });

  test('kubectl set image (with $setElementOrder) changes only that container image', () => {
    const patch = tmpl({ '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image: 'busybox:1.36', name: 'sidecar' }] });
    const out = applyStrategicMergePatch(twoContainers, patch, deploymentSchema);
    assert.deepEqual(containersOf(out), [web, { ...sidecar, image: 'busybox:1.36' }]);
  });

  test('kubectl rollout restart adds the restartedAt annotation under the template metadata', () => {
    const at = '2025-01-01T00:00:00Z';
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } };
    const out = applyStrategicMergePatch(twoContainers, patch, deploymentSchema);
    const meta = ((out.spec as Obj).template as Obj).metadata as Obj;
    assert.deepEqual(meta, { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': at } });
    assert.deepEqual(containersOf(out), [web, sidecar]);
  });

  test('strategy switched from RollingUpdate to Recreate: $retainKeys drops rollingUpdate', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } };
    const out = applyStrategicMergePatch(twoContainers, patch, deploymentSchema);
    assert.deepEqual((out.spec as Obj).strategy, { type: 'Recreate' });
  });

  test('$retainKeys alone (no null sent) still drops the keys it does not list', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } };
    const out = applyStrategicMergePatch(twoContainers, patch, deploymentSchema);
    assert.deepEqual((out.spec as Obj).strategy, { type: 'Recreate' });
  });

  test('finalizer removed with $deleteFromPrimitiveList/finalizers', () => {
    const pod = { metadata: { name: 'p', finalizers: ['a.example/x', 'b.example/y'] } };
    const patch = { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.example/x'] } };
    assert.deepEqual(applyStrategicMergePatch(pod, patch, podSchema), { metadata: { name: 'p', finalizers: ['b.example/y'] } });
  });

  test('finalizer removed during apply, with $setElementOrder/finalizers', () => {
    const pod = { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } };
    const patch = { metadata: { '$setElementOrder/finalizers': ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] } };
    assert.deepEqual(applyStrategicMergePatch(pod, patch, podSchema), { metadata: { name: 'p', finalizers: ['c', 'a'] } });
  });

  test('a port added to a Service by apply lands where $setElementOrder says', () => {
    const svc = { spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } };
    const patch = { spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 443 }], ports: [{ name: 'https', port: 443, targetPort: 8443 }] } };
    const out = applyStrategicMergePatch(svc, patch, serviceSchema);
    assert.deepEqual((out.spec as Obj).ports, [
      { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443 },
    ]);
  });
});

describe('applyStrategicMergePatch: merge rules', () => {
  const cases: Array<[string, Obj, Obj, Obj, typeof podSchema?]> = [
    ['null deletes a key', { a: 1, b: 2 }, { a: null }, { b: 2 }],
    ['null for a missing key is ignored', { a: 1 }, { z: null }, { a: 1 }],
    ['maps merge recursively', { m: { a: 1, n: { b: 1 } } }, { m: { n: { c: 2 } } }, { m: { a: 1, n: { b: 1, c: 2 } } }],
    ['a list without a strategy is replaced whole (args)', tmpl({ containers: [{ name: 'w', args: ['a', 'b'] }] }), tmpl({ containers: [{ name: 'w', args: ['c'] }] }), tmpl({ containers: [{ name: 'w', args: ['c'] }] })],
    ['tolerations are atomic', tmpl({ tolerations: [{ key: 'a' }, { key: 'b' }] }), tmpl({ tolerations: [{ key: 'c' }] }), tmpl({ tolerations: [{ key: 'c' }] })],
    ['container ports merge by containerPort', tmpl({ containers: [{ name: 'w', ports: [{ containerPort: 80 }] }] }), tmpl({ containers: [{ name: 'w', '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 81 }], ports: [{ containerPort: 81 }] }] }), tmpl({ containers: [{ name: 'w', ports: [{ containerPort: 80 }, { containerPort: 81 }] }] })],
    ['volumeMounts merge by mountPath', tmpl({ containers: [{ name: 'w', volumeMounts: [{ name: 'a', mountPath: '/a' }] }] }), tmpl({ containers: [{ name: 'w', volumeMounts: [{ mountPath: '/a', readOnly: true }] }] }), tmpl({ containers: [{ name: 'w', volumeMounts: [{ name: 'a', mountPath: '/a', readOnly: true }] }] })],
    [
      'a volume switched from emptyDir to configMap: $retainKeys in the entry',
      tmpl({ volumes: [{ name: 'data', emptyDir: {} }, { name: 'other', emptyDir: {} }] }),
      tmpl({ volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, name: 'data' }] }),
      tmpl({ volumes: [{ name: 'data', configMap: { name: 'cfg' } }, { name: 'other', emptyDir: {} }] }),
    ],
    ['$patch: replace on a map replaces it', tmpl({ nodeSelector: { a: '1', b: '2' } }), tmpl({ nodeSelector: { $patch: 'replace', c: '3' } }), tmpl({ nodeSelector: { c: '3' } })],
    ['$patch: replace in a list replaces the list', tmpl({ containers: [{ name: 'a', image: 'x' }, { name: 'b' }] }), tmpl({ containers: [{ $patch: 'replace' }, { name: 'c', image: 'y' }] }), tmpl({ containers: [{ name: 'c', image: 'y' }] })],
    ['$patch: delete on a map empties it', { m: { a: 1 }, k: 1 }, { m: { $patch: 'delete' } }, { m: {}, k: 1 }],
    ['$patch: delete on a missing map adds nothing', { k: 1 }, { m: { $patch: 'delete' } }, { k: 1 }],
    ['$patch: merge is the default and is dropped', { m: { a: 1 } }, { m: { $patch: 'merge', b: 2 } }, { m: { a: 1, b: 2 } }],
    ['finalizers merge as a set', { metadata: { finalizers: ['a', 'b'] } }, { metadata: { finalizers: ['b', 'c'] } }, { metadata: { finalizers: ['a', 'b', 'c'] } }],
    ['ownerReferences merge by uid', { metadata: { ownerReferences: [{ uid: '1', name: 'a' }, { uid: '2', name: 'b' }] } }, { metadata: { ownerReferences: [{ uid: '2', controller: true }] } }, { metadata: { ownerReferences: [{ uid: '1', name: 'a' }, { uid: '2', name: 'b', controller: true }] } }],
    ['$setElementOrder alone reorders', tmpl({ containers: [{ name: 'a' }, { name: 'b' }] }), tmpl({ '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] }), tmpl({ containers: [{ name: 'b' }, { name: 'a' }] })],
    ['a merged list is created from nothing with directives resolved', { spec: {} }, tmpl({ containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: null }] }, { $patch: 'delete', name: 'zz' }] }), tmpl({ containers: [{ name: 'a', image: 'x', env: [{ name: 'E' }] }] })],
    ['a new subtree drops nulls and directives', {}, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }, { spec: { strategy: { type: 'Recreate' } } }],
    ['hostAliases merge by ip: a new alias goes first when no $setElementOrder is sent', tmpl({ hostAliases: [{ ip: '1.1.1.1', hostnames: ['a'] }] }), tmpl({ hostAliases: [{ ip: '2.2.2.2', hostnames: ['b'] }] }), tmpl({ hostAliases: [{ ip: '2.2.2.2', hostnames: ['b'] }, { ip: '1.1.1.1', hostnames: ['a'] }] })],
    ['a value of another type replaces the stored one', { a: { b: 1 } }, { a: 'x' }, { a: 'x' }],
  ];
  for (const [name, doc, patch, want] of cases) {
    test(name, () => assert.deepEqual(applyStrategicMergePatch(doc, patch, deploymentSchema), want));
  }

  test('without $setElementOrder a new entry goes before server-only entries (Kubernetes ordering)', () => {
    const svc = { spec: { ports: [{ port: 80 }] } };
    const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 443 }] } }, serviceSchema);
    assert.deepEqual((out.spec as Obj).ports, [{ port: 443 }, { port: 80 }]);
  });

  test('node conditions merge by type; taints are atomic', () => {
    const node = { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'False' }] } };
    const patch = { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    assert.deepEqual(applyStrategicMergePatch(node, patch, nodeSchema), {
      spec: { taints: [{ key: 'b', effect: 'NoExecute' }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }] },
    });
  });

  test('neither the document nor the patch is modified, and the result shares nothing with them', () => {
    const doc = structuredClone(twoContainers);
    const patch = tmpl({ '$setElementOrder/containers': [{ name: 'web' }], containers: [{ $patch: 'delete', name: 'sidecar' }, { name: 'web', env: [{ name: 'C', value: '3' }] }] });
    const patchCopy = structuredClone(patch);
    const out = applyStrategicMergePatch(doc, patch, deploymentSchema);
    assert.deepEqual(doc, twoContainers);
    assert.deepEqual(patch, patchCopy);
    (containersOf(out)[0]!.env as Obj[]).push({ name: 'D' });
    assert.equal((containersOf(doc)[0]!.env as Obj[]).length, 2);
    assert.equal(((containersOf(patch)[1]!.env as Obj[]).length), 1);
  });
});

describe('applyStrategicMergePatch: errors', () => {
  const cases: Array<[string, Obj, unknown, number, string | RegExp]> = [
    ['a list entry without its merge key', twoContainers, tmpl({ containers: [{ image: 'x' }] }), 422, 'map: map[image:x] does not contain declared merge key: name'],
    ['a delete entry without its merge key', twoContainers, tmpl({ containers: [{ $patch: 'delete', image: 'x' }] }), 422, 'map: map[$patch:delete image:x] does not contain declared merge key: name'],
    ['an unknown $patch directive in a map', { m: {} }, { m: { $patch: 'squash' } }, 422, 'unknown patch type: squash in map: map[$patch:squash]'],
    ['an unknown $patch directive in a list entry', twoContainers, tmpl({ containers: [{ $patch: 'nope', name: 'web' }] }), 422, 'unknown patch type: nope in map: map[$patch:nope name:web]'],
    ['a patched key missing from $retainKeys', twoContainers, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: {} } } }, 400, 'invalid patch format of retainKeys'],
    ['$retainKeys that is not a list', twoContainers, { spec: { strategy: { $retainKeys: 'type' } } }, 400, 'invalid patch format of retainKeys'],
    ['a patch list out of $setElementOrder order', twoContainers, tmpl({ '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ name: 'sidecar' }, { name: 'web' }] }), 400, 'invalid patch format of setElementOrder list'],
    ['a patch entry missing from $setElementOrder', twoContainers, tmpl({ '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'other' }] }), 400, 'invalid patch format of setElementOrder list'],
    ['$deleteFromPrimitiveList that is not a list', { metadata: { finalizers: ['a'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }, 400, 'invalid patch format of primitive list'],
    ['lists of lists in a merging list', { metadata: { finalizers: ['a'] } }, { metadata: { finalizers: [['b']] } }, 422, 'lists of lists are not supported'],
    ['a body that is not an object', {}, [1], 400, /cannot unmarshal array/],
  ];
  for (const [name, doc, patch, code, message] of cases) {
    test(name, () => {
      assert.throws(() => applyStrategicMergePatch(doc, patch, deploymentSchema), (e: unknown) => {
        assert.ok(e instanceof PatchError);
        assert.equal(e.code, code);
        if (typeof message === 'string') assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      });
    });
  }
});

describe('createTwoWayStrategicMergePatch', () => {
  const cases: Array<[string, Obj, Obj, Obj]> = [
    ['no change is an empty patch', twoContainers, structuredClone(twoContainers), {}],
    [
      'set image: only the changed container, keyed by name, with the list order',
      twoContainers,
      deployment({ containers: [{ ...web, image: 'nginx:1.27' }, sidecar] }),
      tmpl({ containers: [{ name: 'web', image: 'nginx:1.27' }], '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }] }),
    ],
    [
      'a removed container becomes a $patch delete entry',
      twoContainers,
      deployment({ containers: [web] }),
      tmpl({ containers: [{ $patch: 'delete', name: 'sidecar' }], '$setElementOrder/containers': [{ name: 'web' }] }),
    ],
    [
      'a removed finalizer goes to $deleteFromPrimitiveList',
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { finalizers: ['b'] } },
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], '$setElementOrder/finalizers': ['b'] } },
    ],
    [
      'a strategy switch carries $retainKeys',
      twoContainers,
      deployment({ containers: [web, sidecar] }, { spec: { strategy: { type: 'Recreate' } } }),
      { spec: { strategy: { type: 'Recreate', rollingUpdate: null, $retainKeys: ['type'] } } },
    ],
    ['a removed label becomes null', { metadata: { labels: { a: '1', b: '2' } } }, { metadata: { labels: { a: '1' } } }, { metadata: { labels: { b: null } } }],
    ['an atomic list is sent whole', tmpl({ tolerations: [{ key: 'a' }] }), tmpl({ tolerations: [{ key: 'a' }, { key: 'b' }] }), tmpl({ tolerations: [{ key: 'a' }, { key: 'b' }] })],
  ];
  for (const [name, original, modified, want] of cases) {
    test(name, () => {
      const patch = createTwoWayStrategicMergePatch(original, modified, deploymentSchema);
      assert.deepEqual(patch, want);
      assert.deepEqual(applyStrategicMergePatch(original, patch, deploymentSchema), modified, 'the patch round-trips');
    });
  }

  test('round trip through reorder, env change, added volume and changed volume source', () => {
    const original = deployment({ containers: [web, sidecar], volumes: [{ name: 'a', emptyDir: {} }] });
    const modified = deployment({
      containers: [sidecar, { ...web, env: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] }],
      volumes: [{ name: 'a', configMap: { name: 'c' } }, { name: 'b', secret: { secretName: 's' } }],
    });
    const patch = createTwoWayStrategicMergePatch(original, modified, deploymentSchema);
    assert.deepEqual(applyStrategicMergePatch(original, patch, deploymentSchema), modified);
  });
});
