import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApplyConflictError, ApplyError, LAST_APPLIED_ANNOTATION, serverSideApply, trackUpdate, type ApplyOptions } from './index.ts';

type Obj = Record<string, unknown>;
const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T11:00:00Z';
const T2 = '2024-05-01T12:00:00Z';

/** The nginx Deployment of the Kubernetes docs. */
function nginx(over: { replicas?: number; image?: string; labels?: Obj; containers?: Obj[] } = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx-deployment', labels: over.labels ?? { app: 'nginx' } },
    spec: {
      ...(over.replicas === undefined ? {} : { replicas: over.replicas }),
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: over.containers ?? [{ name: 'nginx', image: over.image ?? 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

const opts = (manager: string, now: string, more: Partial<ApplyOptions> = {}): ApplyOptions => ({
  manager, force: false, now, apiVersion: 'apps/v1', kind: 'Deployment', ...more,
});
const apply = (cur: Obj | undefined, cfg: Obj, manager = 'kubectl', now = T0, more: Partial<ApplyOptions> = {}): Obj =>
  serverSideApply(cur, cfg, opts(manager, now, more)).object;
const update = (cur: Obj | undefined, next: Obj, manager: string, now = T0, subresource?: string): Obj =>
  trackUpdate(cur, next, { manager, now, apiVersion: 'apps/v1', ...(subresource ? { subresource } : {}) });

const managed = (o: Obj): Obj[] => ((o.metadata as Obj).managedFields as Obj[] | undefined) ?? [];
const entry = (o: Obj, manager: string, operation = 'Apply'): Obj | undefined =>
  managed(o).find((e) => e.manager === manager && e.operation === operation);
const fields = (o: Obj, manager: string, operation = 'Apply'): unknown => entry(o, manager, operation)?.fieldsV1;
const spec = (o: Obj): Obj => o.spec as Obj;
const podSpec = (o: Obj): Obj => (spec(o).template as Obj).spec as Obj;
const clone = <T>(v: T): T => structuredClone(v);
function thrown<E>(fn: () => unknown, type: abstract new (...a: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof type, `threw ${String(e)}`);
    return e;
  }
  return assert.fail('did not throw');
}

/** What the docs' SSA page shows for `kubectl apply --server-side` of the nginx Deployment. */
const nginxApplyFields = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {},
            'f:image': {},
            'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          },
        },
      },
    },
  },
};

describe('serverSideApply: creating', () => {
  test('apply on a missing Deployment creates it with the one Apply entry Kubernetes writes', () => {
    const obj = apply(undefined, nginx({ replicas: 3 }));
    assert.deepEqual(managed(obj), [
      { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1', fieldsV1: nginxApplyFields },
    ]);
    const { managedFields: _, ...meta } = obj.metadata as Obj;
    assert.deepEqual({ ...obj, metadata: meta }, nginx({ replicas: 3 }));
  });

  test('keys serialize sorted and with defaulted key fields; FieldsV1 keys come out in Kubernetes order', () => {
    const obj = apply(undefined, nginx({ replicas: 1 }));
    const keys = Object.keys((fields(obj, 'kubectl') as Obj)['f:spec'] as Obj);
    assert.deepEqual(keys, ['f:replicas', 'f:selector', 'f:template']);
  });

  test('status, resourceVersion, uid and other system metadata are never owned by a main-resource apply', () => {
    const cfg: Obj = { ...nginx({ replicas: 1 }), status: { replicas: 9 } };
    (cfg.metadata as Obj).uid = 'u-1';
    (cfg.metadata as Obj).resourceVersion = '5';
    (cfg.metadata as Obj).namespace = 'default';
    const obj = apply(undefined, cfg);
    assert.equal(obj.status, undefined);
    assert.equal((obj.metadata as Obj).uid, undefined);
    assert.deepEqual(Object.keys((fields(obj, 'kubectl') as Obj)['f:metadata'] as Obj), ['f:labels']);
    assert.equal((fields(obj, 'kubectl') as Obj)['f:apiVersion'], undefined);
  });
});

describe('serverSideApply: re-applying', () => {
  const cases: { name: string; first: Obj; second: Obj; check: (o: Obj) => void }[] = [
    {
      name: 'a field dropped from the configuration is removed from the object and the entry',
      first: nginx({ replicas: 3, labels: { app: 'nginx', tier: 'web' } }),
      second: nginx({ labels: { app: 'nginx' } }),
      check: (o) => {
        assert.equal(spec(o).replicas, undefined);
        assert.deepEqual((o.metadata as Obj).labels, { app: 'nginx' });
        assert.equal(((fields(o, 'kubectl') as Obj)['f:spec'] as Obj)['f:replicas'], undefined);
        assert.equal(entry(o, 'kubectl')?.time, T1);
      },
    },
    {
      name: 'a list item dropped from the configuration is removed (map-list by name)',
      first: nginx({ containers: [{ name: 'nginx', image: 'nginx' }, { name: 'log', image: 'busybox' }] }),
      second: nginx({ containers: [{ name: 'nginx', image: 'nginx' }] }),
      check: (o) => assert.deepEqual(podSpec(o).containers, [{ name: 'nginx', image: 'nginx' }]),
    },
    {
      name: 'an unchanged re-apply keeps the entry time',
      first: nginx({ replicas: 2 }),
      second: nginx({ replicas: 2 }),
      check: (o) => assert.equal(entry(o, 'kubectl')?.time, T0),
    },
  ];
  for (const c of cases) {
    test(c.name, () => c.check(apply(apply(undefined, c.first), c.second, 'kubectl', T1)));
  }

  test('a configuration reduced to name only leaves no entry at all', () => {
    const o = apply(apply(undefined, nginx({ replicas: 1 }), 'a'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx-deployment' } }, 'a', T1);
    assert.deepEqual(managed(o), []);
    assert.equal((o.metadata as Obj).managedFields, undefined);
    assert.equal(o.spec, undefined);
  });
});

describe('serverSideApply: several managers', () => {
  test('two appliers setting the same value share the field; dropping it by one keeps it for the other', () => {
    let o = apply(undefined, nginx({ replicas: 3 }), 'alice');
    o = apply(o, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx-deployment' }, spec: { replicas: 3 } }, 'bob', T1);
    assert.deepEqual(fields(o, 'bob'), { 'f:spec': { 'f:replicas': {} } });
    assert.ok(((fields(o, 'alice') as Obj)['f:spec'] as Obj)['f:replicas']);
    o = apply(o, nginx(), 'alice', T2);
    assert.equal(spec(o).replicas, 3, 'bob still owns it');
    assert.equal(((fields(o, 'alice') as Obj)['f:spec'] as Obj)['f:replicas'], undefined);
  });

  const csa = (): Obj => update(undefined, nginx({ replicas: 2 }), 'kubectl-client-side-apply');
  const conflictCases: { name: string; cfg: Obj; message: string; fields: string[] }[] = [
    {
      name: 'one field owned by a client-side-apply Update manager: 409 with Kubernetes wording',
      cfg: nginx({ replicas: 5 }),
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      fields: ['.spec.replicas'],
    },
    {
      name: 'several fields: one line per field under the manager',
      cfg: nginx({ replicas: 5, image: 'nginx:1.27' }),
      message:
        'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n' +
        '- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
      fields: ['.spec.replicas', '.spec.template.spec.containers[name="nginx"].image'],
    },
  ];
  for (const c of conflictCases) {
    test(c.name, () => {
      const e = thrown(() => apply(csa(), c.cfg), ApplyConflictError);
      assert.equal(e.message, c.message);
      assert.deepEqual(e.conflicts.map((x) => x.field), c.fields);
      assert.deepEqual(e.causes[0], { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: c.fields[0] });
      assert.equal(e.toStatus().code, 409);
      assert.equal(e.toStatus().reason, 'Conflict');
    });
  }

  test('force moves the conflicting field to the applier and leaves the rest of the other entry', () => {
    const o = apply(csa(), nginx({ replicas: 5 }), 'kubectl', T1, { force: true });
    assert.equal(spec(o).replicas, 5);
    const other = fields(o, 'kubectl-client-side-apply', 'Update') as Obj;
    assert.equal((other['f:spec'] as Obj)['f:replicas'], undefined);
    assert.ok((other['f:spec'] as Obj)['f:selector'], 'unchanged fields stay with their manager');
    assert.ok(((fields(o, 'kubectl') as Obj)['f:spec'] as Obj)['f:replicas']);
  });

  test('applying the value an Update manager already set is no conflict: both own it', () => {
    const o = apply(csa(), nginx({ replicas: 2 }));
    assert.ok(((fields(o, 'kubectl') as Obj)['f:spec'] as Obj)['f:replicas']);
    assert.ok(((fields(o, 'kubectl-client-side-apply', 'Update') as Obj)['f:spec'] as Obj)['f:replicas']);
  });

  test('conflicts with two managers are grouped by manager, sorted', () => {
    let o = apply(undefined, nginx({ replicas: 1 }), 'zeta');
    o = apply(o, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx-deployment', labels: { team: 'a' } } }, 'alpha', T1);
    const cfg = nginx({ replicas: 4, labels: { app: 'nginx', team: 'b' } });
    const e = thrown(() => apply(o, cfg, 'me', T2), ApplyConflictError);
    assert.equal(e.message, 'Apply failed with 2 conflicts: conflicts with "alpha":\n- .metadata.labels.team\nconflicts with "zeta":\n- .spec.replicas');
  });
});

describe('serverSideApply: lists', () => {
  test('map-list items merge by name: an item another manager added survives, the applied item merges', () => {
    let o = apply(undefined, nginx({ replicas: 1 }));
    const next = clone(o);
    (podSpec(next).containers as Obj[]).push({ name: 'sidecar', image: 'envoy' });
    o = update(o, next, 'kubectl-edit', T1);
    o = apply(o, nginx({ replicas: 1, image: 'nginx:1.27' }), 'kubectl', T2);
    assert.deepEqual(podSpec(o).containers, [
      { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
      { name: 'sidecar', image: 'envoy' },
    ]);
    const edit = fields(o, 'kubectl-edit', 'Update') as Obj;
    assert.deepEqual(edit, {
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
    });
  });

  test('an atomic list (args) is replaced whole and owned as one field', () => {
    const c = (args: string[]): Obj => nginx({ containers: [{ name: 'nginx', image: 'nginx', args }] });
    const o = apply(apply(undefined, c(['a', 'b', 'c'])), c(['x']), 'kubectl', T1);
    assert.deepEqual((podSpec(o).containers as Obj[])[0]!.args, ['x']);
    const item = ((((fields(o, 'kubectl') as Obj)['f:spec'] as Obj)['f:template'] as Obj)['f:spec'] as Obj)['f:containers'] as Obj;
    assert.deepEqual(item['k:{"name":"nginx"}'], { '.': {}, 'f:args': {}, 'f:image': {}, 'f:name': {} });
  });

  test('finalizers are a set: items owned as v: values and merged by value', () => {
    let o = apply(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['a/x'] } }, 'one', T0, { apiVersion: 'v1', kind: 'ConfigMap' });
    o = apply(o, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['b/y'] } }, 'two', T1, { apiVersion: 'v1', kind: 'ConfigMap' });
    assert.deepEqual((o.metadata as Obj).finalizers, ['a/x', 'b/y']);
    assert.deepEqual(fields(o, 'two'), { 'f:metadata': { 'f:finalizers': { 'v:"b/y"': {} } } });
  });

  test('an item without its key is refused the way Kubernetes does (500, typed patch)', () => {
    const bad = nginx({ containers: [{ image: 'nginx' }] });
    const e = thrown(() => apply(undefined, bad), ApplyError);
    assert.equal(e.code, 500);
    assert.equal(
      e.message,
      'failed to create typed patch object (/nginx-deployment; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    );
  });

  test('duplicate keys in the configuration are refused', () => {
    const bad = nginx({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] });
    assert.throws(() => apply(undefined, bad), /duplicate entries for key \[name="a"\]/);
  });
});

describe('serverSideApply: requests Kubernetes refuses', () => {
  const cases: { name: string; cfg: Obj; code: number; message: RegExp }[] = [
    { name: 'managedFields in the configuration', cfg: { ...nginx(), metadata: { name: 'n', managedFields: [] } }, code: 400, message: /^metadata\.managedFields must be nil$/ },
    { name: 'a configuration of another version', cfg: { ...nginx(), apiVersion: 'apps/v1beta1' }, code: 400, message: /Specified patch version: apps\/v1beta1, expected: apps\/v1/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const e = thrown(() => apply(undefined, c.cfg), ApplyError);
      assert.equal(e.code, c.code);
      assert.match(e.message, c.message);
    });
  }
});

describe('trackUpdate', () => {
  test('kubectl scale: an Update entry with subresource scale takes spec.replicas from the applier', () => {
    const applied = apply(undefined, nginx({ replicas: 3 }));
    const scaled = clone(applied);
    spec(scaled).replicas = 5;
    const o = update(applied, scaled, 'kubectl', T1, 'scale');
    assert.deepEqual(entry(o, 'kubectl', 'Update'), {
      manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } }, subresource: 'scale',
    });
    assert.equal(((fields(o, 'kubectl') as Obj)['f:spec'] as Obj)['f:replicas'], undefined);
    assert.deepEqual(managed(o).map((e) => e.operation), ['Apply', 'Update']);
    const e = thrown(() => apply(o, nginx({ replicas: 3 }), 'kubectl', T2), ApplyConflictError);
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
  });

  test('a scale write records only spec.replicas even if other fields differ', () => {
    const cur = update(undefined, nginx({ replicas: 1 }), 'kubectl-create');
    const next = clone(cur);
    spec(next).replicas = 2;
    (next.metadata as Obj).labels = { app: 'other' };
    assert.deepEqual(fields(update(cur, next, 'kubectl', T1, 'scale'), 'kubectl', 'Update'), { 'f:spec': { 'f:replicas': {} } });
  });

  test('a create records every field, with "." on new maps and list items as Kubernetes does', () => {
    const o = update(undefined, nginx({ replicas: 1 }), 'kubectl-create');
    assert.deepEqual(fields(o, 'kubectl-create', 'Update'), {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    });
  });

  const updateCases: { name: string; change: (o: Obj) => void; check: (o: Obj) => void }[] = [
    {
      name: 'an update that changes nothing adds no entry and keeps times',
      change: () => {},
      check: (o) => assert.deepEqual(managed(o).map((e) => [e.manager, e.time]), [['kubectl', T0]]),
    },
    {
      name: 'a removed field leaves every entry, and an entry left empty disappears',
      change: (o) => {
        const { labels: _, ...m } = o.metadata as Obj;
        o.metadata = m;
      },
      check: (o) => assert.equal(((fields(o, 'kubectl') as Obj)['f:metadata']), undefined),
    },
    {
      name: 'status changes on the main resource are not tracked',
      change: (o) => (o.status = { replicas: 1 }),
      check: (o) => assert.equal(entry(o, 'editor', 'Update'), undefined),
    },
    {
      name: 'metadata.generation and resourceVersion are never tracked',
      change: (o) => Object.assign(o.metadata as Obj, { generation: 2, resourceVersion: '9' }),
      check: (o) => assert.equal(entry(o, 'editor', 'Update'), undefined),
    },
  ];
  for (const c of updateCases) {
    test(c.name, () => {
      const cur = apply(undefined, nginx({ labels: { app: 'nginx' } }));
      const next = clone(cur);
      c.change(next);
      c.check(update(cur, next, 'editor', T1));
    });
  }

  test('the status subresource tracks status for its manager (no "." on status, which Go always writes)', () => {
    const cur = apply(undefined, nginx({ replicas: 1 }));
    const next = { ...clone(cur), status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] } };
    const o = update(cur, next, 'kube-controller-manager', T1, 'status');
    assert.deepEqual(fields(o, 'kube-controller-manager', 'Update'), {
      'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} },
    });
  });

  test('managedFields: [] in a request resets them; absent keeps the stored ones', () => {
    const cur = apply(undefined, nginx({ replicas: 1 }));
    const reset = clone(cur);
    (reset.metadata as Obj).managedFields = [];
    assert.deepEqual(managed(update(cur, reset, 'x', T1)), []);
    const absent = clone(cur);
    delete (absent.metadata as Obj).managedFields;
    assert.deepEqual(managed(update(cur, absent, 'x', T1)), managed(cur));
  });
});

describe('serverSideApply and the client-side apply annotation', () => {
  test('an apply by "kubectl" rewrites an existing last-applied annotation with the configuration', () => {
    const cur = update(undefined, { ...nginx({ replicas: 1 }), metadata: { name: 'nginx-deployment', annotations: { [LAST_APPLIED_ANNOTATION]: '{}' } } }, 'kubectl-client-side-apply');
    const o = apply(cur, nginx({ replicas: 1 }));
    const la = ((o.metadata as Obj).annotations as Obj)[LAST_APPLIED_ANNOTATION] as string;
    assert.ok(la.endsWith('}\n'));
    assert.deepEqual(JSON.parse(la), nginx({ replicas: 1 }));
    assert.ok(la.startsWith('{"apiVersion":"apps/v1","kind":"Deployment","metadata"'), 'keys sorted as Go writes them');
  });
});
