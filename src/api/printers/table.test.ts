import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hasPrinter, printTable } from './table.ts';
import { DOC } from './descriptions.ts';

const now = new Date('2024-06-01T12:00:00Z');

/** Column names as Kubernetes defines them, wide (priority 1) ones marked with a trailing "*". */
const HEADERS: [string, string, string[]][] = [
  ['v1', 'Pod', ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']],
  ['apps/v1', 'Deployment', ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']],
  ['apps/v1', 'ReplicaSet', ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']],
  ['v1', 'ReplicationController', ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']],
  [
    'apps/v1',
    'DaemonSet',
    ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*'],
  ],
  ['apps/v1', 'StatefulSet', ['Name', 'Ready', 'Age', 'Containers*', 'Images*']],
  ['v1', 'Service', ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']],
  ['v1', 'Endpoints', ['Name', 'Endpoints', 'Age']],
  ['discovery.k8s.io/v1', 'EndpointSlice', ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']],
  [
    'v1',
    'Node',
    ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*'],
  ],
  ['v1', 'Event', ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']],
  ['events.k8s.io/v1', 'Event', ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']],
  ['v1', 'Namespace', ['Name', 'Status', 'Age']],
  ['v1', 'ConfigMap', ['Name', 'Data', 'Age']],
  ['v1', 'Secret', ['Name', 'Type', 'Data', 'Age']],
  ['v1', 'ServiceAccount', ['Name', 'Secrets', 'Age']],
  [
    'v1',
    'PersistentVolumeClaim',
    ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode*'],
  ],
  ['v1', 'ResourceQuota', ['Name', 'Request', 'Limit', 'Age']],
  ['v1', 'LimitRange', ['Name', 'Created At']],
  ['coordination.k8s.io/v1', 'Lease', ['Name', 'Holder', 'Age']],
  ['batch/v1', 'Job', ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']],
  [
    'batch/v1',
    'CronJob',
    ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers*', 'Images*', 'Selector*'],
  ],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']],
  ['autoscaling/v1', 'HorizontalPodAutoscaler', ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']],
  ['rbac.authorization.k8s.io/v1', 'Role', ['Name', 'Created At']],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', ['Name', 'Created At']],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', ['Name', 'Role', 'Age', 'Users*', 'Groups*', 'ServiceAccounts*']],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', ['Name', 'Role', 'Age', 'Users*', 'Groups*', 'ServiceAccounts*']],
  ['policy/v1', 'PodDisruptionBudget', ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']],
  ['example.com/v1', 'Widget', ['Name', 'Age']],
];

describe('column headers and priorities per kind', () => {
  for (const [apiVersion, kind, want] of HEADERS) {
    test(`${apiVersion} ${kind}`, () => {
      const { columnDefinitions } = printTable(apiVersion, kind, [], { now });
      assert.deepEqual(
        columnDefinitions.map((c) => c.name + (c.priority === 1 ? '*' : '')),
        want,
      );
      for (const c of columnDefinitions) {
        assert.deepEqual(Object.keys(c).sort(), ['description', 'format', 'name', 'priority', 'type']);
        assert.ok(c.description.length > 0, `${c.name} has a description`);
      }
    });
  }
});

describe('column types and formats', () => {
  function types(apiVersion: string, kind: string): string[] {
    return printTable(apiVersion, kind, [], { now }).columnDefinitions.map((c) => `${c.name}:${c.type}${c.format ? `/${c.format}` : ''}`);
  }
  test('Name is string/name and Age a string with the creationTimestamp description', () => {
    const cols = printTable('v1', 'ConfigMap', [], { now }).columnDefinitions;
    assert.deepEqual(cols[0], { name: 'Name', type: 'string', format: 'name', description: DOC.name, priority: 0 });
    assert.deepEqual(cols[2], { name: 'Age', type: 'string', format: '', description: DOC.creationTimestamp, priority: 0 });
  });
  test('ReplicaSet counts are integer columns', () => {
    assert.deepEqual(types('apps/v1', 'ReplicaSet').slice(0, 4), ['Name:string/name', 'Desired:integer', 'Current:integer', 'Ready:integer']);
  });
  test('CronJob Suspend is boolean and Active integer', () => {
    assert.deepEqual(types('batch/v1', 'CronJob').slice(3, 5), ['Suspend:boolean', 'Active:integer']);
  });
  test('Event Name is a wide string/name column', () => {
    const cols = printTable('v1', 'Event', [], { now }).columnDefinitions;
    assert.deepEqual(cols.at(-1), { name: 'Name', type: 'string', format: 'name', description: DOC.name, priority: 1 });
  });
  test('the Created At table (Role, LimitRange) is a date column', () => {
    assert.deepEqual(types('rbac.authorization.k8s.io/v1', 'Role'), ['Name:string/name', 'Created At:date']);
  });
  test('unknown kinds get the custom-resource default Age column', () => {
    const cols = printTable('example.com/v1', 'Widget', [], { now }).columnDefinitions;
    assert.deepEqual(cols[1], {
      name: 'Age',
      type: 'date',
      format: '',
      description: 'Custom resource definition column (in JSONPath format): .metadata.creationTimestamp',
      priority: 0,
    });
    assert.equal(hasPrinter('example.com/v1', 'Widget'), false);
    assert.equal(hasPrinter('apps/v1', 'Deployment'), true);
  });
});

describe('printTable', () => {
  test('one row per object, in order, cells only', () => {
    const objs = [
      { metadata: { name: 'a', creationTimestamp: '2024-06-01T11:59:00Z' }, data: { x: '1' } },
      { metadata: { name: 'b', creationTimestamp: '2024-05-30T12:00:00Z' } },
    ];
    const { rows } = printTable('v1', 'ConfigMap', objs, { now });
    assert.deepEqual(rows, [{ cells: ['a', 1, '60s'] }, { cells: ['b', 0, '2d'] }]);
  });
  test('noHeaders leaves the column definitions out but keeps every cell', () => {
    const { columnDefinitions, rows } = printTable('v1', 'Namespace', [{ metadata: { name: 'n' } }], { now, noHeaders: true });
    assert.deepEqual(columnDefinitions, []);
    assert.deepEqual(rows, [{ cells: ['n', 'Active', '<unknown>'] }]);
  });
  test('Created At cells are RFC 3339 UTC without fractions', () => {
    const { rows } = printTable('rbac.authorization.k8s.io/v1', 'ClusterRole', [{ metadata: { name: 'r', creationTimestamp: '2024-05-01T10:00:00Z' } }], { now });
    assert.deepEqual(rows[0]?.cells, ['r', '2024-05-01T10:00:00Z']);
  });
  test('unknown kinds print name and age, null age when there is no timestamp', () => {
    const { rows } = printTable('example.com/v1', 'Widget', [{ metadata: { name: 'w', creationTimestamp: '2024-06-01T11:00:00Z' } }, { metadata: { name: 'x' } }], { now });
    assert.deepEqual(rows.map((r) => r.cells), [['w', '60m'], ['x', null]]);
  });
  test('column definitions are fresh copies', () => {
    const a = printTable('v1', 'Pod', [], { now }).columnDefinitions;
    (a[0] as { name: string }).name = 'changed';
    assert.equal(printTable('v1', 'Pod', [], { now }).columnDefinitions[0]?.name, 'Name');
  });
});
