// The pod's /etc/hosts as the kubelet manages it (<pod dir>/etc-hosts,
// bind-mounted over each container's /etc/hosts once the pod has IPs):
// localhost lines, one line per pod IP naming the hostname (the FQDN first
// when the pod has a subdomain), then hostAliases. A hostNetwork pod gets
// the node's own hosts file under a different header.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, HostAlias, Pod } from 'kubernetes-types/core/v1.js';
import type { Mount } from '../engine/runtime.ts';

const MANAGED_HEADER = '# Kubernetes-managed hosts file.\n';
const HOST_NETWORK_HEADER = '# Kubernetes-managed hosts file (host network).\n';
export const ETC_HOSTS_PATH = '/etc/hosts';

export class HostnameError extends Error {}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function dns1123LabelErrors(v: string): string | undefined {
  if (v.length > 63) return 'must be no more than 63 characters';
  if (!DNS1123_LABEL.test(v)) return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  return undefined;
}

/** The kubelet's GeneratePodHostNameAndDomain: hostname (≤ 63, trailing '-'/'.' trimmed) and `<subdomain>.<ns>.svc.<domain>`. */
export function podHostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; domain: string } {
  let hostname = pod.metadata!.name!;
  const specHost = pod.spec?.hostname;
  if (specHost) {
    const err = dns1123LabelErrors(specHost);
    if (err) throw new HostnameError(`pod Hostname "${specHost}" is not a valid DNS label: ${err}`);
    hostname = specHost;
  }
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
  let domain = '';
  const sub = pod.spec?.subdomain;
  if (sub) {
    const err = dns1123LabelErrors(sub);
    if (err) throw new HostnameError(`pod Subdomain "${sub}" is not a valid DNS label: ${err}`);
    domain = `${sub}.${pod.metadata!.namespace}.svc.${clusterDomain}`;
  }
  return { hostname, domain };
}

function aliasLines(aliases: HostAlias[] | undefined): string {
  if (!aliases?.length) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return out;
}

/** managedHostsFileContent: what a pod with its own network namespace sees. */
export function managedHostsFile(podIPs: string[], hostname: string, domain: string, aliases?: HostAlias[]): string {
  let out = MANAGED_HEADER;
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + aliasLines(aliases);
}

/** nodeHostsFileContent: a hostNetwork pod's file is the node's, plus its hostAliases. */
export function hostNetworkHostsFile(nodeHosts: string, aliases?: HostAlias[]): string {
  return HOST_NETWORK_HEADER + nodeHosts + aliasLines(aliases);
}

export interface HostsFileOptions {
  clusterDomain: string;
  /** The node's hosts file, for hostNetwork pods (default /etc/hosts). */
  nodeHostsPath?: string;
}

/** The pod's hosts file content (the kubelet rewrites it before each container start). */
export function podHostsFile(pod: Pod, podIPs: string[], o: HostsFileOptions): string {
  const aliases = pod.spec?.hostAliases;
  if (pod.spec?.hostNetwork) return hostNetworkHostsFile(readFileSync(o.nodeHostsPath ?? ETC_HOSTS_PATH, 'utf8'), aliases);
  const { hostname, domain } = podHostnameAndDomain(pod, o.clusterDomain);
  return managedHostsFile(podIPs, hostname, domain, aliases);
}

/** Writes the file (0644). */
export function writeHostsFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o644 });
  chmodSync(path, 0o644);
}

/**
 * The kubelet's /etc/hosts mount of a container: written to `<podDir>/etc-hosts`
 * and mounted when the pod has IPs and the container does not mount /etc/hosts itself.
 */
export function etcHostsMount(pod: Pod, c: Container, podIPs: string[], podDir: string, o: HostsFileOptions): Mount | undefined {
  if (podIPs.length === 0) return undefined;
  if ((c.volumeMounts ?? []).some((m) => m.mountPath === ETC_HOSTS_PATH)) return undefined;
  const content = podHostsFile(pod, podIPs, o);
  mkdirSync(podDir, { recursive: true });
  const path = join(podDir, 'etc-hosts');
  // Rewritten in place (never renamed over): running containers bind-mount this inode.
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== content) writeHostsFile(path, content);
  return { containerPath: ETC_HOSTS_PATH, hostPath: path, readonly: false };
}
