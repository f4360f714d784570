// Service validation.

import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { duplicate, forbidden, invalid, notSupported, required, type FieldError, Path } from './field.ts';
import { PORT_PROTOCOLS } from './containers.ts';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, isDNS1123Subdomain, isIP, isValidIP, isValidPortName, isValidPortNum, nameIsDNS1035Label } from './names.ts';
import { validateLabels } from './selector.ts';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const MAX_CLIENT_IP_TIMEOUT = 86400;

function validateTargetPort(tp: unknown, path: Path): FieldError[] {
  if (typeof tp === 'number') return isValidPortNum(tp).map((m) => invalid(path, tp, m));
  if (typeof tp === 'string') return isValidPortName(tp).map((m) => invalid(path, tp, m));
  return [];
}

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(required(path.child('name'), ''));
  else if (sp.name) {
    for (const m of isDNS1123Label(sp.name)) errs.push(invalid(path.child('name'), sp.name, m));
    if (names.has(sp.name)) errs.push(duplicate(path.child('name'), sp.name));
    else names.add(sp.name);
  }
  for (const m of isValidPortNum(sp.port)) errs.push(invalid(path.child('port'), sp.port ?? 0, m));
  if (!sp.protocol) errs.push(required(path.child('protocol'), ''));
  else if (!PORT_PROTOCOLS.includes(sp.protocol)) errs.push(notSupported(path.child('protocol'), sp.protocol, PORT_PROTOCOLS));
  errs.push(...validateTargetPort(sp.targetPort, path.child('targetPort')));
  if (sp.nodePort) for (const m of isValidPortNum(sp.nodePort)) errs.push(invalid(path.child('nodePort'), sp.nodePort, m));
  return errs;
}

/** The map key Kubernetes uses for duplicate detection, rendered like the internal struct. */
function portKey(protocol: string | undefined, port: number, nodePort: number): Record<string, unknown> {
  return { Name: '', Protocol: protocol ?? '', AppProtocol: null, Port: port, TargetPort: 0, NodePort: nodePort };
}

export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameFn: nameIsDNS1035Label });
  const spec = svc.spec ?? {};
  const specPath = new Path('spec');
  const ports = spec.ports ?? [];
  const headless = spec.clusterIP === 'None';
  const type = spec.type ?? '';

  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required(specPath.child('ports'), ''));
  switch (type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (headless) errs.push(invalid(specPath.child('clusterIP'), 'None', `may not be set to 'None' for ${type} services`));
      break;
    case 'ExternalName':
      if (spec.clusterIP) errs.push(forbidden(specPath.child('clusterIP'), 'must be empty for ExternalName services'));
      if (!spec.externalName) errs.push(required(specPath.child('externalName'), ''));
      else {
        // A trailing dot (fully-qualified form) is accepted.
        const name = spec.externalName.replace(/\.$/, '');
        for (const m of isDNS1123Subdomain(name)) errs.push(invalid(specPath.child('externalName'), name, m));
      }
      break;
  }

  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, specPath.child('ports').index(i))));

  if (spec.selector) errs.push(...validateLabels(spec.selector, specPath.child('selector')));

  const affinity = spec.sessionAffinity ?? '';
  if (!affinity) errs.push(required(specPath.child('sessionAffinity'), ''));
  else if (!AFFINITIES.includes(affinity)) errs.push(notSupported(specPath.child('sessionAffinity'), affinity, AFFINITIES));
  if (affinity === 'ClientIP') {
    const cfgPath = specPath.child('sessionAffinityConfig');
    const when = 'when session affinity type is ClientIP';
    const cfg = spec.sessionAffinityConfig;
    if (!cfg) errs.push(required(cfgPath, when));
    else if (!cfg.clientIP) errs.push(required(cfgPath.child('clientIP'), when));
    else if (cfg.clientIP.timeoutSeconds == null) errs.push(required(cfgPath.child('clientIP', 'timeoutSeconds'), when));
    else {
      const t = cfg.clientIP.timeoutSeconds;
      if (t <= 0 || t > MAX_CLIENT_IP_TIMEOUT) {
        errs.push(invalid(cfgPath.child('clientIP', 'timeoutSeconds'), t, `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT}`));
      }
    }
  } else if (affinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbidden(specPath.child('sessionAffinityConfig'), 'must not be set when session affinity is None'));
  }

  if (spec.clusterIP && !headless && !isIP(spec.clusterIP)) {
    errs.push(invalid(specPath.child('clusterIP'), spec.clusterIP, "must be empty, 'None', or a valid IP address"));
  }
  (spec.externalIPs ?? []).forEach((ip, i) => {
    for (const m of isValidIP(ip)) errs.push(invalid(specPath.child('externalIPs').index(i), ip, m));
  });

  if (!type) errs.push(required(specPath.child('type'), ''));
  else if (!SERVICE_TYPES.includes(type)) errs.push(notSupported(specPath.child('type'), type, SERVICE_TYPES));

  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(specPath.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const k = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(k)) errs.push(duplicate(specPath.child('ports').index(i).child('nodePort'), p.nodePort));
    nodePorts.add(k);
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${p.protocol}/${p.port}`;
    if (seen.has(k)) errs.push(duplicate(specPath.child('ports').index(i), portKey(p.protocol, p.port, 0)));
    seen.add(k);
  });

  if (spec.ipFamilyPolicy && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported(specPath.child('ipFamilyPolicy'), spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  if (spec.internalTrafficPolicy && !TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported(specPath.child('internalTrafficPolicy'), spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.externalTrafficPolicy) {
    if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) {
      errs.push(notSupported(specPath.child('externalTrafficPolicy'), spec.externalTrafficPolicy, TRAFFIC_POLICIES));
    } else if (type !== 'NodePort' && type !== 'LoadBalancer') {
      errs.push(invalid(specPath.child('externalTrafficPolicy'), spec.externalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    }
  }
  return errs;
}

export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  // An allocated cluster IP sticks unless the service becomes ExternalName.
  if (svc.spec?.type !== 'ExternalName' && old.spec?.type !== 'ExternalName' && old.spec?.clusterIP) {
    errs.push(...validateImmutableField(svc.spec?.clusterIP ?? '', old.spec.clusterIP, new Path('spec', 'clusterIP')));
  }
  errs.push(...validateService(svc));
  return errs;
}
