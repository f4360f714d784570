// Namespace, Node, Endpoints, ServiceAccount, Event, PersistentVolumeClaim,
// ResourceQuota and LimitRange: the smaller core/v1 kinds.

import type {
  Endpoints,
  Event,
  LimitRange,
  Namespace,
  Node,
  PersistentVolumeClaim,
  ResourceQuota,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import { duplicate, forbidden, invalid, notSupported, required, type FieldError, Path } from './field.ts';
import { PORT_PROTOCOLS } from './containers.ts';
import { jsonEqual, validateFinalizers, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidLabelValue, isValidPortNum, nameIsDNSLabel, nameIsDNSSubdomain } from './names.ts';
import { checkQuantity, type Qty } from './resources.ts';
import { validateLabelName } from './selector.ts';

const NAMESPACED = { namespaced: true, nameFn: nameIsDNSSubdomain };

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameFn: nameIsDNSLabel });
  errs.push(...validateFinalizers(ns.spec?.finalizers, new Path('spec', 'finalizers')));
  return errs;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain });
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((t, i) => {
    const p = new Path('spec', 'taints').index(i);
    errs.push(...validateLabelName(t.key ?? '', p.child('key')));
    const valueMsgs = isValidLabelValue(t.value ?? '');
    if (valueMsgs.length > 0) errs.push(invalid(p.child('value'), t.value ?? '', valueMsgs.join(';')));
    if (!t.effect) errs.push(required(p.child('effect'), ''));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(p.child('effect'), t.effect, TAINT_EFFECTS));
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) errs.push(duplicate(p, t));
    seen.add(k);
  });
  return errs;
}

export function validateServiceAccount(sa: ServiceAccount): FieldError[] {
  return validateObjectMeta(sa.metadata, NAMESPACED);
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, NAMESPACED);
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = new Path('subsets').index(i);
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) {
      errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const field of ['addresses', 'notReadyAddresses'] as const) {
      (ss[field] ?? []).forEach((a, j) => {
        const ap = p.child(field).index(j);
        for (const m of isValidIP(a.ip ?? '')) errs.push(invalid(ap.child('ip'), a.ip ?? '', m));
        if (a.hostname) for (const m of isDNS1123Label(a.hostname)) errs.push(invalid(ap.child('hostname'), a.hostname, m));
        if (a.nodeName) for (const m of isDNS1123Subdomain(a.nodeName)) errs.push(invalid(ap.child('nodeName'), a.nodeName, m));
      });
    }
    const ports = ss.ports ?? [];
    const names = new Set<string>();
    ports.forEach((port, j) => {
      const pp = p.child('ports').index(j);
      if (ports.length > 1 && !port.name) errs.push(required(pp.child('name'), ''));
      else if (port.name) {
        for (const m of isDNS1123Label(port.name)) errs.push(invalid(pp.child('name'), port.name, m));
        if (names.has(port.name)) errs.push(duplicate(pp.child('name'), port.name));
        names.add(port.name);
      }
      for (const m of isValidPortNum(port.port)) errs.push(invalid(pp.child('port'), port.port ?? 0, m));
      if (!port.protocol) errs.push(required(pp.child('protocol'), ''));
      else if (!PORT_PROTOCOLS.includes(port.protocol)) errs.push(notSupported(pp.child('protocol'), port.protocol, PORT_PROTOCOLS));
    });
  });
  return errs;
}

export function validateEvent(ev: Event): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, NAMESPACED);
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  // Old-style events (no eventTime) must agree on namespace; "default" tolerated for old clients.
  if (!ev.eventTime) {
    const mismatch = involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs;
    if (mismatch) errs.push(invalid(new Path('involvedObject', 'namespace'), involvedNs, 'does not match event.namespace'));
  } else {
    if (!ev.reportingComponent) errs.push(required(new Path('reportingComponent'), ''));
    if (!ev.reportingInstance) errs.push(required(new Path('reportingInstance'), ''));
    if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalid(new Path('type'), '', `has invalid value: ${ev.type ?? ''}`));
  }
  return errs;
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMeta(pvc.metadata, NAMESPACED);
  const spec = pvc.spec ?? {};
  const sp = new Path('spec');
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) errs.push(required(sp.child('accessModes'), 'at least 1 access mode is required'));
  for (const m of modes) if (!ACCESS_MODES.includes(m)) errs.push(notSupported(sp.child('accessModes'), m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    errs.push(forbidden(sp.child('accessModes'), 'may not use ReadWriteOncePod with other access modes'));
  }
  // Kubernetes reports the storage request at `spec.resources[storage]`.
  const storagePath = sp.child('resources').key('storage');
  const raw = spec.resources?.requests?.['storage'];
  if (raw == null) errs.push(required(storagePath, ''));
  else {
    const q = checkQuantity(raw, storagePath, errs);
    if (q && q.sign() === 0) errs.push(invalid(storagePath, q.toString(), 'must be greater than zero'));
  }
  if (spec.volumeMode && !['Block', 'Filesystem'].includes(spec.volumeMode)) {
    errs.push(notSupported(sp.child('volumeMode'), spec.volumeMode, ['Block', 'Filesystem']));
  }
  return errs;
}

export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata);
  const strip = (c: PersistentVolumeClaim): unknown => {
    const spec = { ...c.spec, resources: { ...c.spec?.resources, requests: undefined }, volumeAttributesClassName: undefined };
    // The PV controller sets volumeName once (binding), and a class where there was none (retroactive default class).
    if (!old.spec?.volumeName) spec.volumeName = undefined;
    if (old.spec?.storageClassName == null) spec.storageClassName = undefined;
    return spec;
  };
  if (!jsonEqual(strip(pvc), strip(old))) {
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  errs.push(...validatePersistentVolumeClaim(pvc));
  return errs;
}

const QUOTA_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'storage', 'ephemeral-storage', 'requests.cpu',
  'requests.memory', 'requests.storage', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);

function isQuotaResourceName(n: string): boolean {
  return QUOTA_RESOURCES.has(n) || n.includes('/') || /^(requests\.)?hugepages-/.test(n);
}

export function validateResourceQuota(rq: ResourceQuota): FieldError[] {
  const errs = validateObjectMeta(rq.metadata, NAMESPACED);
  for (const [section, list] of [['spec', rq.spec?.hard], ['status', rq.status?.hard], ['status', rq.status?.used]] as const) {
    const field = list === rq.status?.used ? 'used' : 'hard';
    for (const [name, raw] of Object.entries(list ?? {})) {
      const p = new Path(section, field).key(name);
      const msgs = isQualifiedName(name);
      for (const m of msgs) errs.push(invalid(p, name, m));
      if (msgs.length === 0 && section === 'spec' && !isQuotaResourceName(name)) errs.push(invalid(p, name, 'must be a standard resource for quota'));
      checkQuantity(raw, p, errs);
    }
  }
  return errs;
}

const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];

export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, NAMESPACED);
  const seenTypes = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const p = new Path('spec', 'limits').index(i);
    const type = item.type ?? '';
    const typeMsgs = isQualifiedName(type);
    for (const m of typeMsgs) errs.push(invalid(p.child('type'), type, m));
    if (typeMsgs.length === 0 && !type.includes('/') && !LIMIT_TYPES.includes(type)) {
      errs.push(invalid(p.child('type'), type, 'must be a standard limit type or fully qualified'));
    }
    if (seenTypes.has(type)) errs.push(duplicate(p.child('type'), type));
    seenTypes.add(type);
    const read = (field: 'max' | 'min' | 'default' | 'defaultRequest' | 'maxLimitRequestRatio'): Map<string, Qty> => {
      const out = new Map<string, Qty>();
      for (const [k, raw] of Object.entries(item[field] ?? {})) {
        const q = checkQuantity(raw, p.child(field).key(k), errs);
        if (q) out.set(k, q);
      }
      return out;
    };
    const max = read('max');
    const min = read('min');
    if (type === 'Pod') {
      if (Object.keys(item.default ?? {}).length) errs.push(forbidden(p.child('default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(item.defaultRequest ?? {}).length) errs.push(forbidden(p.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
    }
    const def = type === 'Pod' ? new Map<string, Qty>() : read('default');
    const defReq = type === 'Pod' ? new Map<string, Qty>() : read('defaultRequest');
    const ratio = read('maxLimitRequestRatio');
    if (type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage')) {
      errs.push(required(p.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const keys = new Set([...max.keys(), ...min.keys(), ...def.keys(), ...defReq.keys(), ...ratio.keys()]);
    for (const k of keys) {
      const [mn, mx, d, dr, r] = [min.get(k), max.get(k), def.get(k), defReq.get(k), ratio.get(k)];
      const s = (q: Qty): string => q.toString();
      if (mn && mx && mn.cmp(mx) > 0) errs.push(invalid(p.child('min').key(k), s(mn), `min value ${s(mn)} is greater than max value ${s(mx)}`));
      if (dr && mn && mn.cmp(dr) > 0) errs.push(invalid(p.child('defaultRequest').key(k), s(dr), `min value ${s(mn)} is greater than default request value ${s(dr)}`));
      if (dr && mx && dr.cmp(mx) > 0) errs.push(invalid(p.child('defaultRequest').key(k), s(dr), `default request value ${s(dr)} is greater than max value ${s(mx)}`));
      if (dr && d && dr.cmp(d) > 0) errs.push(invalid(p.child('defaultRequest').key(k), s(dr), `default request value ${s(dr)} is greater than default limit value ${s(d)}`));
      if (d && mn && mn.cmp(d) > 0) errs.push(invalid(p.child('default').key(k), s(mn), `min value ${s(mn)} is greater than default value ${s(d)}`));
      if (d && mx && d.cmp(mx) > 0) errs.push(invalid(p.child('default').key(k), s(mx), `default value ${s(d)} is greater than max value ${s(mx)}`));
      if (r && r.cmp(checkQuantity('1', p, [])!) < 0) errs.push(invalid(p.child('maxLimitRequestRatio').key(k), s(r), `ratio ${s(r)} is less than 1`));
    }
  });
  return errs;
}
