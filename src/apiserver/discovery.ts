// Discovery: how clients learn which resources exist. Aggregated discovery
// (apidiscovery.k8s.io/v2, one request for everything, what kubectl 1.32
// prefers) and the legacy documents (/api, /apis, /api/v1, /apis/<g>/<v>)
// older clients walk. All of it derives from the resource table, the
// unstored (virtual) groups such as metrics.k8s.io included.

import { apiVersionOf, groupVersions, type ResourceInfo } from './registry/resources.ts';

export const DISCOVERY_V2_CONTENT_TYPE = (version: 'v2' | 'v2beta1') => `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;

function discoveryResource(r: ResourceInfo) {
  const out: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group, version: s.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return out;
}

/** The aggregated document for /api (core only) or /apis (every named group). */
export function aggregatedDiscovery(prefix: 'api' | 'apis', version: 'v2' | 'v2beta1') {
  const byGroup = new Map<string, { version: string; resources: unknown[]; freshness: 'Current' }[]>();
  for (const gv of groupVersions({ virtual: true })) {
    if ((prefix === 'api') !== (gv.group === '')) continue;
    if (!byGroup.has(gv.group)) byGroup.set(gv.group, []);
    byGroup.get(gv.group)!.push({ version: gv.version, resources: gv.resources.map(discoveryResource), freshness: 'Current' });
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [...byGroup].map(([group, versions]) => ({
      metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
      versions,
    })),
  };
}

export function legacyAPIVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string) {
  const versions = groupVersions({ virtual: true })
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: apiVersionOf(gv), version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function legacyAPIGroupList() {
  const names = [...new Set(groupVersions({ virtual: true }).map((gv) => gv.group))].filter((g) => g !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: names.map(apiGroup) };
}

export function legacyAPIGroup(group: string) {
  if (!groupVersions({ virtual: true }).some((gv) => gv.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

export function legacyAPIResourceList(group: string, version: string) {
  const gv = groupVersions({ virtual: true }).find((x) => x.group === group && x.version === version);
  if (!gv) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of gv.resources) {
    const base: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) base.shortNames = r.shortNames;
    if (r.categories.length) base.categories = r.categories;
    resources.push(base);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== r.group || s.version !== r.version) Object.assign(sub, { group: s.group, version: s.version });
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(gv), resources };
}
