// The real kubectl (1.32, and 1.28 as the older client) against a real Skiff
// control plane: HTTPS, token auth, SQLite store. Each command must succeed
// with stderr free of errors and warnings unless the case is about an error,
// and print what Kubernetes would.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../support/cluster.ts';
import { hasKubectl, kubectlPath, kubectlRunner, type KubectlResult } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';
import { APP, APP_EDITED } from '../support/fixtures.ts';
import { spawn } from 'node:child_process';


function ok(r: KubectlResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed (${r.code}): ${r.stderr}`);
  assert.equal(r.stderr, '', `${what} wrote to stderr: ${r.stderr}`);
  return r.stdout;
}

const lines = (s: string) => s.trim().split('\n');
const header = (s: string) => lines(s)[0]!.split(/\s{2,}/);

for (const version of ['1.32', '1.28']) {
  describe(`kubectl ${version}`, { skip: hasKubectl(version) ? false : `kubectl ${version} is not installed at ${kubectlPath(version)}` }, () => {
    let cluster: TestCluster;
    let k: ReturnType<typeof kubectlRunner>;
    const file = (name: string, text: string) => {
      const p = join(cluster.dataDir, name);
      writeFileSync(p, text);
      return p;
    };

    before(async () => {
      cluster = await startTestCluster();
      k = kubectlRunner(version, cluster.kubeconfig);
    });
    after(async () => cluster.stop());

    test('api-versions and api-resources list the served groups and short names', async () => {
      const versions = lines(ok(await k(['api-versions']), 'api-versions'));
      for (const gv of ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1']) {
        assert.ok(versions.includes(gv), `api-versions lacks ${gv}`);
      }
      const res = ok(await k(['api-resources']), 'api-resources');
      assert.deepEqual(header(res), ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      assert.match(res, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(res, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
      assert.match(res, /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m);
    });

    test('get ns shows the system namespaces with Kubernetes columns', async () => {
      const out = ok(await k(['get', 'ns']), 'get ns');
      assert.deepEqual(header(out), ['NAME', 'STATUS', 'AGE']);
      for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(out, new RegExp(`^${ns}\\s+Active\\s+\\d+s$`, 'm'));
    });

    test('apply -f of a multi-document manifest creates each object; re-apply after edits removes a container and changes env', async () => {
      const p = file('app.yaml', APP);
      assert.deepEqual(lines(ok(await k(['apply', '-f', p]), 'apply')), ['deployment.apps/web created', 'service/web created', 'configmap/web-config created']);
      const p2 = file('app-edited.yaml', APP_EDITED);
      assert.deepEqual(lines(ok(await k(['apply', '-f', p2]), 're-apply')), ['deployment.apps/web configured', 'service/web unchanged', 'configmap/web-config unchanged']);
      const got = ok(await k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[*].name}|{.spec.template.spec.containers[0].env[0].value}|{.metadata.generation}']), 'get');
      assert.equal(got, 'web|staging|2');
    });

    test('apply --server-side creates, re-applies edits, reports field conflicts, and --force-conflicts takes the field', async () => {
      const ssa = APP.replaceAll('name: web', 'name: ssa').replaceAll('app: web', 'app: ssa');
      const p = file('ssa.yaml', ssa);
      assert.deepEqual(lines(ok(await k(['apply', '--server-side', '-f', p]), 'apply --server-side')), ['deployment.apps/ssa serverside-applied', 'service/ssa serverside-applied', 'configmap/ssa-config serverside-applied']);
      const mf = JSON.parse(ok(await k(['get', 'deploy', 'ssa', '-o', 'json', '--show-managed-fields']), 'get managed fields')).metadata.managedFields;
      assert.equal(mf[0].manager, 'kubectl');
      assert.equal(mf[0].operation, 'Apply');
      assert.ok(mf[0].fieldsV1['f:spec']['f:replicas'], 'the applier owns spec.replicas');
      const edited = file('ssa2.yaml', APP_EDITED.replaceAll('name: web', 'name: ssa').replaceAll('app: web', 'app: ssa'));
      ok(await k(['apply', '--server-side', '-f', edited]), 're-apply');
      assert.equal(ok(await k(['get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.template.spec.containers[*].name}|{.spec.template.spec.containers[0].env[0].value}']), 'get'), 'ssa|staging', 'the sidecar is gone and env changed');
      ok(await k(['scale', 'deploy', 'ssa', '--replicas=5']), 'scale');
      const conflict = await k(['apply', '--server-side', '-f', edited]);
      assert.equal(conflict.code, 1);
      // kubectl's user agent, hence the default manager, is its binary's name (kubectl.1.32 here).
      assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl[.\d]*" with subresource "scale" using apps\/v1: \.spec\.replicas/);
      ok(await k(['apply', '--server-side', '--force-conflicts', '-f', edited]), 'apply --force-conflicts');
      assert.equal(ok(await k(['get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.replicas}']), 'get'), '2');
    });

    test('get prints Kubernetes columns, -o wide adds the wide ones, -o yaml/json/jsonpath print the object', async () => {
      const out = ok(await k(['get', 'deploy']), 'get deploy');
      assert.deepEqual(header(out), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      assert.match(out, /^web\s+0\/2\s+0\s+0\s+\d+s$/m);
      const wide = ok(await k(['get', 'deploy', '-o', 'wide']), 'get -o wide');
      assert.deepEqual(header(wide), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
      assert.match(wide, /web\s+nginx:1\.27\s+app=web$/m);
      assert.deepEqual(header(ok(await k(['get', 'svc']), 'get svc')), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      const yaml = ok(await k(['get', 'cm', 'web-config', '-o', 'yaml']), 'get -o yaml');
      assert.match(yaml, /^kind: ConfigMap$/m);
      assert.match(yaml, /^  resourceVersion: "\d+"$/m);
      const json = JSON.parse(ok(await k(['get', 'cm', 'web-config', '-o', 'json']), 'get -o json'));
      assert.equal(json.data.key, 'value');
      assert.match(json.metadata.uid, /^[0-9a-f-]{36}$/);
    });

    test('get all lists the workloads and services in the namespace', async () => {
      const out = ok(await k(['get', 'all']), 'get all');
      assert.match(out, /^service\/web\s+ClusterIP/m);
      assert.match(out, /^deployment\.apps\/web\s+0\/2/m);
    });

    test('create deployment|namespace|configmap|secret|job, then expose and autoscale', async () => {
      ok(await k(['create', 'namespace', `ns-${version.replace('.', '-')}`]), 'create namespace');
      ok(await k(['create', 'deployment', 'api', '--image=nginx:1.27', '--replicas=2', '--port=8080']), 'create deployment');
      ok(await k(['create', 'configmap', 'c1', '--from-literal=a=1']), 'create configmap');
      ok(await k(['create', 'secret', 'generic', 's1', '--from-literal=p=x']), 'create secret');
      ok(await k(['create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi']), 'create job');
      assert.equal(ok(await k(['expose', 'deployment', 'api', '--port=80']), 'expose').trim(), 'service/api exposed');
      assert.equal(ok(await k(['autoscale', 'deployment', 'api', '--min=2', '--max=5', '--cpu-percent=80']), 'autoscale').trim(), 'horizontalpodautoscaler.autoscaling/api autoscaled');
      const secret = JSON.parse(ok(await k(['get', 'secret', 's1', '-o', 'json']), 'get secret'));
      assert.equal(Buffer.from(secret.data.p, 'base64').toString(), 'x');
      assert.equal(ok(await k(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort}']), 'get api'), '2 8080');
      const hpa = ok(await k(['get', 'hpa', 'api']), 'get hpa');
      assert.deepEqual(header(hpa), ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
      assert.match(hpa, /^api\s+Deployment\/api\s+cpu: <unknown>\/80%\s+2\s+5\s+0\s+\d+s$/m);
      // Stored once (as autoscaling/v2; kubectl 1.32 sends v2, 1.28 sends v1), served in both shapes.
      const path = (v: string) => `/apis/autoscaling/${v}/namespaces/default/horizontalpodautoscalers/api`;
      const v2 = JSON.parse(ok(await k(['get', '--raw', path('v2')]), 'get v2'));
      assert.equal(v2.apiVersion, 'autoscaling/v2');
      assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
      const v1 = JSON.parse(ok(await k(['get', '--raw', path('v1')]), 'get v1'));
      assert.equal(v1.apiVersion, 'autoscaling/v1');
      assert.equal(v1.spec.targetCPUUtilizationPercentage, 80);
      assert.equal(v1.metadata.resourceVersion, v2.metadata.resourceVersion);
    });

    test('scale, label, annotate, set image and patch (merge, json, strategic) change the object', async () => {
      ok(await k(['scale', 'deploy', 'web', '--replicas=3']), 'scale');
      ok(await k(['label', 'deploy', 'web', 'tier=front']), 'label');
      ok(await k(['annotate', 'deploy', 'web', 'note=hi']), 'annotate');
      ok(await k(['set', 'image', 'deploy/web', 'web=nginx:1.28']), 'set image');
      ok(await k(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"minReadySeconds":5}}']), 'merge patch');
      ok(await k(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":3}]']), 'json patch');
      ok(await k(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"EXTRA","value":"1"}]}]}}}}']), 'strategic patch');
      const got = ok(await k(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.metadata.labels.tier} {.metadata.annotations.note} {.spec.template.spec.containers[0].image} {.spec.minReadySeconds} {.spec.revisionHistoryLimit} {.spec.template.spec.containers[0].env[*].name}']), 'get');
      // Without $setElementOrder, Kubernetes puts the patch's entries before the server-only ones.
      assert.equal(got, '3 front hi nginx:1.28 5 3 EXTRA MODE');
    });

    test('diff shows only what an apply would change (server-side dry run), and --dry-run=server stores nothing', async () => {
      const p = file('diff.yaml', APP_EDITED.replace('replicas: 2', 'replicas: 7'));
      const r = await k(['diff', '-f', p]);
      assert.equal(r.code, 1, `diff exits 1 when there are differences: ${r.stderr}`);
      assert.match(r.stdout, /^-  replicas: \d+$/m);
      assert.match(r.stdout, /^\+  replicas: 7$/m);
      assert.doesNotMatch(r.stdout, /resourceVersion/);
      assert.equal(ok(await k(['create', 'cm', 'dry', '--from-literal=a=1', '--dry-run=server', '-o', 'name']), 'dry-run create').trim(), 'configmap/dry');
      assert.equal((await k(['get', 'cm', 'dry'])).code, 1);
    });

    test('get -w prints the current rows, then a row per change', async () => {
      const child = spawn(kubectlPath(version), ['--kubeconfig', cluster.kubeconfig, '--cache-dir', `${cluster.kubeconfig}.cache`, 'get', 'cm', '-w', '--request-timeout=0']);
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      try {
        await waitFor(() => /web-config/.test(out), 'the initial rows');
        ok(await k(['create', 'cm', 'watched', '--from-literal=x=1']), 'create cm');
        await waitFor(() => /^watched\s+1\s+\d+s$/m.test(out), 'the new configmap row');
        assert.equal(err, '');
      } finally {
        child.kill();
      }
    });

    // --cascade=orphan and =foreground wait for the garbage collector to clear
    // their finalizers; they are tested with it (workload controllers issue).
    test('delete removes objects (background cascade) and wait --for=delete returns', async () => {
      ok(await k(['create', 'cm', 'gone1', '--from-literal=a=1']), 'create');
      assert.equal(ok(await k(['delete', 'cm', 'gone1']), 'delete').trim(), 'configmap "gone1" deleted');
      ok(await k(['create', 'cm', 'gone3', '--from-literal=a=1']), 'create');
      assert.equal(ok(await k(['delete', 'cm', 'gone3', '--cascade=background']), 'delete background').trim(), 'configmap "gone3" deleted');
      ok(await k(['wait', '--for=delete', 'cm/gone3', '--timeout=5s']), 'wait for delete');
      // A namespace goes once the namespace controller has emptied it; kubectl waits for that.
      const ns = `gone-${version.replace('.', '-')}`;
      ok(await k(['create', 'namespace', ns]), 'create ns');
      ok(await k(['create', 'cm', 'inside', '-n', ns, '--from-literal=a=1']), 'create cm in ns');
      assert.equal(ok(await k(['delete', 'namespace', ns]), 'delete ns').trim(), `namespace "${ns}" deleted`);
      assert.equal((await k(['get', 'namespace', ns])).code, 1);
      const r = await k(['get', 'cm', 'gone1']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), 'Error from server (NotFound): configmaps "gone1" not found');
    });

    test('delete --cascade=orphan keeps dependents, =foreground deletes them first, =background lets the garbage collector follow', async () => {
      // An owner ConfigMap and two dependents that name it in ownerReferences.
      const family = async (owner: string) => {
        ok(await k(['create', 'cm', owner, '--from-literal=a=1']), 'create owner');
        const uid = ok(await k(['get', 'cm', owner, '-o', 'jsonpath={.metadata.uid}']), 'owner uid');
        for (const d of ['d1', 'd2']) {
          const dep = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${owner}-${d}\n  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: ${owner}, uid: ${uid}, blockOwnerDeletion: true}\n`;
          ok(await k(['create', '-f', file(`${owner}-${d}.yaml`, dep)]), 'create dependent');
        }
      };
      const exists = async (name: string) => (await k(['get', 'cm', name, '-o', 'name'])).code === 0;

      await family('orph');
      assert.equal(ok(await k(['delete', 'cm', 'orph', '--cascade=orphan']), 'delete orphan').trim(), 'configmap "orph" deleted');
      assert.equal(await exists('orph'), false);
      assert.equal(await exists('orph-d1'), true);
      assert.equal(ok(await k(['get', 'cm', 'orph-d1', '-o', 'jsonpath={.metadata.ownerReferences}']), 'refs'), '', 'the orphans no longer name their owner');

      await family('fg');
      assert.equal(ok(await k(['delete', 'cm', 'fg', '--cascade=foreground']), 'delete foreground').trim(), 'configmap "fg" deleted');
      for (const n of ['fg', 'fg-d1', 'fg-d2']) assert.equal(await exists(n), false, `${n} is gone`);

      await family('bg');
      assert.equal(ok(await k(['delete', 'cm', 'bg', '--cascade=background']), 'delete background').trim(), 'configmap "bg" deleted');
      ok(await k(['wait', '--for=delete', 'cm/bg-d1', 'cm/bg-d2', '--timeout=10s']), 'dependents collected');
    });

    test('wait --for=jsonpath and --for=condition-free checks return once they hold', async () => {
      ok(await k(['scale', 'deploy', 'web', '--replicas=4']), 'scale');
      ok(await k(['wait', '--for=jsonpath={.spec.replicas}=4', 'deploy/web', '--timeout=5s']), 'wait jsonpath');
    });

    test('describe shows an object the way Kubernetes lays it out', async () => {
      const out = ok(await k(['describe', 'deploy', 'web']), 'describe deploy');
      assert.match(out, /^Name:\s+web$/m);
      assert.match(out, /^Namespace:\s+default$/m);
      assert.match(out, /^Selector:\s+app=web$/m);
      assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
      assert.match(out, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
      assert.match(out, /^Events:\s+<none>$/m);
      const ns = ok(await k(['describe', 'ns', 'default']), 'describe ns');
      assert.match(ns, /^Status:\s+Active$/m);
    });

    test('wait --for=condition returns once the status subresource sets the condition', async () => {
      const cond = '{"status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable","message":"ok"}]}}';
      ok(await k(['patch', 'deploy', 'web', '--subresource=status', '--type=merge', '-p', cond]), 'patch status');
      assert.equal(ok(await k(['wait', '--for=condition=Available', 'deploy/web', '--timeout=5s']), 'wait condition').trim(), 'deployment.apps/web condition met');
      const spec = ok(await k(['get', 'deploy', 'web', '-o', 'jsonpath={.status.conditions[0].type}']), 'get');
      assert.equal(spec, 'Available');
    });

    test('explain shows the schema of a field', async () => {
      const out = ok(await k(['explain', 'deployment.spec']), 'explain');
      assert.match(out, /KIND:\s+Deployment/);
      assert.match(out, /replicas\s+<integer>/);
      assert.match(out, /template\s+<PodTemplateSpec> -required-/);
    });

    test('bad input: invalid values, wrong types and unknown fields get Kubernetes errors and store nothing', async () => {
      const bad = file('bad.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad}\nspec:\n  replicas: -1\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: z}}\n    spec: {containers: [{name: c, image: i}]}\n');
      const r1 = await k(['apply', '-f', bad]);
      assert.equal(r1.code, 1);
      assert.match(r1.stderr, /The Deployment "bad" is invalid: \n\* spec\.replicas: Invalid value: -1: must be greater than or equal to 0\n\* spec\.template\.metadata\.labels: Invalid value: \{"app":"z"\}: `selector` does not match template `labels`/);
      // kubectl decodes -f files itself and would catch this first: --raw sends the body as is.
      const typed = file('typed.json', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typed","labels":{"on":true}}}');
      const r2 = await k(['create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', typed]);
      assert.equal(r2.code, 1);
      assert.match(r2.stderr, /Error from server \(BadRequest\): ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct field ObjectMeta\.metadata\.labels of type string/);
      const unk = file('unknown.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unk}\ndata: {a: b}\nfoo: bar\n');
      const r3 = await k(['apply', '-f', unk]);
      assert.equal(r3.code, 1);
      assert.match(r3.stderr, /strict decoding error: unknown field "foo"/);
      for (const name of ['bad', 'typed', 'unk']) {
        const kind = name === 'bad' ? 'deploy' : 'cm';
        assert.equal((await k(['get', kind, name])).code, 1, `${name} must not exist`);
      }
      const warn = await k(['create', '-f', unk, '--validate=warn']);
      assert.equal(warn.code, 0);
      assert.equal(warn.stderr.trim(), 'Warning: unknown field "foo"');
    });

    test('selectors: -l and --field-selector filter lists', async () => {
      assert.match(ok(await k(['get', 'deploy', '-l', 'app=web']), 'get -l'), /^web\s/m);
      assert.equal(ok(await k(['get', 'deploy', '-l', 'app=nothing', '-o', 'name']), 'get -l none'), '');
      assert.equal(ok(await k(['get', 'cm', '--field-selector', 'metadata.name=web-config', '-o', 'name']), 'field selector').trim(), 'configmap/web-config');
      const r = await k(['get', 'cm', '--field-selector', 'spec.bogus=1']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /BadRequest/);
    });
  });
}
