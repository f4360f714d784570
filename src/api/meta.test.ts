import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import {
  addFinalizer,
  beginDeletion,
  controllerRef,
  defaultEnv,
  generateName,
  hasFinalizer,
  isOwnedBy,
  namespacedName,
  NAME_SUFFIX_ALPHABET,
  ownerReferenceTo,
  prepareForCreate,
  prepareForUpdate,
  readyToRemove,
  removeFinalizer,
  timestamp,
  type DeleteDecision,
  type KubeObject,
  type MetaEnv,
} from './meta.ts';
import { deepCopy } from './equality.ts';
import { validateObjectMetaUpdate } from './validation/meta.ts';

const NOW = '2026-11-22T02:13:15.678Z';
const NOW_TS = '2026-11-22T02:13:15Z';

/** Deterministic env: fixed clock, uid-1, uid-2, ..., and a cycle of random values. */
function fixedEnv(opts: { now?: string; random?: number[] } = {}): MetaEnv {
  const now = new Date(opts.now ?? NOW);
  const rs = opts.random ?? [0];
  let u = 0;
  let r = 0;
  return {
    now: () => new Date(now),
    uid: () => `uid-${++u}`,
    random: () => rs[r++ % rs.length]!,
  };
}

/** Tests play the server too, so they may write kubernetes-types' readonly metadata fields. */
function mut(o: KubeObject): { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] } {
  return (o.metadata ??= {});
}

function at(base: string, seconds: number): string {
  return timestamp(new Date(Date.parse(base) + seconds * 1000));
}

function updated(d: DeleteDecision): KubeObject {
  assert.equal(d.action, 'update', `expected an update, got ${JSON.stringify(d)}`);
  return (d as { action: 'update'; object: KubeObject }).object;
}

describe('timestamp', () => {
  const cases: Array<[string, Date, string]> = [
    ['drops milliseconds', new Date('2026-11-22T02:13:15.678Z'), '2026-11-22T02:13:15Z'],
    ['truncates rather than rounds', new Date('2026-11-22T02:13:15.999Z'), '2026-11-22T02:13:15Z'],
    ['whole seconds unchanged', new Date('2026-11-22T02:13:15Z'), '2026-11-22T02:13:15Z'],
    ['converts offsets to UTC', new Date('2026-11-22T04:13:15+02:00'), '2026-11-22T02:13:15Z'],
    ['epoch', new Date(0), '1970-01-01T00:00:00Z'],
  ];
  for (const [name, d, want] of cases) test(name, () => assert.equal(timestamp(d), want));

  test('matches the RFC 3339 second-precision Z form', () => {
    assert.match(timestamp(new Date()), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });
});

describe('generateName', () => {
  test('appends 5 characters chosen from the Kubernetes alphabet by env.random', () => {
    // index = floor(r * 27): 0 -> b, 0.5 -> 13 -> r, 0.99999 -> 26 -> 9, 3.5/27 -> 3 -> f, 20.5/27 -> 20 -> 2
    const env = fixedEnv({ random: [0, 0.5, 0.99999, 3.5 / 27, 20.5 / 27] });
    assert.equal(generateName('web-', env), 'web-br9f2');
  });

  test('truncates a 70-character prefix so the name is exactly 63 characters', () => {
    const prefix = 'a'.repeat(60) + 'b'.repeat(10);
    assert.equal(prefix.length, 70);
    const name = generateName(prefix, fixedEnv());
    assert.equal(name.length, 63);
    assert.equal(name.slice(0, 58), prefix.slice(0, 58));
    assert.equal(name.slice(58), 'bbbbb'); // random() = 0 always picks 'b'
  });

  test('keeps a 58-character prefix whole (63 total) and does not pad short ones', () => {
    assert.equal(generateName('x'.repeat(58), fixedEnv()).length, 63);
    assert.equal(generateName('x'.repeat(59), fixedEnv()).length, 63);
    assert.equal(generateName('', fixedEnv()), 'bbbbb');
  });

  test('a random() of exactly 1 still yields an alphabet character', () => {
    assert.equal(generateName('p-', fixedEnv({ random: [1] })), 'p-99999');
  });

  test('the default env produces alphabet characters only', () => {
    const name = generateName('pod-', defaultEnv);
    assert.match(name, new RegExp(`^pod-[${NAME_SUFFIX_ALPHABET}]{5}$`));
  });
});

describe('prepareForCreate', () => {
  test('sets uid and creationTimestamp from the env, generation=1 when tracked', () => {
    const obj: Deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } };
    const out = prepareForCreate(obj, { tracksGeneration: true, env: fixedEnv() });
    assert.equal(out, obj, 'mutates and returns the same object');
    assert.deepEqual(out.metadata, { name: 'web', namespace: 'default', uid: 'uid-1', creationTimestamp: NOW_TS, generation: 1 });
  });

  test('does not set generation for kinds that do not track it', () => {
    const out = prepareForCreate<KubeObject>({ kind: 'ConfigMap', metadata: { name: 'c' } }, { env: fixedEnv() });
    assert.equal(out.metadata?.generation, undefined);
  });

  test('replaces client-supplied uid, creationTimestamp and generation', () => {
    const out = prepareForCreate(
      { metadata: { name: 'a', uid: 'client-uid', creationTimestamp: '2000-01-01T00:00:00Z', generation: 7 } },
      { tracksGeneration: true, env: fixedEnv() },
    );
    assert.equal(out.metadata?.uid, 'uid-1');
    assert.equal(out.metadata?.creationTimestamp, NOW_TS);
    assert.equal(out.metadata?.generation, 1);
  });

  test('clears resourceVersion, deletionTimestamp, deletionGracePeriodSeconds and selfLink', () => {
    const out = prepareForCreate(
      {
        metadata: {
          name: 'a',
          resourceVersion: '42',
          deletionTimestamp: NOW_TS,
          deletionGracePeriodSeconds: 30,
          selfLink: '/api/v1/namespaces/default/pods/a',
        },
      },
      { env: fixedEnv() },
    );
    for (const k of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const) {
      assert.equal(k in (out.metadata ?? {}), false, `${k} cleared`);
    }
  });

  test('keeps labels, annotations, finalizers and ownerReferences as given', () => {
    const given: ObjectMeta = {
      name: 'a',
      labels: { app: 'web' },
      annotations: { note: 'x' },
      finalizers: ['example.com/f'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }],
    };
    const out = prepareForCreate({ metadata: deepCopy(given) }, { env: fixedEnv() });
    const { uid: _uid, creationTimestamp: _ct, ...rest } = out.metadata ?? {};
    assert.deepEqual(rest, given);
  });

  const nameCases: Array<[string, ObjectMeta, string]> = [
    ['generates a name when only generateName is set', { generateName: 'web-' }, 'web-bbbbb'],
    ['generates a name when name is the empty string', { name: '', generateName: 'web-' }, 'web-bbbbb'],
    ['keeps an explicit name even when generateName is set', { name: 'fixed', generateName: 'web-' }, 'fixed'],
  ];
  for (const [name, meta, want] of nameCases) {
    test(name, () => {
      const out = prepareForCreate({ metadata: meta }, { env: fixedEnv() });
      assert.equal(out.metadata?.name, want);
      assert.equal(out.metadata?.generateName, 'web-', 'generateName is kept');
    });
  }

  test('creates metadata when the object has none', () => {
    const out = prepareForCreate({ kind: 'Thing' } as KubeObject, { env: fixedEnv() });
    assert.deepEqual(out.metadata, { uid: 'uid-1', creationTimestamp: NOW_TS });
  });
});

describe('prepareForUpdate', () => {
  const stored = (): Deployment => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'uid-web',
      creationTimestamp: '2026-01-01T00:00:00Z',
      resourceVersion: '10',
      generation: 3,
      labels: { app: 'web' },
      annotations: { a: '1' },
    },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } },
    status: { replicas: 1, observedGeneration: 3 },
  });

  const generationCases: Array<{
    name: string;
    edit: (d: Deployment) => void;
    opts: { tracksGeneration?: boolean; subresource?: string };
    want: number;
  }> = [
    { name: 'no change keeps generation', edit: () => {}, opts: { tracksGeneration: true }, want: 3 },
    { name: 'label change does not bump', edit: (d) => (d.metadata!.labels = { app: 'web', tier: 'x' }), opts: { tracksGeneration: true }, want: 3 },
    { name: 'annotation change does not bump', edit: (d) => (d.metadata!.annotations = { a: '2' }), opts: { tracksGeneration: true }, want: 3 },
    { name: 'finalizer change does not bump', edit: (d) => (d.metadata!.finalizers = ['example.com/f']), opts: { tracksGeneration: true }, want: 3 },
    { name: 'status change does not bump', edit: (d) => (d.status = { replicas: 5 }), opts: { tracksGeneration: true }, want: 3 },
    { name: 'spec change bumps by one', edit: (d) => (d.spec!.replicas = 2), opts: { tracksGeneration: true }, want: 4 },
    { name: 'nested spec change bumps', edit: (d) => (d.spec!.template.metadata!.labels!['v'] = '2'), opts: { tracksGeneration: true }, want: 4 },
    { name: 'removing the spec bumps', edit: (d) => delete d.spec, opts: { tracksGeneration: true }, want: 4 },
    {
      name: 'a spec key set to undefined is the same as a missing key',
      edit: (d) => (d.spec!.paused = undefined),
      opts: { tracksGeneration: true },
      want: 3,
    },
    {
      name: 'a new top-level field outside metadata/status bumps',
      edit: (d) => ((d as Record<string, unknown>)['data'] = { k: 'v' }),
      opts: { tracksGeneration: true },
      want: 4,
    },
    { name: 'apiVersion/kind differences do not bump', edit: (d) => ((d as KubeObject).apiVersion = 'apps/v1beta2'), opts: { tracksGeneration: true }, want: 3 },
    { name: 'status subresource never bumps, even with a spec change', edit: (d) => (d.spec!.replicas = 9), opts: { tracksGeneration: true, subresource: 'status' }, want: 3 },
    { name: 'scale subresource bumps on a spec change', edit: (d) => (d.spec!.replicas = 9), opts: { tracksGeneration: true, subresource: 'scale' }, want: 4 },
    { name: 'untracked kinds keep the old generation on a spec change', edit: (d) => (d.spec!.replicas = 2), opts: {}, want: 3 },
    { name: 'client-sent generation is ignored (no spec change)', edit: (d) => (mut(d).generation = 99), opts: { tracksGeneration: true }, want: 3 },
    {
      name: 'client-sent generation is ignored (spec change bumps from the old value)',
      edit: (d) => {
        mut(d).generation = 99;
        d.spec!.replicas = 2;
      },
      opts: { tracksGeneration: true },
      want: 4,
    },
    { name: 'client-omitted generation is restored', edit: (d) => delete mut(d).generation, opts: { tracksGeneration: true }, want: 3 },
  ];
  for (const c of generationCases) {
    test(c.name, () => {
      const old = stored();
      const obj = stored();
      c.edit(obj);
      const out = prepareForUpdate(obj, old, c.opts);
      assert.equal(out, obj, 'mutates and returns the same object');
      assert.equal(out.metadata?.generation, c.want);
      assert.deepEqual(old, stored(), 'old is not modified');
    });
  }

  test('untracked old object without generation stays without one', () => {
    const old: KubeObject = { kind: 'ConfigMap', metadata: { name: 'c', uid: 'u' } };
    const obj: KubeObject = { kind: 'ConfigMap', metadata: { name: 'c', generation: 5 } };
    assert.equal(prepareForUpdate(obj, old).metadata?.generation, undefined);
  });

  test('fills uid, creationTimestamp, deletionTimestamp and deletionGracePeriodSeconds the client left out', () => {
    const old = stored();
    Object.assign(old.metadata!, { deletionTimestamp: '2026-02-01T00:00:00Z', deletionGracePeriodSeconds: 30, finalizers: ['example.com/f'] });
    const obj = stored();
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const) delete mut(obj)[k];
    const m = prepareForUpdate(obj, old).metadata!;
    assert.equal(m.uid, 'uid-web');
    assert.equal(m.creationTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(m.deletionTimestamp, '2026-02-01T00:00:00Z');
    assert.equal(m.deletionGracePeriodSeconds, 30);
  });

  test('the old creationTimestamp and deletionTimestamp win over client values', () => {
    const old = stored();
    mut(old).deletionTimestamp = '2026-02-01T00:00:00Z';
    const obj = stored();
    mut(obj).creationTimestamp = '1999-01-01T00:00:00Z';
    mut(obj).deletionTimestamp = '2099-01-01T00:00:00Z';
    const m = prepareForUpdate(obj, old).metadata!;
    assert.equal(m.creationTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(m.deletionTimestamp, '2026-02-01T00:00:00Z');
  });

  test('an update cannot mark an object for deletion: validation rejects a new deletionTimestamp', () => {
    const obj = stored();
    mut(obj).deletionTimestamp = '2099-01-01T00:00:00Z';
    const m = prepareForUpdate(obj, stored()).metadata!;
    const errs = validateObjectMetaUpdate(m, stored().metadata);
    assert.deepEqual(
      errs.map((e) => e.field),
      ['metadata.deletionTimestamp'],
    );
  });

  test('a different client uid is kept so validation rejects it as immutable (as Kubernetes does)', () => {
    const obj = stored();
    mut(obj).uid = 'someone-else';
    const m = prepareForUpdate(obj, stored()).metadata!;
    assert.equal(m.uid, 'someone-else');
    const errs = validateObjectMetaUpdate(m, stored().metadata);
    assert.deepEqual(
      errs.map((e) => e.field),
      ['metadata.uid'],
    );
  });

  test('a well-formed update after carry-over passes metadata update validation', () => {
    const old = stored();
    Object.assign(old.metadata!, { deletionTimestamp: '2026-02-01T00:00:00Z', deletionGracePeriodSeconds: 0, finalizers: ['example.com/f'] });
    const obj = stored();
    obj.spec!.replicas = 4;
    obj.metadata!.finalizers = [];
    const m = prepareForUpdate(obj, old, { tracksGeneration: true }).metadata!;
    assert.deepEqual(validateObjectMetaUpdate(m, old.metadata), []);
    assert.equal(m.generation, 4);
  });
});

describe('beginDeletion', () => {
  const LATER = '2026-11-22T02:13:25.000Z'; // NOW + ~10s

  function obj(meta: Partial<ObjectMeta> = {}): KubeObject {
    const o: KubeObject & { spec: unknown } = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default', uid: 'uid-p', resourceVersion: '5', ...meta },
      spec: { containers: [] },
    };
    return o;
  }

  test('no finalizers and no grace: delete now', () => {
    assert.deepEqual(beginDeletion(obj(), { env: fixedEnv() }), { action: 'delete' });
  });

  test('finalizers present: marked with deletionTimestamp=now, grace 0 and generation+1; input untouched', () => {
    const o = obj({ finalizers: ['example.com/f'], generation: 2 });
    const before = deepCopy(o);
    const out = updated(beginDeletion(o, { tracksGeneration: true, env: fixedEnv() }));
    assert.deepEqual(out.metadata, { ...before.metadata, deletionTimestamp: NOW_TS, deletionGracePeriodSeconds: 0, generation: 3 });
    assert.deepEqual(o, before, 'beginDeletion does not modify its argument');
  });

  test('marking does not invent a generation for objects without one', () => {
    const out = updated(beginDeletion(obj({ finalizers: ['example.com/f'] }), { env: fixedEnv() }));
    assert.equal(out.metadata?.generation, undefined);
  });

  test('marking bumps a set generation even when the caller did not say it is tracked (Kubernetes bumps any generation > 0)', () => {
    const out = updated(beginDeletion(obj({ finalizers: ['example.com/f'], generation: 1 }), { env: fixedEnv() }));
    assert.equal(out.metadata?.generation, 2);
  });

  const gracefulFirst: Array<{ name: string; grace?: number; finalizers?: string[]; want: DeleteDecision['action']; ts?: string; period?: number }> = [
    { name: 'graceful kind, grace 30: marked for now+30s', grace: 30, want: 'update', ts: at(NOW_TS, 30), period: 30 },
    { name: 'graceful kind, grace 0, no finalizers: delete now', grace: 0, want: 'delete' },
    { name: 'graceful kind, no grace given counts as 0', want: 'delete' },
    { name: 'graceful kind, grace 0 with finalizers: marked for now', grace: 0, finalizers: ['example.com/f'], want: 'update', ts: NOW_TS, period: 0 },
    { name: 'graceful kind, negative grace means 1 second', grace: -5, want: 'update', ts: at(NOW_TS, 1), period: 1 },
    { name: 'graceful kind, grace 30 with finalizers: marked for now+30s', grace: 30, finalizers: ['example.com/f'], want: 'update', ts: at(NOW_TS, 30), period: 30 },
  ];
  for (const c of gracefulFirst) {
    test(c.name, () => {
      const meta = c.finalizers ? { finalizers: c.finalizers, generation: 1 } : { generation: 1 };
      const d = beginDeletion(obj(meta), { graceful: true, gracePeriodSeconds: c.grace, tracksGeneration: true, env: fixedEnv() });
      assert.equal(d.action, c.want);
      if (d.action === 'update') {
        assert.equal(d.object.metadata?.deletionTimestamp, c.ts);
        assert.equal(d.object.metadata?.deletionGracePeriodSeconds, c.period);
        assert.equal(d.object.metadata?.generation, 2, 'generation bumped once');
      }
    });
  }

  test('grace is ignored for kinds that do not honour it', () => {
    assert.deepEqual(beginDeletion(obj(), { gracePeriodSeconds: 30, env: fixedEnv() }), { action: 'delete' });
    const out = updated(beginDeletion(obj({ finalizers: ['example.com/f'] }), { gracePeriodSeconds: 30, env: fixedEnv() }));
    assert.equal(out.metadata?.deletionTimestamp, NOW_TS);
    assert.equal(out.metadata?.deletionGracePeriodSeconds, 0);
  });

  describe('repeated delete of a gracefully deleting object (marked at NOW with grace 30, now NOW+10s)', () => {
    const FIRST = at(NOW_TS, 30);
    const marked = (finalizers?: string[]) =>
      obj({ deletionTimestamp: FIRST, deletionGracePeriodSeconds: 30, generation: 2, ...(finalizers ? { finalizers } : {}) });
    const cases: Array<{ name: string; grace?: number; finalizers?: string[]; want: DeleteDecision['action']; ts?: string; period?: number }> = [
      { name: 'same grace: nothing changes', grace: 30, want: 'none' },
      { name: 'longer grace: first deletionTimestamp kept', grace: 60, want: 'none' },
      { name: 'no grace given: first deletionTimestamp kept', want: 'none' },
      { name: 'shorter grace moves deletionTimestamp earlier by the difference', grace: 10, want: 'update', ts: at(NOW_TS, 10), period: 10 },
      { name: 'grace 0 without finalizers: delete now', grace: 0, want: 'delete' },
      { name: 'grace 0 with finalizers: stays, deletionTimestamp = first mark time', grace: 0, finalizers: ['example.com/f'], want: 'update', ts: NOW_TS, period: 0 },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const d = beginDeletion(marked(c.finalizers), {
          graceful: true,
          gracePeriodSeconds: c.grace,
          tracksGeneration: true,
          env: fixedEnv({ now: LATER }),
        });
        assert.equal(d.action, c.want);
        if (d.action === 'update') {
          assert.equal(d.object.metadata?.deletionTimestamp, c.ts);
          assert.equal(d.object.metadata?.deletionGracePeriodSeconds, c.period);
          assert.equal(d.object.metadata?.generation, 2, 'generation is not bumped again');
        }
      });
    }

    test('a pending graceful deletion ignores propagationPolicy (finalizers cannot change)', () => {
      assert.deepEqual(
        beginDeletion(marked(), { graceful: true, propagationPolicy: 'Foreground', env: fixedEnv({ now: LATER }) }),
        { action: 'none' },
      );
    });
  });

  test('repeated delete of a finalizer-held object keeps the first deletionTimestamp: none', () => {
    const o = obj({ finalizers: ['example.com/f'], deletionTimestamp: NOW_TS, deletionGracePeriodSeconds: 0, generation: 2 });
    assert.deepEqual(beginDeletion(o, { tracksGeneration: true, env: fixedEnv({ now: LATER }) }), { action: 'none' });
  });

  test('a marked object whose deletionTimestamp lies in the future is pulled to now, never pushed later', () => {
    const o = obj({ finalizers: ['example.com/f'], deletionTimestamp: at(LATER, 100), deletionGracePeriodSeconds: 0 });
    const out = updated(beginDeletion(o, { env: fixedEnv({ now: LATER }) }));
    assert.equal(out.metadata?.deletionTimestamp, timestamp(new Date(LATER)));
  });

  test('a marked object with no finalizers left (e.g. a failed earlier delete) is deleted', () => {
    const o = obj({ deletionTimestamp: NOW_TS, deletionGracePeriodSeconds: 0 });
    assert.deepEqual(beginDeletion(o, { env: fixedEnv({ now: LATER }) }), { action: 'delete' });
    assert.deepEqual(beginDeletion(o, { graceful: true, gracePeriodSeconds: 30, env: fixedEnv({ now: LATER }) }), { action: 'delete' });
  });

  describe('propagation policy finalizers', () => {
    const cases: Array<{ name: string; policy?: 'Foreground' | 'Background' | 'Orphan'; finalizers?: string[]; want: DeleteDecision['action']; finalizersAfter?: string[] }> = [
      { name: 'Foreground adds foregroundDeletion and holds the object', policy: 'Foreground', want: 'update', finalizersAfter: ['foregroundDeletion'] },
      { name: 'Orphan adds orphan after existing finalizers', policy: 'Orphan', finalizers: ['example.com/f'], want: 'update', finalizersAfter: ['example.com/f', 'orphan'] },
      { name: 'Foreground replaces an existing orphan finalizer', policy: 'Foreground', finalizers: ['orphan'], want: 'update', finalizersAfter: ['foregroundDeletion'] },
      { name: 'Orphan replaces an existing foregroundDeletion finalizer', policy: 'Orphan', finalizers: ['foregroundDeletion', 'example.com/f'], want: 'update', finalizersAfter: ['example.com/f', 'orphan'] },
      { name: 'Background removes a leftover orphan finalizer and deletes', policy: 'Background', finalizers: ['orphan'], want: 'delete' },
      { name: 'Background with other finalizers marks and keeps them', policy: 'Background', finalizers: ['example.com/f'], want: 'update', finalizersAfter: ['example.com/f'] },
      { name: 'Background on a plain object deletes', policy: 'Background', want: 'delete' },
      { name: 'Foreground keeps the existing order when already present', policy: 'Foreground', finalizers: ['foregroundDeletion', 'example.com/f'], want: 'update', finalizersAfter: ['foregroundDeletion', 'example.com/f'] },
      { name: 'no policy leaves an existing orphan finalizer in place', finalizers: ['orphan'], want: 'update', finalizersAfter: ['orphan'] },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const d = beginDeletion(obj(c.finalizers ? { finalizers: c.finalizers } : {}), { propagationPolicy: c.policy, env: fixedEnv() });
        assert.equal(d.action, c.want);
        if (d.action === 'update') {
          assert.deepEqual(d.object.metadata?.finalizers, c.finalizersAfter);
          assert.equal(d.object.metadata?.deletionTimestamp, NOW_TS);
          assert.equal(d.object.metadata?.deletionGracePeriodSeconds, 0);
        }
      });
    }

    test('a second Foreground delete of an object being deleted in the background adds the finalizer', () => {
      const o = obj({ finalizers: ['example.com/f'], deletionTimestamp: NOW_TS, deletionGracePeriodSeconds: 0 });
      const out = updated(beginDeletion(o, { propagationPolicy: 'Foreground', env: fixedEnv({ now: LATER }) }));
      assert.deepEqual(out.metadata?.finalizers, ['example.com/f', 'foregroundDeletion']);
      assert.equal(out.metadata?.deletionTimestamp, NOW_TS, 'first deletionTimestamp kept');
    });

    test('a graceful first delete with Foreground marks with grace and adds the finalizer', () => {
      const out = updated(beginDeletion(obj(), { graceful: true, gracePeriodSeconds: 30, propagationPolicy: 'Foreground', env: fixedEnv() }));
      assert.deepEqual(out.metadata?.finalizers, ['foregroundDeletion']);
      assert.equal(out.metadata?.deletionTimestamp, at(NOW_TS, 30));
      assert.equal(out.metadata?.deletionGracePeriodSeconds, 30);
    });
  });
});

describe('readyToRemove', () => {
  test('becomes true once the last finalizer is removed from a marked object', () => {
    const env = fixedEnv();
    const created = prepareForCreate({ kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['example.com/a', 'example.com/b'] } }, { env });
    const marked = updated(beginDeletion(created, { env }));
    assert.equal(readyToRemove(marked), false, 'finalizers still pending');

    // A controller removes its finalizers one update at a time.
    let current = marked;
    for (const [f, ready] of [['example.com/a', false], ['example.com/b', true]] as const) {
      const next = deepCopy(current);
      delete mut(next).deletionTimestamp; // the client's copy may omit server fields
      assert.equal(removeFinalizer(next, f), true);
      prepareForUpdate(next, current);
      assert.equal(next.metadata?.deletionTimestamp, NOW_TS, 'deletionTimestamp carried over');
      assert.equal(readyToRemove(next), ready, `after removing ${f}`);
      current = next;
    }
  });

  const cases: Array<[string, ObjectMeta | undefined, boolean]> = [
    ['no metadata', undefined, false],
    ['not marked for deletion', { name: 'a' }, false],
    ['not marked, even with no finalizers', { name: 'a', finalizers: [] }, false],
    ['marked, finalizers pending', { deletionTimestamp: NOW_TS, deletionGracePeriodSeconds: 0, finalizers: ['x/y'] }, false],
    ['marked, no finalizers, grace 0', { deletionTimestamp: NOW_TS, deletionGracePeriodSeconds: 0 }, true],
    ['marked, empty finalizer list, grace absent', { deletionTimestamp: NOW_TS, finalizers: [] }, true],
    ['marked, no finalizers, but a grace period still running', { deletionTimestamp: NOW_TS, deletionGracePeriodSeconds: 30 }, false],
  ];
  for (const [name, meta, want] of cases) test(name, () => assert.equal(readyToRemove({ metadata: meta }), want));
});

describe('finalizer helpers', () => {
  test('addFinalizer adds once, creating metadata and the list as needed', () => {
    const o: KubeObject = { kind: 'X' };
    assert.equal(hasFinalizer(o, 'a/b'), false);
    assert.equal(addFinalizer(o, 'a/b'), true);
    assert.equal(addFinalizer(o, 'a/b'), false);
    assert.equal(addFinalizer(o, 'c/d'), true);
    assert.deepEqual(o.metadata?.finalizers, ['a/b', 'c/d']);
    assert.equal(hasFinalizer(o, 'c/d'), true);
  });

  test('removeFinalizer removes every copy, reports whether it removed, and drops an empty list', () => {
    const o: KubeObject = { metadata: { finalizers: ['a/b', 'c/d', 'a/b'] } };
    assert.equal(removeFinalizer(o, 'a/b'), true);
    assert.deepEqual(o.metadata?.finalizers, ['c/d']);
    assert.equal(removeFinalizer(o, 'a/b'), false);
    assert.equal(removeFinalizer(o, 'c/d'), true);
    assert.equal('finalizers' in o.metadata!, false);
    assert.equal(removeFinalizer({}, 'x'), false);
  });
});

describe('owner references', () => {
  const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-uid' } };

  const controllerCases: Array<[string, ObjectMeta['ownerReferences'], string | undefined]> = [
    ['no owner references', undefined, undefined],
    ['only non-controller references', [{ apiVersion: 'v1', kind: 'A', name: 'a', uid: 'a' }], undefined],
    ['controller: false is not a controller', [{ apiVersion: 'v1', kind: 'A', name: 'a', uid: 'a', controller: false }], undefined],
    [
      'picks the controller among several',
      [
        { apiVersion: 'v1', kind: 'A', name: 'a', uid: 'a' },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true },
      ],
      'rs-uid',
    ],
  ];
  for (const [name, refs, wantUID] of controllerCases) {
    test(`controllerRef: ${name}`, () => {
      assert.equal(controllerRef({ metadata: refs ? { ownerReferences: refs } : {} })?.uid, wantUID);
    });
  }

  test('ownerReferenceTo builds a controller reference that controllerRef and isOwnedBy find', () => {
    const ref = ownerReferenceTo(rs, { controller: true, blockOwnerDeletion: true });
    assert.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true, blockOwnerDeletion: true });
    const pod: KubeObject = { metadata: { name: 'p', ownerReferences: [ref] } };
    assert.deepEqual(controllerRef(pod), ref);
    assert.equal(isOwnedBy(pod, 'rs-uid'), true);
    assert.equal(isOwnedBy(pod, 'other'), false);
    assert.equal(isOwnedBy({}, 'rs-uid'), false);
  });

  test('ownerReferenceTo omits controller/blockOwnerDeletion unless asked', () => {
    assert.deepEqual(ownerReferenceTo(rs), { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid' });
  });

  test('ownerReferenceTo refuses an owner that has not been stored (no uid)', () => {
    assert.throws(() => ownerReferenceTo({ apiVersion: 'v1', kind: 'X', metadata: { name: 'n' } }), /uid/);
  });
});

describe('namespacedName', () => {
  const cases: Array<[string, KubeObject, string]> = [
    ['namespaced', { metadata: { namespace: 'default', name: 'web' } }, 'default/web'],
    ['cluster-scoped', { metadata: { name: 'node-1' } }, 'node-1'],
    ['empty namespace counts as cluster-scoped', { metadata: { namespace: '', name: 'n' } }, 'n'],
  ];
  for (const [name, o, want] of cases) test(name, () => assert.equal(namespacedName(o), want));
});
