// Kubernetes' DNS schema over a snapshot of Services and EndpointSlices
// (pure): service A records (ClusterIP, or ready endpoints for headless
// services), named endpoints of headless services, SRV records per named
// port, ExternalName as CNAME, pod A records from dashed IPs, and PTR for
// service and endpoint IPs. Anything else in the cluster domain does not
// exist; the server forwards names outside it.

import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RCODE, TYPE, type Answer, type ResourceRecord } from './wire.ts';

export const DEFAULT_TTL = 5;

export interface DnsSnapshot {
  services: Service[];
  slices: EndpointSlice[];
}

interface HeadlessEndpoint {
  ip: string;
  /** The label under the service: the endpoint's hostname, or its IP with dashes. */
  label: string;
}

const dashed = (ip: string) => ip.replace(/\./g, '-');
const isV4 = (ip: string | undefined): ip is string => !!ip && /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);

export class ClusterRecords {
  private readonly services = new Map<string, Service>();
  private readonly endpoints = new Map<string, HeadlessEndpoint[]>();
  /** IP → name for PTR */
  private readonly reverse = new Map<string, string>();

  constructor(
    snap: DnsSnapshot,
    readonly domain = 'cluster.local',
    private readonly ttl = DEFAULT_TTL,
  ) {
    for (const s of snap.services) this.services.set(`${s.metadata?.name}.${s.metadata?.namespace}`, s);
    for (const sl of snap.slices) {
      const svc = sl.metadata?.labels?.['kubernetes.io/service-name'];
      if (!svc || sl.addressType !== 'IPv4') continue;
      const key = `${svc}.${sl.metadata?.namespace}`;
      const list = this.endpoints.get(key) ?? [];
      for (const ep of sl.endpoints ?? []) {
        const ip = ep.addresses[0];
        if (!isV4(ip) || ep.conditions?.ready === false) continue;
        if (list.some((e) => e.ip === ip)) continue;
        list.push({ ip, label: ep.hostname ?? dashed(ip) });
      }
      this.endpoints.set(key, list);
    }
    for (const [key, s] of this.services) {
      if (isV4(s.spec?.clusterIP)) this.reverse.set(s.spec!.clusterIP!, `${key}.svc.${domain}`);
      if (s.spec?.clusterIP === 'None') for (const e of this.endpoints.get(key) ?? []) this.reverse.set(e.ip, `${e.label}.${key}.svc.${domain}`);
    }
    for (const l of this.endpoints.values()) l.sort((a, b) => (a.ip < b.ip ? -1 : 1));
  }

  /** Whether the name is one this resolver answers for (else: forward). */
  owns(name: string): boolean {
    name = name.toLowerCase().replace(/\.$/, '');
    if (name.endsWith('.in-addr.arpa')) return this.reverse.has(name.slice(0, -'.in-addr.arpa'.length).split('.').reverse().join('.'));
    return name === this.domain || name.endsWith(`.${this.domain}`);
  }

  private soa(): ResourceRecord {
    return { name: this.domain, ttl: this.ttl, data: { type: TYPE.SOA, mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl } };
  }

  private none(exists: boolean): Answer {
    return { rcode: exists ? RCODE.NOERROR : RCODE.NXDOMAIN, answers: [], authority: [this.soa()], authoritative: true };
  }

  resolve(name: string, type: number): Answer {
    name = name.toLowerCase().replace(/\.$/, '');
    if (name.endsWith('.in-addr.arpa')) return this.ptr(name, type);
    const rel = name === this.domain ? '' : name.slice(0, -(this.domain.length + 1));
    const labels = rel ? rel.split('.') : [];
    const n = labels.length;
    if (n >= 2 && labels[n - 1] === 'svc') return this.service(name, labels.slice(0, -1), type);
    if (n === 3 && labels[2] === 'pod') {
      const ip = labels[0]!.replace(/-/g, '.');
      if (!isV4(ip)) return this.none(false);
      return type === TYPE.A || type === TYPE.ANY ? { rcode: RCODE.NOERROR, answers: [{ name, ttl: this.ttl, data: { type: TYPE.A, address: ip } }], authoritative: true } : this.none(true);
    }
    // The zone apex and the svc/pod subdomains exist but hold no addresses.
    return this.none(n === 0 || (n === 1 && (labels[0] === 'svc' || labels[0] === 'pod')) || (n === 2 && labels[1] === 'svc'));
  }

  private service(name: string, labels: string[], type: number): Answer {
    // labels: [ ..., svc, ns ]
    const a = (address: string): ResourceRecord => ({ name, ttl: this.ttl, data: { type: TYPE.A, address } });
    if (labels.length === 1) return this.none(true); // <ns>.svc
    const [svcName, ns] = labels.slice(-2) as [string, string];
    const key = `${svcName}.${ns}`;
    const svc = this.services.get(key);
    const prefix = labels.slice(0, -2);
    if (!svc) return this.none(false);
    const headless = svc.spec?.clusterIP === 'None';
    const eps = this.endpoints.get(key) ?? [];
    const fqdn = `${key}.svc.${this.domain}`;

    if (prefix.length === 0) {
      if (svc.spec?.type === 'ExternalName' && svc.spec.externalName) {
        return { rcode: RCODE.NOERROR, answers: [{ name, ttl: this.ttl, data: { type: TYPE.CNAME, target: svc.spec.externalName } }], authoritative: true };
      }
      if (type === TYPE.A || type === TYPE.ANY) {
        const ips = headless ? eps.map((e) => e.ip) : isV4(svc.spec?.clusterIP) ? [svc.spec!.clusterIP!] : [];
        return ips.length ? { rcode: RCODE.NOERROR, answers: ips.map(a), authoritative: true } : this.none(true);
      }
      if (type === TYPE.SRV) return this.srvAll(name, svc, eps, fqdn, headless);
      return this.none(true);
    }
    if (prefix.length === 1) {
      // <endpoint>.<svc>.<ns>.svc for headless services
      const ep = headless ? eps.find((e) => e.label === prefix[0]) : undefined;
      if (!ep) return this.none(false);
      return type === TYPE.A || type === TYPE.ANY ? { rcode: RCODE.NOERROR, answers: [a(ep.ip)], authoritative: true } : this.none(true);
    }
    if (prefix.length === 2 && prefix[0]!.startsWith('_') && prefix[1]!.startsWith('_')) {
      const port = (svc.spec?.ports ?? []).find((p) => p.name === prefix[0]!.slice(1) && (p.protocol ?? 'TCP').toLowerCase() === prefix[1]!.slice(1));
      if (!port) return this.none(false);
      if (type !== TYPE.SRV && type !== TYPE.ANY) return this.none(true);
      return this.srv(name, port.port, eps, fqdn, headless);
    }
    return this.none(false);
  }

  private srv(name: string, port: number, eps: HeadlessEndpoint[], fqdn: string, headless: boolean): Answer {
    const targets = headless ? eps.map((e) => ({ target: `${e.label}.${fqdn}`, ip: e.ip })) : [{ target: fqdn, ip: undefined as string | undefined }];
    if (targets.length === 0) return this.none(true);
    const weight = Math.floor(100 / targets.length);
    return {
      rcode: RCODE.NOERROR,
      answers: targets.map((t) => ({ name, ttl: this.ttl, data: { type: TYPE.SRV, priority: 0, weight, port, target: t.target } })),
      additional: targets.filter((t) => t.ip).map((t) => ({ name: t.target, ttl: this.ttl, data: { type: TYPE.A, address: t.ip! } })),
      authoritative: true,
    };
  }

  private srvAll(name: string, svc: Service, eps: HeadlessEndpoint[], fqdn: string, headless: boolean): Answer {
    const answers: ResourceRecord[] = [];
    const additional: ResourceRecord[] = [];
    for (const p of svc.spec?.ports ?? []) {
      const r = this.srv(name, p.port, eps, fqdn, headless);
      answers.push(...r.answers);
      additional.push(...(r.additional ?? []));
    }
    return answers.length ? { rcode: RCODE.NOERROR, answers, additional, authoritative: true } : this.none(true);
  }

  private ptr(name: string, type: number): Answer {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return { rcode: RCODE.NXDOMAIN, answers: [], authoritative: false };
    const ip = parts.reverse().join('.');
    const target = this.reverse.get(ip);
    if (!target) return { rcode: RCODE.NXDOMAIN, answers: [], authoritative: false };
    if (type !== TYPE.PTR && type !== TYPE.ANY) return { rcode: RCODE.NOERROR, answers: [], authoritative: true };
    return { rcode: RCODE.NOERROR, answers: [{ name, ttl: this.ttl, data: { type: TYPE.PTR, target } }], authoritative: true };
  }
}
