// The kubectl suite's checks, through @kubernetes/client-node 1.4 against a
// real Skiff control plane (HTTPS with the cluster CA, bearer token, SQLite):
// the typed APIs (CoreV1Api, AppsV1Api, BatchV1Api, AutoscalingV1Api), the
// generic KubernetesObjectApi driving an apply of multi-document YAML, Watch,
// and an informer's list-then-watch cache. Errors must arrive as ApiException
// carrying the Kubernetes Status body.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  ApisApi,
  AppsV1Api,
  AutoscalingV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  loadAllYaml,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Deployment,
  type V1Status,
} from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { waitFor, within } from '../support/wait.ts';
import { APP, APP_EDITED } from '../support/fixtures.ts';

const NS = 'default';


// ---------------------------------------------------------------------------
// helpers

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isPlain = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** RFC 7386: the merge patch that turns `from` into `to` (lists are replaced whole). */
function mergeDiff(from: Record<string, Json>, to: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const k of Object.keys(from)) if (!(k in to)) out[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (!(k in from)) out[k] = v;
    else if (isPlain(from[k]) && isPlain(v)) {
      const d = mergeDiff(from[k] as Record<string, Json>, v);
      if (Object.keys(d).length > 0) out[k] = d;
    } else if (JSON.stringify(from[k]) !== JSON.stringify(v)) out[k] = v;
  }
  return out;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** kubectl's resource/name printing: "deployment.apps/web", "service/web". */
function ref(o: KubernetesObject): string {
  const group = o.apiVersion!.includes('/') ? o.apiVersion!.split('/')[0] : '';
  return `${o.kind!.toLowerCase()}${group ? `.${group}` : ''}/${o.metadata!.name}`;
}

/**
 * Client-side apply as kubectl does it, with the generic object API: create
 * with the last-applied annotation, or merge-patch the difference between the
 * last applied configuration and this one. The patch is always sent: a patch
 * that changes nothing must leave the object (and its resourceVersion) alone.
 */
async function apply(client: KubernetesObjectApi, spec: KubernetesObject): Promise<string> {
  const desired = structuredClone(spec) as KubernetesObject & Record<string, Json>;
  desired.metadata!.namespace ??= NS;
  const lastApplied = JSON.stringify(spec);
  const header = { apiVersion: desired.apiVersion!, kind: desired.kind!, metadata: { name: desired.metadata!.name!, namespace: desired.metadata!.namespace } };
  let live: KubernetesObject | undefined;
  try {
    live = await client.read(header);
  } catch (e) {
    if (!(e instanceof ApiException && e.code === 404)) throw e;
  }
  if (!live) {
    desired.metadata!.annotations = { ...desired.metadata!.annotations, [LAST_APPLIED]: lastApplied };
    await client.create(desired);
    return `${ref(desired)} created`;
  }
  const prev = JSON.parse(live.metadata?.annotations?.[LAST_APPLIED] ?? '{}') as Record<string, Json>;
  const patch = mergeDiff(prev, JSON.parse(lastApplied) as Record<string, Json>);
  const meta = (isPlain(patch.metadata) ? patch.metadata : {}) as Record<string, Json>;
  if (Object.keys(patch).length > 0) meta.annotations = { ...(isPlain(meta.annotations) ? meta.annotations : {}), [LAST_APPLIED]: lastApplied };
  const body = { ...patch, apiVersion: header.apiVersion, kind: header.kind, metadata: { ...meta, name: header.metadata.name, namespace: header.metadata.namespace } };
  const out = await client.patch(body as KubernetesObject, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
  return `${ref(desired)} ${out.metadata!.resourceVersion === live.metadata!.resourceVersion ? 'unchanged' : 'configured'}`;
}

/** The Status a failed call carried: the ApiException's code and its parsed body. */
async function apiError(p: Promise<unknown>, code: number): Promise<V1Status & { details?: { causes?: { reason?: string; message?: string; field?: string }[] } }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiException, `expected an ApiException, got ${String(e)}`);
    assert.equal(e.code, code, `HTTP ${e.code}: ${String(e.body)}`);
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as V1Status) : (e.body as V1Status);
    assert.equal(body.kind, 'Status');
    assert.equal(body.apiVersion, 'v1');
    assert.equal(body.status, 'Failure');
    assert.equal(body.code, code);
    return body;
  }
  assert.fail(`expected HTTP ${code}, the call succeeded`);
}

interface WatchEvent {
  type: string;
  object: KubernetesObject;
}

/** A running watch that records its events; `done` settles when the server ends it. */
async function record(kc: KubeConfig, path: string, query: Record<string, string | number | boolean | undefined>) {
  const events: WatchEvent[] = [];
  let ended: unknown = undefined;
  let endedFlag = false;
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    (err) => {
      ended = err;
      endedFlag = true;
    },
  );
  return {
    events,
    get ended() {
      return endedFlag ? { err: ended } : undefined;
    },
    stop: () => controller.abort(),
  };
}

/**
 * kubectl wait: list the one object by field selector, and if the condition
 * does not hold yet, watch from the list's resourceVersion until it does. The
 * condition sees `undefined` once the object is gone.
 */
async function waitUntil<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: (fieldSelector: string) => Promise<{ metadata?: { resourceVersion?: string }; items: T[] }>,
  name: string,
  cond: (o: T | undefined) => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<T | undefined> {
  const fieldSelector = `metadata.name=${name}`;
  const l = await list(fieldSelector);
  if (cond(l.items[0])) return l.items[0];
  let resolve!: (o: T | undefined) => void;
  let reject!: (e: unknown) => void;
  const result = new Promise<T | undefined>((res, rej) => ((resolve = res), (reject = rej)));
  const controller = await new Watch(kc).watch(
    path,
    { fieldSelector, resourceVersion: l.metadata?.resourceVersion },
    (type, obj: T) => {
      if (type === 'ERROR') return reject(new Error(`watch error: ${JSON.stringify(obj)}`));
      const cur = type === 'DELETED' ? undefined : obj;
      if (cond(cur)) resolve(cur);
    },
    (err) => reject(err ?? new Error(`the watch for ${what} ended before it held`)),
  );
  try {
    return await within(result, what, timeoutMs);
  } finally {
    controller.abort();
  }
}

// ---------------------------------------------------------------------------

describe('@kubernetes/client-node 1.4', () => {
  let cluster: TestCluster;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let batch: BatchV1Api;
  let hpaV1: AutoscalingV1Api;
  let objects: KubernetesObjectApi;

  before(async () => {
    cluster = await startTestCluster();
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    batch = kc.makeApiClient(BatchV1Api);
    hpaV1 = kc.makeApiClient(AutoscalingV1Api);
    objects = KubernetesObjectApi.makeApiClient(kc);
  });
  after(async () => cluster?.stop());

  test('the kubeconfig works as is: HTTPS with the cluster CA and a bearer token', async () => {
    const c = kc.getCurrentCluster()!;
    assert.match(c.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(c.caData || c.caFile, 'the cluster entry carries the CA');
    assert.ok(kc.getCurrentUser()?.token, 'the user entry carries a token');
    // Without the token the server answers 401 with a Status.
    const anon = new KubeConfig();
    anon.loadFromOptions({ clusters: [c], users: [{ name: 'anon' }], contexts: [{ name: 'anon', cluster: c.name, user: 'anon' }], currentContext: 'anon' });
    await assert.rejects(anon.makeApiClient(CoreV1Api).listNamespace(), (e: unknown) => e instanceof ApiException && e.code === 401);
  });

  test('discovery: api groups and resources with short names', async () => {
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    const versions = groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion));
    for (const gv of ['apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1']) {
      assert.ok(versions.includes(gv), `api groups lack ${gv}`);
    }
    const res = await apps.getAPIResources();
    assert.equal(res.groupVersion, 'apps/v1');
    const deploy = res.resources.find((r) => r.name === 'deployments');
    assert.ok(deploy, 'apps/v1 lists deployments');
    assert.equal(deploy.kind, 'Deployment');
    assert.equal(deploy.namespaced, true);
    assert.deepEqual(deploy.shortNames, ['deploy']);
    assert.ok(res.resources.some((r) => r.name === 'deployments/scale'), 'apps/v1 lists deployments/scale');
    const coreRes = await core.getAPIResources();
    const ns = coreRes.resources.find((r) => r.name === 'namespaces');
    assert.equal(ns?.namespaced, false);
    assert.deepEqual(ns?.shortNames, ['ns']);
  });

  test('listNamespace shows the system namespaces, Active', async () => {
    const list = await core.listNamespace();
    assert.equal(list.kind, 'NamespaceList');
    assert.match(list.metadata!.resourceVersion!, /^\d+$/);
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      const ns = list.items.find((n) => n.metadata?.name === name);
      assert.ok(ns, `namespace ${name} is listed`);
      assert.equal(ns.status?.phase, 'Active');
    }
  });

  test('apply of a multi-document manifest creates each object; re-apply after edits removes a container and changes env', async () => {
    const docs = loadAllYaml(APP) as KubernetesObject[];
    assert.equal(docs.length, 3);
    const created = [];
    for (const d of docs) created.push(await apply(objects, d));
    assert.deepEqual(created, ['deployment.apps/web created', 'service/web created', 'configmap/web-config created']);

    const before = await apps.readNamespacedDeployment({ name: 'web', namespace: NS });
    assert.equal(before.metadata?.generation, 1);
    assert.deepEqual(before.spec?.template.spec?.containers.map((c) => c.name), ['web', 'sidecar']);

    const again = [];
    for (const d of loadAllYaml(APP_EDITED) as KubernetesObject[]) again.push(await apply(objects, d));
    assert.deepEqual(again, ['deployment.apps/web configured', 'service/web unchanged', 'configmap/web-config unchanged']);

    const got = await apps.readNamespacedDeployment({ name: 'web', namespace: NS });
    const containers = got.spec!.template.spec!.containers;
    assert.deepEqual(containers.map((c) => c.name), ['web']);
    assert.equal(containers[0]!.env?.[0]?.value, 'staging');
    assert.equal(got.metadata?.generation, 2);
    assert.equal(JSON.parse(got.metadata!.annotations![LAST_APPLIED]!).spec.template.spec.containers[0].env[0].value, 'staging');
  });

  test('get: typed objects with Kubernetes defaults; the generic API reads and lists any kind', async () => {
    const d = await apps.readNamespacedDeployment({ name: 'web', namespace: NS });
    assert.equal(d.apiVersion, 'apps/v1');
    assert.equal(d.kind, 'Deployment');
    assert.match(d.metadata!.uid!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(d.metadata!.resourceVersion!, /^\d+$/);
    assert.ok(d.metadata!.creationTimestamp instanceof Date && !Number.isNaN(d.metadata!.creationTimestamp.getTime()), 'creationTimestamp decodes to a Date');
    assert.equal(d.spec?.strategy?.type, 'RollingUpdate');
    assert.equal(d.spec?.revisionHistoryLimit, 10);
    assert.equal(d.spec?.progressDeadlineSeconds, 600);
    const c = d.spec!.template.spec!.containers[0]!;
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.ports?.[0]?.protocol, 'TCP');
    assert.equal(d.spec!.template.spec!.restartPolicy, 'Always');

    const svc = await core.readNamespacedService({ name: 'web', namespace: NS });
    assert.equal(svc.spec?.type, 'ClusterIP');
    assert.equal(svc.spec?.ports?.[0]?.protocol, 'TCP');
    assert.equal(svc.spec?.ports?.[0]?.targetPort, 80);

    const cm = await objects.read<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: NS } });
    assert.equal(cm.data?.key, 'value');
    const list = await objects.list<V1Deployment>('apps/v1', 'Deployment', NS);
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['web']);
    assert.equal(list.items[0]!.spec?.replicas, 2);
  });

  test('list with label and field selectors, and paging with limit/continue', async () => {
    const byLabel = await apps.listNamespacedDeployment({ namespace: NS, labelSelector: 'app=web' });
    assert.deepEqual(byLabel.items.map((i) => i.metadata?.name), ['web']);
    const setBased = await apps.listNamespacedDeployment({ namespace: NS, labelSelector: 'app in (web,other),!tier' });
    assert.deepEqual(setBased.items.map((i) => i.metadata?.name), ['web']);
    const none = await apps.listNamespacedDeployment({ namespace: NS, labelSelector: 'app=nothing' });
    assert.deepEqual(none.items, []);

    const byField = await core.listNamespacedConfigMap({ namespace: NS, fieldSelector: 'metadata.name=web-config' });
    assert.deepEqual(byField.items.map((i) => i.metadata?.name), ['web-config']);
    const allNs = await core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.namespace=${NS},metadata.name=web-config` });
    assert.deepEqual(allNs.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`), [`${NS}/web-config`]);

    const bad = await apiError(core.listNamespacedConfigMap({ namespace: NS, fieldSelector: 'spec.bogus=1' }), 400);
    assert.equal(bad.reason, 'BadRequest');

    for (const n of ['page-a', 'page-b', 'page-c']) await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: n, labels: { page: 'yes' } } } });
    const p1 = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'page=yes', limit: 2 });
    assert.deepEqual(p1.items.map((i) => i.metadata?.name), ['page-a', 'page-b']);
    assert.ok(p1.metadata?._continue, 'the first page carries a continue token');
    const p2 = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'page=yes', limit: 2, _continue: p1.metadata!._continue });
    assert.deepEqual(p2.items.map((i) => i.metadata?.name), ['page-c']);
    assert.equal(p2.metadata?._continue, undefined);
  });

  test('create deployment, namespace, configmap, secret, job; then a service and an HPA', async () => {
    const ns = await core.createNamespace({ body: { metadata: { name: 'clientnode' } } });
    assert.equal(ns.status?.phase, 'Active');
    const d = await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: 'api', labels: { app: 'api' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'api' } },
          template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] } },
        },
      },
    });
    assert.equal(d.metadata?.generation, 1);
    assert.equal(d.spec?.template.spec?.containers[0]?.ports?.[0]?.containerPort, 8080);

    // A dry run answers with the object and stores nothing.
    const dry = await core.createNamespacedConfigMap({ namespace: 'clientnode', dryRun: 'All', body: { metadata: { name: 'c1' }, data: { a: '0' } } });
    assert.equal(dry.data?.a, '0');
    await apiError(core.readNamespacedConfigMap({ name: 'c1', namespace: 'clientnode' }), 404);
    const cm = await core.createNamespacedConfigMap({ namespace: 'clientnode', body: { metadata: { name: 'c1' }, data: { a: '1' } } });
    assert.equal(cm.metadata?.namespace, 'clientnode');
    assert.equal((await core.readNamespacedConfigMap({ name: 'c1', namespace: 'clientnode' })).data?.a, '1');

    await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 's1' }, data: { p: Buffer.from('x').toString('base64') } } });
    const s1 = await core.readNamespacedSecret({ name: 's1', namespace: NS });
    assert.equal(Buffer.from(s1.data!.p!, 'base64').toString(), 'x');
    assert.equal(s1.type, 'Opaque');

    const job = await batch.createNamespacedJob({
      namespace: NS,
      body: { metadata: { name: 'j1' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'j1', image: 'busybox', command: ['echo', 'hi'] }] } } } },
    });
    assert.equal(job.metadata?.generation, 1);
    assert.deepEqual(job.spec?.template.spec?.containers[0]?.command, ['echo', 'hi']);
    assert.deepEqual((await batch.listNamespacedJob({ namespace: NS })).items.map((j) => j.metadata?.name), ['j1']);

    const svc = await core.createNamespacedService({ namespace: NS, body: { metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] } } });
    assert.equal(svc.spec?.type, 'ClusterIP');
    assert.equal(svc.spec?.ports?.[0]?.targetPort, 8080);
  });

  test('a ClusterIP service is allocated a cluster IP', async () => {
    const svc = await core.readNamespacedService({ name: 'api', namespace: NS });
    assert.match(svc.spec?.clusterIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    assert.deepEqual(svc.spec?.clusterIPs, [svc.spec?.clusterIP]);
  });

  test('an HPA created through autoscaling/v1 reads back through v1 and v2', async () => {
    const hpa = await hpaV1.createNamespacedHorizontalPodAutoscaler({
      namespace: NS,
      body: { metadata: { name: 'api' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 } },
    });
    assert.equal(hpa.apiVersion, 'autoscaling/v1');
    assert.equal(hpa.spec?.targetCPUUtilizationPercentage, 80);
    const v1 = await hpaV1.readNamespacedHorizontalPodAutoscaler({ name: 'api', namespace: NS });
    assert.deepEqual([v1.spec?.minReplicas, v1.spec?.maxReplicas, v1.spec?.targetCPUUtilizationPercentage], [2, 5, 80]);
    // The same object through autoscaling/v2: the CPU target becomes a Resource metric.
    const v2 = await kc.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: 'api', namespace: NS });
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.deepEqual(v2.spec?.metrics?.map((m) => [m.type, m.resource?.name, m.resource?.target.type, m.resource?.target.averageUtilization]), [['Resource', 'cpu', 'Utilization', 80]]);
  });

  test('a secret\'s stringData is folded into data', async () => {
    const s2 = await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 's2' }, stringData: { user: 'admin' } } });
    assert.equal(Buffer.from(s2.data?.user ?? '', 'base64').toString(), 'admin');
    assert.equal(s2.stringData, undefined);
    const read = await core.readNamespacedSecret({ name: 's2', namespace: NS });
    assert.deepEqual({ ...read.data }, { user: Buffer.from('admin').toString('base64') });
    assert.equal(read.stringData, undefined);
  });

  test('a job gets Kubernetes\' defaults, and the selector and template labels generated from its uid', async () => {
    const job = await batch.readNamespacedJob({ name: 'j1', namespace: NS });
    assert.deepEqual(
      [job.spec?.completions, job.spec?.parallelism, job.spec?.backoffLimit, job.spec?.completionMode, job.spec?.suspend],
      [1, 1, 6, 'NonIndexed', false],
    );
    assert.equal(job.spec?.template.spec?.containers[0]?.terminationMessagePath, '/dev/termination-log');
    assert.equal(job.spec?.template.spec?.dnsPolicy, 'ClusterFirst');
    assert.equal(job.spec?.selector?.matchLabels?.['batch.kubernetes.io/controller-uid'], job.metadata?.uid);
    assert.equal(job.spec?.template.metadata?.labels?.['batch.kubernetes.io/controller-uid'], job.metadata?.uid);
    assert.equal(job.spec?.template.metadata?.labels?.['batch.kubernetes.io/job-name'], 'j1');
    assert.equal(job.spec?.template.metadata?.labels?.['job-name'], 'j1');
  });

  test('a job whose pods would restart Always is invalid', async () => {
    const inv = await apiError(
      batch.createNamespacedJob({ namespace: NS, body: { metadata: { name: 'j-bad' }, spec: { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'c', image: 'busybox' }] } } } } }),
      422,
    );
    assert.equal(inv.reason, 'Invalid');
    assert.deepEqual(inv.details?.causes?.map((c) => [c.reason, c.field]), [['FieldValueNotSupported', 'spec.template.spec.restartPolicy']]);
    assert.equal(inv.message, 'Job.batch "j-bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
  });

  test('scale through the scale subresource (read, patch, replace)', async () => {
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: NS });
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.spec?.replicas, 2);
    assert.equal(scale.status?.selector, 'app=web');

    const patched = await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: NS, body: { spec: { replicas: 3 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    assert.equal(patched.spec?.replicas, 3);
    assert.equal((await apps.readNamespacedDeployment({ name: 'web', namespace: NS })).spec?.replicas, 3);

    const cur = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: NS });
    const replaced = await apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: NS, body: { ...cur, spec: { replicas: 4 } } });
    assert.equal(replaced.spec?.replicas, 4);
    const back = await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: NS, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
    assert.equal(back.spec?.replicas, 3);
  });

  test('a Scale carrying a stale resourceVersion conflicts like any other write', async () => {
    const cur = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: NS });
    await apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: { metadata: { annotations: { touched: 'yes' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const stale = await apiError(apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: NS, body: { ...cur, spec: { replicas: 5 } } }), 409).catch(async (e: unknown) => {
      // Put the replicas back so that later tests see what they expect, then fail.
      await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: NS, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
      throw e;
    });
    assert.equal(stale.reason, 'Conflict');
    assert.equal(stale.message, 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');
  });

  test('label, annotate, set image and patch (JSON, merge, strategic) change the object', async () => {
    const asMerge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const asStrategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    // label and annotate, as kubectl sends them: merge patches on metadata.
    await apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: { metadata: { labels: { tier: 'front' } } } }, asMerge);
    await apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: { metadata: { annotations: { note: 'hi' } } } }, asMerge);
    // set image: a strategic patch that finds the container by name.
    await apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } } }, asStrategic);
    await apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: { spec: { minReadySeconds: 5 } } }, asMerge);
    // The generated client's default patch type is JSON patch.
    await apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: [{ op: 'replace', path: '/spec/revisionHistoryLimit', value: 3 }] });
    const d = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'EXTRA', value: '1' }] }] } } } } },
      asStrategic,
    );
    assert.equal(d.metadata?.labels?.tier, 'front');
    assert.equal(d.metadata?.labels?.app, 'web');
    assert.equal(d.metadata?.annotations?.note, 'hi');
    const c = d.spec!.template.spec!.containers[0]!;
    assert.equal(c.image, 'nginx:1.28');
    assert.equal(d.spec?.minReadySeconds, 5);
    assert.equal(d.spec?.revisionHistoryLimit, 3);
    // Without $setElementOrder, Kubernetes puts the patch's entries before the server-only ones.
    assert.deepEqual(c.env?.map((e) => e.name), ['EXTRA', 'MODE']);
    assert.deepEqual(d.spec!.template.spec!.containers.map((x) => x.name), ['web']);

    // The generic API patches with any strategy; its default is strategic.
    const viaObjects = await objects.patch<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS, labels: { via: 'objects' } } });
    assert.equal(viaObjects.metadata?.labels?.via, 'objects');
    const viaMerge = await objects.patch<V1Deployment>(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS, labels: { via: null } } } as unknown as V1Deployment,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    assert.equal(viaMerge.metadata?.labels?.via, undefined);
    assert.equal(viaMerge.metadata?.labels?.tier, 'front');

    // A JSON patch whose test fails changes nothing.
    const failed = await apiError(apps.patchNamespacedDeployment({ name: 'web', namespace: NS, body: [{ op: 'test', path: '/spec/replicas', value: 99 }, { op: 'replace', path: '/spec/replicas', value: 99 }] }), 422);
    assert.equal(failed.reason, 'Invalid');
    const after = await apps.readNamespacedDeployment({ name: 'web', namespace: NS });
    assert.equal(after.metadata?.resourceVersion, viaMerge.metadata?.resourceVersion);
    assert.notEqual(after.spec?.replicas, 99);
  });

  test('watch configmaps and pods: ADDED, MODIFIED, DELETED in order, from a list resourceVersion', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: NS });
    const w = await record(kc, `/api/v1/namespaces/${NS}/configmaps`, { resourceVersion: list.metadata!.resourceVersion, allowWatchBookmarks: true });
    try {
      const c = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'watched' }, data: { x: '1' } } });
      const m = await core.patchNamespacedConfigMap({ name: 'watched', namespace: NS, body: { data: { x: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ name: 'watched', namespace: NS });
      await waitFor(() => w.events.filter((e) => e.object.metadata?.name === 'watched').length >= 3, 'three configmap events');
      const mine = w.events.filter((e) => e.object.metadata?.name === 'watched');
      assert.deepEqual(mine.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      assert.equal(mine[0]!.object.metadata?.resourceVersion, c.metadata?.resourceVersion);
      assert.equal(mine[1]!.object.metadata?.resourceVersion, m.metadata?.resourceVersion);
      assert.equal((mine[1]!.object as V1ConfigMap).data?.x, '2');
      assert.ok(Number(mine[2]!.object.metadata?.resourceVersion) > Number(m.metadata?.resourceVersion), 'the DELETED event carries the deletion revision');
      // Nothing from before the list's resourceVersion is replayed.
      assert.ok(w.events.every((e) => e.type !== 'ADDED' || e.object.metadata?.name === 'watched'), `unexpected events: ${w.events.map((e) => `${e.type} ${e.object.metadata?.name}`)}`);
      assert.equal(w.ended, undefined, 'the watch is still open');
    } finally {
      w.stop();
    }

    // Pods, with a label selector: leaving the selector reads as DELETED.
    const pl = await core.listNamespacedPod({ namespace: NS });
    const pw = await record(kc, `/api/v1/namespaces/${NS}/pods`, { resourceVersion: pl.metadata!.resourceVersion, labelSelector: 'watch=me' });
    try {
      await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'p1', labels: { watch: 'me' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
      await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'p2', labels: { watch: 'not-me' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
      await core.patchNamespacedPod({ name: 'p1', namespace: NS, body: { metadata: { annotations: { seen: 'yes' } } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
      await core.patchNamespacedPod({ name: 'p1', namespace: NS, body: { metadata: { labels: { watch: 'no-more' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.patchNamespacedPod({ name: 'p2', namespace: NS, body: { metadata: { labels: { watch: 'me' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      const deleted = await core.deleteNamespacedPod({ name: 'p2', namespace: NS, gracePeriodSeconds: 0 });
      // Pods answer a delete with the pod itself.
      assert.equal(deleted.kind, 'Pod');
      await waitFor(() => pw.events.length >= 5, 'five pod events');
      assert.deepEqual(pw.events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED p1', 'MODIFIED p1', 'DELETED p1', 'ADDED p2', 'DELETED p2']);
      assert.equal(pw.events[1]!.object.metadata?.annotations?.seen, 'yes');
      assert.equal(pw.events[0]!.object.kind, 'Pod');
    } finally {
      pw.stop();
    }
  });

  test('a watch with timeoutSeconds ends cleanly; a watch without resourceVersion starts with the current objects', async () => {
    const w = await record(kc, `/api/v1/namespaces/${NS}/configmaps`, { timeoutSeconds: 1, fieldSelector: 'metadata.name=web-config' });
    await waitFor(() => w.ended, 'the server to end the watch', 5_000);
    assert.equal(w.ended!.err, null);
    assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED web-config']);
  });

  test('an informer lists, then watches, and keeps its cache current', async () => {
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'inf-old', labels: { inf: 'yes' } }, data: { a: '1' } } });
    const informer = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${NS}/configmaps`, () => core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'inf=yes' }), 'inf=yes');
    const seen: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.a}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      assert.deepEqual(seen, ['add inf-old']);
      assert.equal(informer.get('inf-old', NS)?.data?.a, '1');

      await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'inf-new', labels: { inf: 'yes' } }, data: { a: '1' } } });
      await waitFor(() => informer.get('inf-new', NS), 'the informer to cache inf-new');
      await core.patchNamespacedConfigMap({ name: 'inf-new', namespace: NS, body: { data: { a: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await waitFor(() => informer.get('inf-new', NS)?.data?.a === '2', 'the informer to see the update');
      await core.deleteNamespacedConfigMap({ name: 'inf-old', namespace: NS });
      await waitFor(() => !informer.get('inf-old', NS), 'the informer to drop inf-old');
      assert.deepEqual(informer.list(NS).map((o) => o.metadata?.name), ['inf-new']);
      assert.deepEqual(seen, ['add inf-old', 'add inf-new', 'update inf-new 2', 'delete inf-old']);
      assert.deepEqual(errors, []);
    } finally {
      await informer.stop();
    }
  });

  test('delete removes objects (background cascade), waiting for the deletion returns, a stale precondition conflicts', async () => {
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'gone1' }, data: { a: '1' } } });
    await core.deleteNamespacedConfigMap({ name: 'gone1', namespace: NS });

    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'gone3' }, data: { a: '1' } } });
    const waiting = waitUntil(kc, `/api/v1/namespaces/${NS}/configmaps`, (fs) => core.listNamespacedConfigMap({ namespace: NS, fieldSelector: fs }), 'gone3', (o) => o === undefined, 'cm/gone3 to be deleted');
    await objects.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone3', namespace: NS } }, undefined, undefined, undefined, undefined, 'Background');
    assert.equal(await waiting, undefined);

    const nf = await apiError(core.readNamespacedConfigMap({ name: 'gone1', namespace: NS }), 404);
    assert.equal(nf.message, 'configmaps "gone1" not found');

    // A deployment, background cascade.
    await apps.createNamespacedDeployment({ namespace: NS, body: { metadata: { name: 'short' }, spec: { selector: { matchLabels: { a: 's' } }, template: { metadata: { labels: { a: 's' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } } });
    await apps.deleteNamespacedDeployment({ name: 'short', namespace: NS, propagationPolicy: 'Background' });
    await apiError(apps.readNamespacedDeployment({ name: 'short', namespace: NS }), 404);

    // deletecollection with a label selector removes exactly the matching objects.
    for (const n of ['dc-1', 'dc-2']) await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: n, labels: { dc: 'yes' } } } });
    await core.deleteCollectionNamespacedConfigMap({ namespace: NS, labelSelector: 'dc=yes' });
    assert.deepEqual((await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'dc=yes' })).items, []);
    assert.equal((await core.readNamespacedConfigMap({ name: 'web-config', namespace: NS })).metadata?.name, 'web-config');

    // A stale resourceVersion precondition refuses the delete.
    const keep = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'keep' }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'keep', namespace: NS, body: { data: { a: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const pre = await apiError(core.deleteNamespacedConfigMap({ name: 'keep', namespace: NS, body: { preconditions: { resourceVersion: keep.metadata!.resourceVersion } } }), 409);
    assert.equal(pre.reason, 'Conflict');
    assert.match(pre.message!, /^Operation cannot be fulfilled on configmaps "keep": Precondition failed: ResourceVersion in precondition: \d+, ResourceVersion in object meta: \d+$/);
  });

  test('delete answers with a Success Status naming the deleted object, as the client\'s V1Status return type says', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'gone2' }, data: { a: '1' } } });
    const st = await core.deleteNamespacedConfigMap({ name: 'gone2', namespace: NS });
    // Kubernetes (finalizeDelete): kind Status, status Success, details.kind is the resource, by design.
    assert.equal(st.kind, 'Status');
    assert.equal(st.apiVersion, 'v1');
    assert.equal(st.status, 'Success');
    assert.deepEqual({ ...st.details }, { name: 'gone2', kind: 'configmaps', uid: cm.metadata!.uid });
    const d = await apps.createNamespacedDeployment({ namespace: NS, body: { metadata: { name: 'short2' }, spec: { selector: { matchLabels: { a: 's' } }, template: { metadata: { labels: { a: 's' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } } });
    const ds = await apps.deleteNamespacedDeployment({ name: 'short2', namespace: NS });
    assert.equal(ds.kind, 'Status');
    assert.deepEqual({ ...ds.details }, { name: 'short2', group: 'apps', kind: 'deployments', uid: d.metadata!.uid });
  });

  test('wait for a field value and for a condition, through list-then-watch', async () => {
    const path = `/apis/apps/v1/namespaces/${NS}/deployments`;
    const list = (fs: string) => apps.listNamespacedDeployment({ namespace: NS, fieldSelector: fs });
    const replicas = waitUntil<V1Deployment>(kc, path, list, 'web', (o) => o?.spec?.replicas === 4, 'deploy/web to have 4 replicas');
    await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: NS, body: { spec: { replicas: 4 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    assert.equal((await replicas)?.spec?.replicas, 4);

    // A controller reports Available through the status subresource; the waiter sees the condition.
    const available = waitUntil<V1Deployment>(kc, path, list, 'web', (o) => !!o?.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True'), 'deploy/web to be Available');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const st = await apps.patchNamespacedDeploymentStatus(
      {
        name: 'web',
        namespace: NS,
        body: { status: { observedGeneration: 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: now, lastTransitionTime: now }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(st.status?.conditions?.[0]?.type, 'Available');
    const got = await available;
    // Watch events are plain JSON (no Date decoding), list items are decoded: compare the instant.
    assert.equal(new Date(got!.status!.conditions![0]!.lastTransitionTime as unknown as string).toISOString(), now.replace('Z', '.000Z'));
    // A status write does not touch the spec or the generation.
    assert.equal(got?.spec?.replicas, 4);
    assert.equal(got?.metadata?.generation, st.metadata?.generation);
  });

  test('errors: ApiException with the Status body (404 NotFound, 422 Invalid with causes, 409 Conflict and AlreadyExists)', async () => {
    const nf = await apiError(apps.readNamespacedDeployment({ name: 'nope', namespace: NS }), 404);
    assert.equal(nf.reason, 'NotFound');
    assert.equal(nf.message, 'deployments.apps "nope" not found');
    assert.deepEqual(nf.details, { name: 'nope', group: 'apps', kind: 'deployments' });

    const inv = await apiError(
      apps.createNamespacedDeployment({
        namespace: NS,
        body: { metadata: { name: 'bad' }, spec: { replicas: -1, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'z' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } },
      }),
      422,
    );
    assert.equal(inv.reason, 'Invalid');
    assert.equal(
      inv.message,
      'Deployment.apps "bad" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.metadata.labels: Invalid value: {"app":"z"}: `selector` does not match template `labels`]',
    );
    assert.equal(inv.details?.name, 'bad');
    assert.equal(inv.details?.group, 'apps');
    assert.equal(inv.details?.kind, 'Deployment');
    assert.deepEqual(inv.details?.causes, [
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: {"app":"z"}: `selector` does not match template `labels`', field: 'spec.template.metadata.labels' },
    ]);
    await apiError(apps.readNamespacedDeployment({ name: 'bad', namespace: NS }), 404);

    // 409 Conflict: a replace carrying a stale resourceVersion.
    const v1 = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cas' }, data: { n: '1' } } });
    const v2 = await core.replaceNamespacedConfigMap({ name: 'cas', namespace: NS, body: { ...v1, data: { n: '2' } } });
    assert.notEqual(v2.metadata?.resourceVersion, v1.metadata?.resourceVersion);
    const conflict = await apiError(core.replaceNamespacedConfigMap({ name: 'cas', namespace: NS, body: { ...v1, data: { n: '3' } } }), 409);
    assert.equal(conflict.reason, 'Conflict');
    assert.equal(conflict.message, 'Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again');
    // The same precondition in a merge patch.
    const patchConflict = await apiError(
      core.patchNamespacedConfigMap({ name: 'cas', namespace: NS, body: { metadata: { resourceVersion: v1.metadata!.resourceVersion }, data: { n: '4' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
      409,
    );
    assert.equal(patchConflict.reason, 'Conflict');
    assert.equal((await core.readNamespacedConfigMap({ name: 'cas', namespace: NS })).data?.n, '2');

    const exists = await apiError(core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cas' } } }), 409);
    assert.equal(exists.reason, 'AlreadyExists');
    assert.equal(exists.message, 'configmaps "cas" already exists');

    // The generic API raises the same typed error.
    const gnf = await apiError(objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nope', namespace: NS } }), 404);
    assert.equal(gnf.message, 'deployments.apps "nope" not found');
    // A namespace that does not exist.
    const nsnf = await apiError(core.createNamespacedConfigMap({ namespace: 'no-such-ns', body: { metadata: { name: 'x' } } }), 404);
    assert.equal(nsnf.message, 'namespaces "no-such-ns" not found');
  });

  test('Status details of a core resource carry no group (Kubernetes omits the empty field)', async () => {
    const nf = await apiError(core.readNamespacedConfigMap({ name: 'nope', namespace: NS }), 404);
    assert.deepEqual(nf.details, { name: 'nope', kind: 'configmaps' });
    const cur = await core.readNamespacedConfigMap({ name: 'cas', namespace: NS });
    const conflict = await apiError(core.replaceNamespacedConfigMap({ name: 'cas', namespace: NS, body: { ...cur, metadata: { ...cur.metadata, resourceVersion: '1' } } }), 409);
    assert.deepEqual(conflict.details, { name: 'cas', kind: 'configmaps' });
  });
});
