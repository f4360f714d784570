import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../defaults/index.ts';
import { aggregateMessage, errorString, statusCauses } from './field.ts';
import { validateCreate, validateUpdate } from './index.ts';
import { nginxDeployment } from './testdata.ts';

type Mutate = (o: any) => void;
const run = (kind: string, obj: unknown): string[] => validateCreate('apps/v1', kind, obj).map(errorString);

describe('Deployment', () => {
  const rows: [string, Mutate, string[]][] = [
    ['the nginx Deployment from the docs is valid', () => {}, []],
    ['replicas may not be negative', (d) => { d.spec.replicas = -1; }, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    ['a missing selector also fails to match the template', (d) => { delete d.spec.selector; }, [
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
    ]],
    ['an empty selector is invalid', (d) => { d.spec.selector = {}; }, ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']],
    ['the selector must match the template labels', (d) => { d.spec.selector.matchLabels = { app: 'web' }; }, [
      'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
    ]],
    ['a bad selector operator is reported and matching skipped', (d) => { d.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Is' }] }; }, [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator',
      'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Is"}]}: invalid label selector',
    ]],
    ['template restartPolicy must be Always', (d) => { d.spec.template.spec.restartPolicy = 'OnFailure'; }, [
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ]],
    ['template label problems are reported at template.labels', (d) => { d.spec.template.metadata.labels['bad key'] = 'x'; }, [
      `spec.template.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ]],
    ['template containers are validated', (d) => { d.spec.template.spec.containers[0].image = ''; }, [
      'spec.template.spec.containers[0].image: Required value',
    ]],
    ['strategy type is an enum', (d) => { d.spec.strategy = { type: 'BlueGreen' }; }, [
      'spec.strategy: Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"',
    ]],
    ['Recreate may not carry rollingUpdate', (d) => { d.spec.strategy.type = 'Recreate'; }, [
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ]],
    ['maxUnavailable and maxSurge may not both be 0', (d) => { d.spec.strategy.rollingUpdate = { maxUnavailable: 0, maxSurge: '0%' }; }, [
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ]],
    ['percentages must be well formed', (d) => { d.spec.strategy.rollingUpdate.maxSurge = '25'; }, [
      `spec.strategy.rollingUpdate.maxSurge: Invalid value: "25": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
    ]],
    ['maxUnavailable may not exceed 100%', (d) => { d.spec.strategy.rollingUpdate.maxUnavailable = '150%'; }, [
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    ]],
    ['revisionHistoryLimit may not be negative', (d) => { d.spec.revisionHistoryLimit = -1; }, [
      'spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
    ]],
    ['minReadySeconds may not be negative', (d) => { d.spec.minReadySeconds = -1; }, [
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
    ]],
    ['progressDeadlineSeconds must exceed minReadySeconds', (d) => { d.spec.minReadySeconds = 600; }, [
      'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
    ]],
  ];
  for (const [name, mutate, want] of rows) {
    test(name, () => {
      const d = nginxDeployment();
      mutate(d);
      assert.deepEqual(run('Deployment', d), want);
    });
  }
  test('the selector is immutable on update', () => {
    const old = nginxDeployment();
    const d = nginxDeployment();
    d.spec.selector.matchLabels.tier = 'web';
    d.spec.template.metadata.labels.tier = 'web';
    assert.deepEqual(validateUpdate('apps/v1', 'Deployment', d, old).map(errorString), [
      'spec.selector: Invalid value: {"matchLabels":{"app":"nginx","tier":"web"}}: field is immutable',
    ]);
  });
  test('the 422 message and causes for replicas -1', () => {
    const d = nginxDeployment();
    d.metadata.name = 'bad';
    d.spec.replicas = -1;
    const errs = validateCreate('apps/v1', 'Deployment', d);
    assert.equal(aggregateMessage('Deployment', 'bad', errs), 'The Deployment "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    assert.deepEqual(statusCauses(errs), [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
  });
});

function workload(kind: string, spec: object): any {
  const obj = {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      ...spec,
    },
  };
  applyDefaults('apps/v1', kind, obj);
  return obj;
}

describe('ReplicaSet, DaemonSet, StatefulSet', () => {
  const rows: [string, string, object, Mutate, string[]][] = [
    ['a minimal ReplicaSet is valid', 'ReplicaSet', {}, () => {}, []],
    ['ReplicaSet replicas may not be negative', 'ReplicaSet', { replicas: -2 }, () => {}, ['spec.replicas: Invalid value: -2: must be greater than or equal to 0']],
    ['ReplicaSet reuses the deployment wording for empty selectors', 'ReplicaSet', { selector: {} }, () => {}, [
      'spec.selector: Invalid value: {}: empty selector is invalid for deployment',
    ]],
    ['a minimal DaemonSet is valid', 'DaemonSet', {}, () => {}, []],
    ['DaemonSet surge and unavailable may not both be set', 'DaemonSet', {}, (o) => { o.spec.updateStrategy.rollingUpdate.maxSurge = 1; }, [
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
    ]],
    ['DaemonSet surge and unavailable may not both be 0', 'DaemonSet', {}, (o) => { o.spec.updateStrategy.rollingUpdate.maxUnavailable = 0; }, [
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ]],
    ['DaemonSet templates must restart Always', 'DaemonSet', {}, (o) => { o.spec.template.spec.restartPolicy = 'Never'; }, [
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]],
    ['a minimal StatefulSet is valid', 'StatefulSet', { serviceName: 'web' }, () => {}, []],
    ['StatefulSet podManagementPolicy is checked', 'StatefulSet', { podManagementPolicy: 'Random' }, () => {}, [
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
    ]],
    ['StatefulSet partition may not be negative', 'StatefulSet', {}, (o) => { o.spec.updateStrategy.rollingUpdate.partition = -1; }, [
      'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
    ]],
    ['StatefulSet names are DNS labels', 'StatefulSet', {}, (o) => { o.metadata.name = 'web.v1'; }, [
      'metadata.name: Invalid value: "web.v1": must not contain dots',
    ]],
  ];
  for (const [name, kind, spec, mutate, want] of rows) {
    test(name, () => {
      const o = workload(kind, spec);
      mutate(o);
      assert.deepEqual(run(kind, o), want);
    });
  }
  test('StatefulSet spec fields other than the allowed ones are frozen', () => {
    const old = workload('StatefulSet', { serviceName: 'a' });
    const ss = workload('StatefulSet', { serviceName: 'b' });
    assert.deepEqual(validateUpdate('apps/v1', 'StatefulSet', ss, old).map(errorString), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
  test('ReplicationController selector must match its template', () => {
    const rc = { metadata: { name: 'rc', namespace: 'default' }, spec: { selector: { app: 'x' }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    applyDefaults('v1', 'ReplicationController', rc);
    assert.deepEqual(validateCreate('v1', 'ReplicationController', rc).map(errorString), [
      'spec.template.metadata.labels: Invalid value: {"app":"y"}: `selector` does not match template `labels`',
    ]);
  });
});
