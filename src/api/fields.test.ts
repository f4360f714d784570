import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkFieldsSupported,
  convertFieldSelector,
  escapeFieldValue,
  everythingFields,
  FieldSelector,
  FieldSelectorError,
  fieldSelectorFromSet,
  objectFields,
  parseFieldSelector,
  unescapeFieldValue,
  type FieldRequirement,
} from './fields.ts';

describe('parseFieldSelector: requirements and canonical form', () => {
  const rows: Array<[name: string, input: string, requirements: FieldRequirement[], canonical: string]> = [
    ['docs: metadata.name=my-service', 'metadata.name=my-service', [{ field: 'metadata.name', operator: '=', value: 'my-service' }], 'metadata.name=my-service'],
    ['docs: metadata.namespace!=default', 'metadata.namespace!=default', [{ field: 'metadata.namespace', operator: '!=', value: 'default' }], 'metadata.namespace!=default'],
    ['docs: status.phase=Pending', 'status.phase=Pending', [{ field: 'status.phase', operator: '=', value: 'Pending' }], 'status.phase=Pending'],
    [
      'docs: chained selectors come out sorted by term',
      'status.phase!=Running,spec.restartPolicy=Always',
      [
        { field: 'spec.restartPolicy', operator: '=', value: 'Always' },
        { field: 'status.phase', operator: '!=', value: 'Running' },
      ],
      'spec.restartPolicy=Always,status.phase!=Running',
    ],
    ['== is kept in the requirement but printed as =', 'a==b', [{ field: 'a', operator: '==', value: 'b' }], 'a=b'],
    ['empty value', 'spec.nodeName=', [{ field: 'spec.nodeName', operator: '=', value: '' }], 'spec.nodeName='],
    ['empty field name is accepted', '=x', [{ field: '', operator: '=', value: 'x' }], '=x'],
    ['first operator splits the term', 'a!=b', [{ field: 'a', operator: '!=', value: 'b' }], 'a!=b'],
    ['escaped comma is part of the value', 'a=x\\,y', [{ field: 'a', operator: '=', value: 'x,y' }], 'a=x\\,y'],
    ['escaped equals is part of the value', 'a=x\\=y', [{ field: 'a', operator: '=', value: 'x=y' }], 'a=x\\=y'],
    ['escaped backslash is part of the value', 'a=x\\\\y', [{ field: 'a', operator: '=', value: 'x\\y' }], 'a=x\\\\y'],
    ['escaped backslash before a real comma', 'a=x\\\\,b=y', [{ field: 'a', operator: '=', value: 'x\\' }, { field: 'b', operator: '=', value: 'y' }], 'a=x\\\\,b=y'],
    ['whitespace is kept, not trimmed', 'metadata.name = foo', [{ field: 'metadata.name ', operator: '=', value: ' foo' }], 'metadata.name = foo'],
    ['empty terms are skipped', ',a=b,,', [{ field: 'a', operator: '=', value: 'b' }], 'a=b'],
    ['empty string is the empty selector', '', [], ''],
  ];
  for (const [name, input, requirements, canonical] of rows) {
    test(name, () => {
      const sel = parseFieldSelector(input);
      assert.deepEqual(sel.requirements, requirements);
      assert.equal(sel.toString(), canonical);
      assert.equal(sel.isEmpty(), requirements.length === 0);
      assert.equal(parseFieldSelector(canonical).toString(), canonical, 'canonical form re-parses to itself');
    });
  }
});

describe('parseFieldSelector: errors', () => {
  const rows: Array<[name: string, input: string, message: string]> = [
    ['no operator', 'foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['the message quotes the whole selector', 'a=b,foo', "invalid selector: 'a=b,foo'; can't understand 'foo'"],
    ['label-selector syntax is not field-selector syntax', 'a in (b)', "invalid selector: 'a in (b)'; can't understand 'a in (b)'"],
    ['a lone ! is not an operator', 'a!b', "invalid selector: 'a!b'; can't understand 'a!b'"],
    ['unescaped = in the value (shown as its code point)', 'a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['=== leaves an unescaped = in the value', 'a===b', 'invalid field selector: unescaped character in value: 61'],
    ['unknown escape', 'a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['dangling backslash', 'a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [name, input, message] of rows) {
    test(name, () => {
      assert.throws(() => parseFieldSelector(input), (e: unknown) => e instanceof FieldSelectorError && e.message === message);
    });
  }
});

describe('escapeFieldValue / unescapeFieldValue', () => {
  const rows: Array<[name: string, raw: string, escaped: string]> = [
    ['plain text is unchanged', 'my-service', 'my-service'],
    ['comma', 'a,b', 'a\\,b'],
    ['equals', 'a=b', 'a\\=b'],
    ['backslash', 'a\\b', 'a\\\\b'],
    ['all three together', '\\,=', '\\\\\\,\\='],
    ['other punctuation is left alone', 'a!b c(d)', 'a!b c(d)'],
  ];
  for (const [name, raw, escaped] of rows) {
    test(name, () => {
      assert.equal(escapeFieldValue(raw), escaped);
      assert.equal(unescapeFieldValue(escaped), raw);
      const sel = fieldSelectorFromSet({ 'metadata.name': raw });
      assert.deepEqual(parseFieldSelector(sel.toString()).requirements, sel.requirements, 'survives a round trip through the string form');
    });
  }
});

describe('FieldSelector.matches', () => {
  const rows: Array<[name: string, selector: string, fields: Record<string, string>, want: boolean]> = [
    ['docs: name equals', 'metadata.name=my-service', { 'metadata.name': 'my-service' }, true],
    ['docs: name differs', 'metadata.name=my-service', { 'metadata.name': 'other' }, false],
    ['docs: namespace not default', 'metadata.namespace!=default', { 'metadata.namespace': 'kube-system' }, true],
    ['docs: namespace is default', 'metadata.namespace!=default', { 'metadata.namespace': 'default' }, false],
    ['docs: phase is Pending', 'status.phase=Pending', { 'status.phase': 'Pending' }, true],
    ['docs: chained, both hold', 'status.phase!=Running,spec.restartPolicy=Always', { 'status.phase': 'Pending', 'spec.restartPolicy': 'Always' }, true],
    ['docs: chained, phase is Running', 'status.phase!=Running,spec.restartPolicy=Always', { 'status.phase': 'Running', 'spec.restartPolicy': 'Always' }, false],
    ['docs: chained, restartPolicy differs', 'status.phase!=Running,spec.restartPolicy=Always', { 'status.phase': 'Pending', 'spec.restartPolicy': 'Never' }, false],
    ['== matches like =', 'a==b', { a: 'b' }, true],
    ['a missing field compares as "" for =', 'spec.nodeName=', {}, true],
    ['a missing field compares as "" for !=', 'spec.nodeName!=', {}, false],
    ['a missing field differs from a value', 'spec.nodeName!=node-1', {}, true],
    ['escaped value matches the literal', 'metadata.name=a\\,b', { 'metadata.name': 'a,b' }, true],
    ['a field named like an Object.prototype member is missing', 'constructor=', {}, true],
    ['empty selector matches everything', '', { a: 'b' }, true],
  ];
  for (const [name, selector, fields, want] of rows) {
    test(name, () => assert.equal(parseFieldSelector(selector).matches(fields), want));
  }
});

describe('FieldSelector.requiresExactMatch', () => {
  const rows: Array<[name: string, selector: string, field: string, want: string | undefined]> = [
    ['= gives the value', 'metadata.name=foo', 'metadata.name', 'foo'],
    ['== gives the value', 'spec.nodeName==n1', 'spec.nodeName', 'n1'],
    ['!= gives nothing', 'spec.nodeName!=n1', 'spec.nodeName', undefined],
    ['another field gives nothing', 'metadata.name=foo', 'spec.nodeName', undefined],
    ['an = after a != on the same field still counts', 'spec.nodeName!=n1,spec.nodeName=n2', 'spec.nodeName', 'n2'],
    ['the empty value is a value', 'spec.nodeName=', 'spec.nodeName', ''],
  ];
  for (const [name, selector, field, want] of rows) {
    test(name, () => assert.equal(parseFieldSelector(selector).requiresExactMatch(field), want));
  }
});

describe('fieldSelectorFromSet and everythingFields', () => {
  const rows: Array<[name: string, sel: FieldSelector, canonical: string, empty: boolean]> = [
    ['everythingFields is empty', everythingFields, '', true],
    ['a fresh FieldSelector is empty', new FieldSelector(), '', true],
    ['undefined set is empty', fieldSelectorFromSet(undefined), '', true],
    ['set pairs become = with escaped values', fieldSelectorFromSet({ 'metadata.name': 'a=b' }), 'metadata.name=a\\=b', false],
  ];
  for (const [name, sel, canonical, empty] of rows) {
    test(name, () => {
      assert.equal(sel.toString(), canonical);
      assert.equal(sel.isEmpty(), empty);
    });
  }
});

describe('objectFields', () => {
  const meta = { name: 'n', namespace: 'ns' };
  const rows: Array<[name: string, apiVersion: string, kind: string, obj: any, want: Record<string, string>]> = [
    ['unknown kind: name and namespace only', 'v1', 'ConfigMap', { metadata: meta }, { 'metadata.name': 'n', 'metadata.namespace': 'ns' }],
    ['custom resource: name and namespace only', 'example.com/v1', 'Widget', { metadata: meta }, { 'metadata.name': 'n', 'metadata.namespace': 'ns' }],
    ['missing metadata gives empty strings', 'v1', 'ConfigMap', {}, { 'metadata.name': '', 'metadata.namespace': '' }],
    [
      'Pod',
      'v1',
      'Pod',
      {
        metadata: meta,
        spec: { nodeName: 'node-1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'sa', hostNetwork: true },
        status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], nominatedNodeName: 'node-2' },
      },
      {
        'metadata.name': 'n',
        'metadata.namespace': 'ns',
        'spec.nodeName': 'node-1',
        'spec.restartPolicy': 'Always',
        'spec.schedulerName': 'default-scheduler',
        'spec.serviceAccountName': 'sa',
        'spec.hostNetwork': 'true',
        'status.phase': 'Running',
        'status.podIP': '10.0.0.1',
        'status.nominatedNodeName': 'node-2',
      },
    ],
    [
      'Pod with nothing set: hostNetwork is "false", the rest ""',
      'v1',
      'Pod',
      { metadata: meta },
      {
        'metadata.name': 'n',
        'metadata.namespace': 'ns',
        'spec.nodeName': '',
        'spec.restartPolicy': '',
        'spec.schedulerName': '',
        'spec.serviceAccountName': '',
        'spec.hostNetwork': 'false',
        'status.phase': '',
        'status.podIP': '',
        'status.nominatedNodeName': '',
      },
    ],
    [
      'Pod: podIP is used when podIPs is empty, and serviceAccount stands in for serviceAccountName',
      'v1',
      'Pod',
      { metadata: meta, spec: { serviceAccount: 'legacy' }, status: { podIP: '10.0.0.9' } },
      {
        'metadata.name': 'n',
        'metadata.namespace': 'ns',
        'spec.nodeName': '',
        'spec.restartPolicy': '',
        'spec.schedulerName': '',
        'spec.serviceAccountName': 'legacy',
        'spec.hostNetwork': 'false',
        'status.phase': '',
        'status.podIP': '10.0.0.9',
        'status.nominatedNodeName': '',
      },
    ],
    [
      'Event (core/v1)',
      'v1',
      'Event',
      {
        metadata: meta,
        involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'u1', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'spec.containers{c}' },
        reason: 'Scheduled',
        reportingComponent: 'default-scheduler',
        source: { component: 'kubelet' },
        type: 'Normal',
      },
      {
        'metadata.name': 'n',
        'metadata.namespace': 'ns',
        'involvedObject.kind': 'Pod',
        'involvedObject.namespace': 'ns',
        'involvedObject.name': 'p',
        'involvedObject.uid': 'u1',
        'involvedObject.apiVersion': 'v1',
        'involvedObject.resourceVersion': '7',
        'involvedObject.fieldPath': 'spec.containers{c}',
        reason: 'Scheduled',
        reportingComponent: 'default-scheduler',
        source: 'kubelet',
        type: 'Normal',
      },
    ],
    [
      'Event without source.component: source falls back to reportingComponent',
      'v1',
      'Event',
      { metadata: meta, reportingComponent: 'ctrl' },
      {
        'metadata.name': 'n',
        'metadata.namespace': 'ns',
        'involvedObject.kind': '',
        'involvedObject.namespace': '',
        'involvedObject.name': '',
        'involvedObject.uid': '',
        'involvedObject.apiVersion': '',
        'involvedObject.resourceVersion': '',
        'involvedObject.fieldPath': '',
        reason: '',
        reportingComponent: 'ctrl',
        source: 'ctrl',
        type: '',
      },
    ],
    [
      'events.k8s.io Event uses the core field names',
      'events.k8s.io/v1',
      'Event',
      { metadata: meta, regarding: { kind: 'Node', name: 'n1' }, reason: 'R', reportingController: 'ctrl', type: 'Warning' },
      {
        'metadata.name': 'n',
        'metadata.namespace': 'ns',
        'involvedObject.kind': 'Node',
        'involvedObject.namespace': '',
        'involvedObject.name': 'n1',
        'involvedObject.uid': '',
        'involvedObject.apiVersion': '',
        'involvedObject.resourceVersion': '',
        'involvedObject.fieldPath': '',
        reason: 'R',
        reportingComponent: 'ctrl',
        source: 'ctrl',
        type: 'Warning',
      },
    ],
    ['Node: cluster-scoped, unschedulable as a bool', 'v1', 'Node', { metadata: { name: 'n1' }, spec: { unschedulable: true } }, { 'metadata.name': 'n1', 'metadata.namespace': '', 'spec.unschedulable': 'true' }],
    ['Node without spec: unschedulable is "false"', 'v1', 'Node', { metadata: { name: 'n1' } }, { 'metadata.name': 'n1', 'metadata.namespace': '', 'spec.unschedulable': 'false' }],
    ['Namespace: phase, plus the legacy "name" field', 'v1', 'Namespace', { metadata: { name: 'dev' }, status: { phase: 'Active' } }, { 'metadata.name': 'dev', 'metadata.namespace': '', 'status.phase': 'Active', name: 'dev' }],
    ['cluster-scoped kind ignores a stray namespace', 'v1', 'Node', { metadata: { name: 'n1', namespace: 'oops' } }, { 'metadata.name': 'n1', 'metadata.namespace': '', 'spec.unschedulable': 'false' }],
    ['Secret: type', 'v1', 'Secret', { metadata: meta, type: 'kubernetes.io/tls' }, { 'metadata.name': 'n', 'metadata.namespace': 'ns', type: 'kubernetes.io/tls' }],
    ['Service: clusterIP and type', 'v1', 'Service', { metadata: meta, spec: { clusterIP: '10.96.0.1', type: 'ClusterIP' } }, { 'metadata.name': 'n', 'metadata.namespace': 'ns', 'spec.clusterIP': '10.96.0.1', 'spec.type': 'ClusterIP' }],
    ['ReplicationController: replicas as a decimal string', 'v1', 'ReplicationController', { metadata: meta, status: { replicas: 3 } }, { 'metadata.name': 'n', 'metadata.namespace': 'ns', 'status.replicas': '3' }],
    ['ReplicaSet: missing status counts as 0 replicas', 'apps/v1', 'ReplicaSet', { metadata: meta }, { 'metadata.name': 'n', 'metadata.namespace': 'ns', 'status.replicas': '0' }],
    ['Job: status.successful is status.succeeded', 'batch/v1', 'Job', { metadata: meta, status: { succeeded: 2 } }, { 'metadata.name': 'n', 'metadata.namespace': 'ns', 'status.successful': '2' }],
    [
      'CertificateSigningRequest: signerName, cluster-scoped',
      'certificates.k8s.io/v1',
      'CertificateSigningRequest',
      { metadata: { name: 'csr' }, spec: { signerName: 'kubernetes.io/kubelet-serving' } },
      { 'metadata.name': 'csr', 'metadata.namespace': '', 'spec.signerName': 'kubernetes.io/kubelet-serving' },
    ],
    ['a Pod-like object in another group is not a Pod', 'example.com/v1', 'Pod', { metadata: meta, spec: { nodeName: 'x' } }, { 'metadata.name': 'n', 'metadata.namespace': 'ns' }],
  ];
  for (const [name, apiVersion, kind, obj, want] of rows) {
    test(name, () => assert.deepEqual(objectFields(apiVersion, kind, obj), want));
  }

  test('docs example selects Pods through objectFields', () => {
    const sel = parseFieldSelector('status.phase!=Running,spec.restartPolicy=Always');
    const pod = (phase: string, restartPolicy: string) => objectFields('v1', 'Pod', { metadata: meta, spec: { restartPolicy }, status: { phase } });
    assert.deepEqual(
      [pod('Pending', 'Always'), pod('Running', 'Always'), pod('Failed', 'Never')].map((f) => sel.matches(f)),
      [true, false, false],
    );
  });
});

describe('checkFieldsSupported / convertFieldSelector', () => {
  const rows: Array<[name: string, apiVersion: string, kind: string, selector: string, error: string | undefined]> = [
    ['docs: unknown field on a kind without extra fields', 'networking.k8s.io/v1', 'Ingress', 'foo.bar=baz', '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['every kind accepts metadata.name', 'v1', 'ConfigMap', 'metadata.name=x', undefined],
    ['every namespaced kind accepts metadata.namespace', 'apps/v1', 'Deployment', 'metadata.namespace!=default', undefined],
    ['custom resources get the default rules', 'example.com/v1', 'Widget', 'spec.size=1', '"spec.size" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['Pod accepts its fields', 'v1', 'Pod', 'spec.nodeName=n,spec.restartPolicy=Always,spec.schedulerName=s,spec.serviceAccountName=sa,spec.hostNetwork=true,status.phase=Running,status.podIP=1.2.3.4,status.podIPs=1.2.3.4,status.nominatedNodeName=n', undefined],
    ['Pod rejects others with its own wording', 'v1', 'Pod', 'spec.containers=x', 'field label not supported: spec.containers'],
    ['Pod accepts the legacy spec.host', 'v1', 'Pod', 'spec.host=n1', undefined],
    ['Node accepts spec.unschedulable', 'v1', 'Node', 'spec.unschedulable=true', undefined],
    ['Node does not list metadata.namespace', 'v1', 'Node', 'metadata.namespace=', 'field label not supported: metadata.namespace'],
    ['Namespace accepts status.phase', 'v1', 'Namespace', 'status.phase=Active,metadata.name=dev', undefined],
    ['Namespace does not accept its legacy "name" field', 'v1', 'Namespace', 'name=dev', 'field label not supported: name'],
    ['Event accepts involvedObject and friends', 'v1', 'Event', 'involvedObject.kind=Pod,involvedObject.name=p,reason=Failed,reportingComponent=k,source=kubelet,type=Warning,metadata.namespace=ns', undefined],
    ['Event rejects message', 'v1', 'Event', 'message=x', 'field label not supported: message'],
    ['events.k8s.io Event accepts the core names', 'events.k8s.io/v1', 'Event', 'involvedObject.name=p', undefined],
    ['Secret accepts type', 'v1', 'Secret', 'type=Opaque', undefined],
    ['Secret rejects data', 'v1', 'Secret', 'data=x', 'field label not supported: data'],
    ['Service accepts clusterIP and type', 'v1', 'Service', 'spec.clusterIP=None,spec.type=ClusterIP', undefined],
    ['ReplicationController accepts status.replicas', 'v1', 'ReplicationController', 'status.replicas=0', undefined],
    ['apps/v1 ReplicaSet rejects status.replicas, as a real API server does', 'apps/v1', 'ReplicaSet', 'status.replicas=0', '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['Job accepts status.successful', 'batch/v1', 'Job', 'status.successful=1', undefined],
    ['Job rejects others with its own wording', 'batch/v1', 'Job', 'status.succeeded=1', 'field label "status.succeeded" not supported for batchv1.Job'],
    ['CertificateSigningRequest accepts spec.signerName', 'certificates.k8s.io/v1', 'CertificateSigningRequest', 'spec.signerName=x', undefined],
    ['whitespace makes the field name unknown', 'v1', 'Pod', 'metadata.name =x', 'field label not supported: metadata.name '],
    ['the empty selector is always supported', 'v1', 'Pod', '', undefined],
  ];
  for (const [name, apiVersion, kind, selector, error] of rows) {
    test(name, () => {
      const sel = parseFieldSelector(selector);
      if (error === undefined) {
        assert.doesNotThrow(() => checkFieldsSupported(apiVersion, kind, sel));
      } else {
        assert.throws(() => checkFieldsSupported(apiVersion, kind, sel), (e: unknown) => e instanceof FieldSelectorError && e.message === error);
      }
    });
  }

  test('convertFieldSelector rewrites Pod spec.host to spec.nodeName', () => {
    const converted = convertFieldSelector('v1', 'Pod', parseFieldSelector('spec.host=n1,status.phase=Running'));
    assert.equal(converted.toString(), 'spec.nodeName=n1,status.phase=Running');
    assert.equal(converted.requiresExactMatch('spec.nodeName'), 'n1');
  });
});
