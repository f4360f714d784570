// The service proxy's nftables program (pure): the shape of kube-proxy's
// nftables mode in one `ip` table. A verdict map keyed by
// address . protocol . port sends new connections to a per-service chain,
// which picks an endpoint at random (numgen) or by the client's remembered
// choice (sessionAffinity), and the endpoint chain DNATs. Node ports are
// matched on any local address. Service ports with no endpoint are rejected
// in filter chains that run before NAT. Traffic that needs it (from outside
// the cluster, hairpin) is marked and masqueraded; pods going outside the
// cluster are masqueraded.
//
// `fullRuleset` replaces the whole table in one transaction (start-up);
// `incrementalRuleset` touches only the service ports that changed.

import { createHash } from 'node:crypto';
import type { ServicePortModel } from './model.ts';

export const TABLE = 'skiff-proxy';
const MASQ_MARK = '0x4000';

export interface ProxyConfig {
  /** Pod addresses of the whole cluster (10.42.0.0/16): their traffic to services is not masqueraded. */
  clusterCIDR: string;
  serviceCIDR: string;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const svcChain = (m: ServicePortModel) => `svc-${hash(m.id)}`;
const extChain = (m: ServicePortModel) => `ext-${hash(m.id)}`;
const epChain = (m: ServicePortModel, i: number) => `ep-${hash(`${m.id}|${m.endpoints[i]!.ip}:${m.endpoints[i]!.port}`)}`;
const affinitySet = (m: ServicePortModel, i: number) => `aff-${hash(`${m.id}|${m.endpoints[i]!.ip}:${m.endpoints[i]!.port}`)}`;
const comment = (s: string) => `comment "${s.replace(/["\\]/g, '')}"`;

/** The chains, sets and map elements of one service port. */
interface Rendered {
  /** name → rule lines */
  chains: Map<string, string[]>;
  /** name → declaration body */
  sets: Map<string, string>;
  /** map name → element lines (`key : verdict`) */
  elements: Map<string, string[]>;
}

function render(m: ServicePortModel, cfg: ProxyConfig): Rendered {
  const chains = new Map<string, string[]>();
  const sets = new Map<string, string>();
  const elements = new Map<string, string[]>([
    ['service-ips', []],
    ['service-nodeports', []],
    ['no-endpoint-services', []],
    ['no-endpoint-nodeports', []],
  ]);
  const p = m.protocol;
  if (m.endpoints.length === 0) {
    for (const ip of [...m.clusterIPs, ...m.externalIPs]) elements.get('no-endpoint-services')!.push(`${ip} . ${p} . ${m.port} : goto reject-chain`);
    if (m.nodePort) elements.get('no-endpoint-nodeports')!.push(`${p} . ${m.nodePort} : goto reject-chain`);
    return { chains, sets, elements };
  }
  const svc = svcChain(m);
  const rules: string[] = [`ip saddr != ${cfg.clusterCIDR} jump mark-for-masquerade ${comment(m.id)}`];
  m.endpoints.forEach((_, i) => {
    if (m.affinitySeconds !== undefined) {
      sets.set(affinitySet(m, i), `type ipv4_addr; flags dynamic,timeout; timeout ${m.affinitySeconds}s;`);
      rules.push(`ip saddr @${affinitySet(m, i)} goto ${epChain(m, i)}`);
    }
  });
  rules.push(
    m.endpoints.length === 1
      ? `goto ${epChain(m, 0)}`
      : `numgen random mod ${m.endpoints.length} vmap { ${m.endpoints.map((_, i) => `${i} : goto ${epChain(m, i)}`).join(', ')} }`,
  );
  chains.set(svc, rules);
  m.endpoints.forEach((ep, i) => {
    const r = [`ip saddr ${ep.ip} jump mark-for-masquerade ${comment(`${m.id} -> ${ep.ip}:${ep.port}`)}`];
    if (m.affinitySeconds !== undefined) r.push(`update @${affinitySet(m, i)} { ip saddr }`);
    r.push(`meta l4proto ${p} dnat to ${ep.ip}:${ep.port}`);
    chains.set(epChain(m, i), r);
  });
  for (const ip of m.clusterIPs) elements.get('service-ips')!.push(`${ip} . ${p} . ${m.port} : goto ${svc}`);
  if (m.externalIPs.length > 0 || m.nodePort) {
    // From outside the cluster: always masqueraded, so replies come back through this node.
    chains.set(extChain(m), ['jump mark-for-masquerade', `goto ${svc}`]);
    for (const ip of m.externalIPs) elements.get('service-ips')!.push(`${ip} . ${p} . ${m.port} : goto ${extChain(m)}`);
    if (m.nodePort) elements.get('service-nodeports')!.push(`${p} . ${m.nodePort} : goto ${extChain(m)}`);
  }
  return { chains, sets, elements };
}

function base(cfg: ProxyConfig): string[] {
  return [
    `add map ip ${TABLE} service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }`,
    `add map ip ${TABLE} service-nodeports { type inet_proto . inet_service : verdict; }`,
    `add map ip ${TABLE} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict; }`,
    `add map ip ${TABLE} no-endpoint-nodeports { type inet_proto . inet_service : verdict; }`,
    `add chain ip ${TABLE} reject-chain`,
    `add rule ip ${TABLE} reject-chain reject`,
    `add chain ip ${TABLE} endpoints-check`,
    `add rule ip ${TABLE} endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services`,
    `add rule ip ${TABLE} endpoints-check fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports`,
    ...(['input', 'forward', 'output'] as const).flatMap((hook) => [
      `add chain ip ${TABLE} filter-${hook} { type filter hook ${hook} priority -110; policy accept; }`,
      `add rule ip ${TABLE} filter-${hook} ct state new jump endpoints-check`,
    ]),
    `add chain ip ${TABLE} services`,
    `add rule ip ${TABLE} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ip ${TABLE} services fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports`,
    `add chain ip ${TABLE} nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    `add rule ip ${TABLE} nat-prerouting jump services`,
    `add chain ip ${TABLE} nat-output { type nat hook output priority -100; policy accept; }`,
    `add rule ip ${TABLE} nat-output jump services`,
    `add chain ip ${TABLE} mark-for-masquerade`,
    `add rule ip ${TABLE} mark-for-masquerade meta mark set meta mark | ${MASQ_MARK}`,
    `add chain ip ${TABLE} nat-postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add rule ip ${TABLE} nat-postrouting meta mark & ${MASQ_MARK} == ${MASQ_MARK} meta mark set meta mark ^ ${MASQ_MARK} masquerade fully-random`,
    // Pods reaching beyond the cluster leave with the node's address.
    `add rule ip ${TABLE} nat-postrouting ip saddr ${cfg.clusterCIDR} ip daddr != { ${cfg.clusterCIDR}, ${cfg.serviceCIDR} } fib daddr type != local masquerade`,
  ];
}

/** Declares (or empties) every set and chain first, then fills the chains: a rule may jump to a chain declared after it. */
function declare(rs: Rendered[]): string[] {
  const heads: string[] = [];
  const rules: string[] = [];
  for (const r of rs) {
    for (const [name, body] of r.sets) heads.push(`add set ip ${TABLE} ${name} { ${body} }`);
    for (const [name, lines] of r.chains) {
      heads.push(`add chain ip ${TABLE} ${name}`, `flush chain ip ${TABLE} ${name}`);
      for (const rule of lines) rules.push(`add rule ip ${TABLE} ${name} ${rule}`);
    }
  }
  return [...heads, ...rules];
}

function addElements(r: Rendered): string[] {
  return [...r.elements].filter(([, e]) => e.length > 0).map(([map, e]) => `add element ip ${TABLE} ${map} { ${e.join(', ')} }`);
}

function deleteElements(r: Rendered): string[] {
  // Deleting names only the keys.
  return [...r.elements].filter(([, e]) => e.length > 0).map(([map, e]) => `delete element ip ${TABLE} ${map} { ${e.map((x) => x.split(' : ')[0]).join(', ')} }`);
}

function undeclare(r: Rendered): string[] {
  return [...[...r.chains.keys()].map((c) => `delete chain ip ${TABLE} ${c}`), ...[...r.sets.keys()].map((s) => `delete set ip ${TABLE} ${s}`)];
}

export interface ProgramState {
  /** id → the model it was rendered from and its text form (for change detection). */
  entries: Map<string, { model: ServicePortModel; key: string }>;
}

/** The whole table, replacing whatever is there, in one transaction. */
export function fullRuleset(models: ServicePortModel[], cfg: ProxyConfig): { text: string; state: ProgramState } {
  const lines = [`add table ip ${TABLE}`, `delete table ip ${TABLE}`, `add table ip ${TABLE}`, ...base(cfg)];
  const state: ProgramState = { entries: new Map() };
  const rendered = models.map((m) => render(m, cfg));
  lines.push(...declare(rendered));
  for (const r of rendered) lines.push(...addElements(r));
  models.forEach((m) => state.entries.set(m.id, { model: m, key: JSON.stringify(m) }));
  return { text: lines.join('\n') + '\n', state };
}

/**
 * Only what changed since `prev`: a changed port's map elements are removed
 * and re-added around its redefined chains; chains no longer used go last.
 * Empty text when nothing changed.
 */
export function incrementalRuleset(prev: ProgramState, models: ServicePortModel[], cfg: ProxyConfig): { text: string; state: ProgramState } {
  const next: ProgramState = { entries: new Map() };
  const dels: string[] = [];
  const changed: Rendered[] = [];
  const adds: string[] = [];
  const drops: string[] = [];
  for (const m of models) {
    const key = JSON.stringify(m);
    next.entries.set(m.id, { model: m, key });
    const old = prev.entries.get(m.id);
    if (old?.key === key) continue;
    const r = render(m, cfg);
    if (old) {
      const o = render(old.model, cfg);
      dels.push(...deleteElements(o));
      // Chains and sets the new form no longer has.
      drops.push(...[...o.chains.keys()].filter((c) => !r.chains.has(c)).map((c) => `delete chain ip ${TABLE} ${c}`));
      drops.push(...[...o.sets.keys()].filter((s) => !r.sets.has(s)).map((s) => `delete set ip ${TABLE} ${s}`));
    }
    changed.push(r);
    adds.push(...addElements(r));
  }
  for (const [id, old] of prev.entries) {
    if (next.entries.has(id)) continue;
    const o = render(old.model, cfg);
    dels.push(...deleteElements(o));
    drops.push(...undeclare(o));
  }
  // Chains are flushed before they are dropped, so jumps between dropped chains do not pin them.
  const flushes = drops.filter((d) => d.startsWith('delete chain')).map((d) => d.replace('delete chain', 'flush chain'));
  const lines = [...dels, ...declare(changed), ...adds, ...flushes, ...drops];
  return { text: lines.length ? lines.join('\n') + '\n' : '', state: next };
}
