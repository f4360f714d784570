// Field selectors (?fieldSelector=, `kubectl --field-selector`) and the per-kind
// field sets they are evaluated against. Parsing, escaping, canonical form and
// error wording follow Kubernetes (k8s.io/apimachinery/pkg/fields); which fields
// a kind exposes follows the registry strategies (ToSelectableFields/GetAttrs)
// and which fields the API accepts follows the field-label conversion funcs,
// because those two lists are not the same in Kubernetes either.

import { goQuote } from './labels.ts';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  /** Unescaped. */
  value: string;
}

export class FieldSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

export class FieldSelector {
  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: readonly FieldRequirement[] = []) {
    this.requirements = Object.freeze(requirements.map((r) => Object.freeze({ ...r })));
  }

  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => {
      const have = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.operator === '!=' ? have !== r.value : have === r.value;
    });
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** Canonical form: Kubernetes prints == as =, and escapes \ , = in values. */
  toString(): string {
    return this.requirements
      .map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`)
      .join(',');
  }

  /** the value required for `field` by an = / == requirement, if any (used to index by metadata.name or spec.nodeName) */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator !== '!=')?.value;
  }
}

export const everythingFields: FieldSelector = new FieldSelector();

/** Equality on every pair; empty or missing matches everything. */
export function fieldSelectorFromSet(set: Record<string, string> | undefined | null): FieldSelector {
  return new FieldSelector(Object.entries(set ?? {}).map(([field, value]) => ({ field, operator: '=' as const, value })));
}

/** Makes an arbitrary string safe as a field selector value: \ , and = get a backslash. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => '\\' + c);
}

/** Inverse of escapeFieldValue; rejects unknown escapes and bare , or = as Kubernetes does. */
export function unescapeFieldValue(s: string): string {
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === ',' || c === '=') {
      // Go formats the offending rune with %v, which prints its code point.
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (escaped) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

// Commas preceded by a backslash belong to the value, and stay escaped for unescapeFieldValue.
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// The field name cannot be escaped, so the first operator found splits the
// term; != and == are tried before = so "a==b" does not leave "=b" as the value.
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/**
 * Parses a field selector such as "status.phase!=Running,spec.restartPolicy=Always".
 * Whitespace is not trimmed: it is part of the field name or value, as in Kubernetes.
 * Terms come out sorted by their text, which is Kubernetes' canonical order.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const terms = splitTerms(s).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (split === undefined) throw new FieldSelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const [field, operator, raw] = split;
    reqs.push({ field, operator, value: unescapeFieldValue(raw) });
  }
  return new FieldSelector(reqs);
}

// ---------------------------------------------------------------------------
// Per-kind field sets

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

// Go's strconv.Itoa of an int32 that defaults to 0.
function int(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : '0';
}

// Cluster-scoped built-ins. Kubernetes leaves metadata.namespace out of their
// field sets, which a lookup sees as ""; pinning it to "" here gives the same
// answer even for an object that carries a stray namespace.
const CLUSTER_SCOPED = new Set([
  '/Node',
  '/Namespace',
  '/PersistentVolume',
  '/ComponentStatus',
  'certificates.k8s.io/CertificateSigningRequest',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
]);

type FieldsOf = (obj: any) => Record<string, string>;

function coreEventFields(obj: any): Record<string, string> {
  const io = obj?.involvedObject ?? {};
  const reporting = str(obj?.reportingComponent);
  return {
    'involvedObject.kind': str(io.kind),
    'involvedObject.namespace': str(io.namespace),
    'involvedObject.name': str(io.name),
    'involvedObject.uid': str(io.uid),
    'involvedObject.apiVersion': str(io.apiVersion),
    'involvedObject.resourceVersion': str(io.resourceVersion),
    'involvedObject.fieldPath': str(io.fieldPath),
    reason: str(obj?.reason),
    reportingComponent: reporting,
    // Older clients fill source.component, newer ones only reportingComponent.
    source: str(obj?.source?.component) || reporting,
    type: str(obj?.type),
  };
}

// events.k8s.io is served from the same storage as core Events, so selection
// uses the core field names; map the renamed fields back.
function eventsV1EventFields(obj: any): Record<string, string> {
  return coreEventFields({
    involvedObject: obj?.regarding,
    reason: obj?.reason,
    reportingComponent: obj?.reportingController,
    source: obj?.deprecatedSource,
    type: obj?.type,
  });
}

const KIND_FIELDS: Record<string, FieldsOf> = {
  '/Pod': (pod) => {
    const spec = pod?.spec ?? {};
    const status = pod?.status ?? {};
    return {
      'spec.nodeName': str(spec.nodeName),
      'spec.restartPolicy': str(spec.restartPolicy),
      'spec.schedulerName': str(spec.schedulerName),
      // v1 still accepts the deprecated serviceAccount as an alias when serviceAccountName is unset.
      'spec.serviceAccountName': str(spec.serviceAccountName) || str(spec.serviceAccount),
      'spec.hostNetwork': spec.hostNetwork === true ? 'true' : 'false',
      'status.phase': str(status.phase),
      // Kubernetes reads the primary IP from podIPs; podIP alone is what older writers set.
      'status.podIP': str(status.podIPs?.[0]?.ip) || str(status.podIP),
      'status.nominatedNodeName': str(status.nominatedNodeName),
    };
  },
  '/Node': (node) => ({ 'spec.unschedulable': node?.spec?.unschedulable === true ? 'true' : 'false' }),
  '/Namespace': (ns) => ({
    'status.phase': str(ns?.status?.phase),
    // Kubernetes keeps this legacy alias in the set, though no API version accepts it in a selector.
    name: str(ns?.metadata?.name),
  }),
  '/Secret': (secret) => ({ type: str(secret?.type) }),
  '/Service': (svc) => ({ 'spec.clusterIP': str(svc?.spec?.clusterIP), 'spec.type': str(svc?.spec?.type) }),
  '/ReplicationController': (rc) => ({ 'status.replicas': int(rc?.status?.replicas) }),
  '/Event': coreEventFields,
  'events.k8s.io/Event': eventsV1EventFields,
  'apps/ReplicaSet': (rs) => ({ 'status.replicas': int(rs?.status?.replicas) }),
  'batch/Job': (job) => ({ 'status.successful': int(job?.status?.succeeded) }),
  'certificates.k8s.io/CertificateSigningRequest': (csr) => ({ 'spec.signerName': str(csr?.spec?.signerName) }),
};

/** The field set Kubernetes exposes for selection on an object of this kind; see fields.ts header. */
export function objectFields(apiVersion: string, kind: string, obj: any): Record<string, string> {
  const gk = `${groupOf(apiVersion)}/${kind}`;
  const specific = KIND_FIELDS[gk]?.(obj) ?? {};
  return {
    ...specific,
    'metadata.name': str(obj?.metadata?.name),
    'metadata.namespace': CLUSTER_SCOPED.has(gk) ? '' : str(obj?.metadata?.namespace),
  };
}

// ---------------------------------------------------------------------------
// Which fields the API accepts in a selector, per group/version/kind

interface FieldLabelRules {
  accepted: ReadonlySet<string>;
  /** Fields an older client may send under a former name. */
  renamed?: Readonly<Record<string, string>>;
  reject(field: string): string;
}

const notSupported = (field: string): string => `field label not supported: ${field}`;

const CORE_EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
  'metadata.namespace',
  'metadata.name',
];

// Kinds without a registered conversion func get Kubernetes' default, which is
// where the other error wording comes from.
const DEFAULT_RULES: FieldLabelRules = {
  accepted: new Set(['metadata.name', 'metadata.namespace']),
  reject: (field) => `${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const FIELD_LABEL_RULES: Record<string, FieldLabelRules> = {
  'v1/Pod': {
    accepted: new Set([
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
    ]),
    renamed: { 'spec.host': 'spec.nodeName' },
    reject: notSupported,
  },
  // Node and Namespace are cluster-scoped, and their conversion funcs do not list metadata.namespace.
  'v1/Node': { accepted: new Set(['metadata.name', 'spec.unschedulable']), reject: notSupported },
  'v1/Namespace': { accepted: new Set(['status.phase', 'metadata.name']), reject: notSupported },
  'v1/ReplicationController': { accepted: new Set(['metadata.name', 'metadata.namespace', 'status.replicas']), reject: notSupported },
  'v1/Event': { accepted: new Set(CORE_EVENT_FIELDS), reject: notSupported },
  'v1/Secret': { accepted: new Set(['type', 'metadata.namespace', 'metadata.name']), reject: notSupported },
  'v1/Service': { accepted: new Set(['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type']), reject: notSupported },
  'events.k8s.io/v1/Event': { accepted: new Set(CORE_EVENT_FIELDS), reject: notSupported },
  'batch/v1/Job': {
    accepted: new Set(['metadata.name', 'metadata.namespace', 'status.successful']),
    reject: (field) => `field label ${goQuote(field)} not supported for batchv1.Job`,
  },
  'certificates.k8s.io/v1/CertificateSigningRequest': { accepted: new Set(['metadata.name', 'spec.signerName']), reject: notSupported },
  // apps/v1 registers no conversion func, so ReplicaSet's status.replicas (in
  // its field set, and in the docs' table) is rejected by a real API server
  // with the default wording; kubernetes/kubernetes#135136.
};

/**
 * Checks every field against what the API accepts for this kind and returns
 * the selector the server would evaluate (legacy names such as Pod's spec.host
 * rewritten). Throws FieldSelectorError with Kubernetes' wording for the kind.
 */
export function convertFieldSelector(apiVersion: string, kind: string, sel: FieldSelector): FieldSelector {
  const rules = FIELD_LABEL_RULES[`${apiVersion}/${kind}`] ?? DEFAULT_RULES;
  return new FieldSelector(
    sel.requirements.map((r) => {
      if (rules.accepted.has(r.field)) return r;
      const renamed = rules.renamed?.[r.field];
      if (renamed !== undefined) return { ...r, field: renamed };
      throw new FieldSelectorError(rules.reject(r.field));
    }),
  );
}

/** Throws FieldSelectorError (`field label not supported: X` and Kubernetes' other per-kind wordings) for a field the kind does not support. */
export function checkFieldsSupported(apiVersion: string, kind: string, sel: FieldSelector): void {
  convertFieldSelector(apiVersion, kind, sel);
}
