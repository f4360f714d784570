// Pod networks through CNI plugins: the network list is read from a config
// directory (the first *.conflist or *.conf by name, as the CNI libraries
// choose), each plugin is run with the CNI environment and its config on
// stdin, ADD in order (each sees the previous result), DEL in reverse. The
// loopback plugin brings up `lo` in every pod. The last ADD result is kept
// on disk per pod, as libcni's cache does, so DEL gets it after a restart.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetworkError, type Network, type PodNetworkRef, type PodNetworkStatus } from '../network.ts';

export const DEFAULT_CNI_BIN_DIRS = ['/usr/lib/cni', '/opt/cni/bin'];

export interface CniOptions {
  /** Directory of network configs (a user may drop their own conflist here). */
  confDir: string;
  /** Where plugin binaries are looked for, in order. */
  binDirs?: string[];
  /** Where ADD results are cached per pod. */
  cacheDir: string;
  ifName?: string;
}

interface NetConfList {
  cniVersion: string;
  name: string;
  plugins: Record<string, unknown>[];
}

interface CniResult {
  cniVersion?: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number; version?: string }[];
}

/** Loads the network config from `dir`: the first .conflist, .conf or .json file by name. */
export function loadNetConfList(dir: string): NetConfList {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(conflist|conf|json)$/.test(f)).sort() : [];
  if (files.length === 0) throw new NetworkError(`no CNI network config in ${dir}: expected a .conflist file`);
  const path = join(dir, files[0]!);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new NetworkError(`CNI config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(parsed.plugins)) {
    if (typeof parsed.name !== 'string' || parsed.plugins.length === 0) throw new NetworkError(`CNI config ${path}: a conflist needs a name and at least one plugin`);
    return { cniVersion: String(parsed.cniVersion ?? '1.0.0'), name: parsed.name, plugins: parsed.plugins as Record<string, unknown>[] };
  }
  // A single-plugin .conf is a list of one.
  if (typeof parsed.type !== 'string') throw new NetworkError(`CNI config ${path}: neither a plugin list nor a plugin (no "type")`);
  return { cniVersion: String(parsed.cniVersion ?? '1.0.0'), name: String(parsed.name ?? 'net'), plugins: [parsed] };
}

export class CniNetwork implements Network {
  private readonly binDirs: string[];
  /** ADD results by sandbox id: the disk cache's contents, kept in memory. */
  private readonly results = new Map<string, { list: NetConfList; result: CniResult }>();
  private readonly ifName: string;

  constructor(private readonly o: CniOptions) {
    this.binDirs = o.binDirs ?? DEFAULT_CNI_BIN_DIRS;
    this.ifName = o.ifName ?? 'eth0';
    mkdirSync(o.cacheDir, { recursive: true });
  }

  async setUp(pod: PodNetworkRef): Promise<PodNetworkStatus> {
    const list = loadNetConfList(this.o.confDir);
    await this.invoke('ADD', { type: 'loopback', cniVersion: list.cniVersion, name: 'cni-loopback' }, pod, 'lo');
    let prev: CniResult | undefined;
    try {
      for (const plugin of list.plugins) {
        prev = await this.invoke('ADD', { ...plugin, cniVersion: list.cniVersion, name: list.name, ...(prev ? { prevResult: prev } : {}) }, pod, this.ifName);
      }
    } catch (e) {
      // A half-made network is taken down again, so a retry starts clean.
      await this.runDel(list, pod, prev).catch(() => {});
      throw e;
    }
    this.saveResult(pod.id, { list, result: prev ?? {} });
    return statusOf(prev ?? {}, this.ifName);
  }

  async tearDown(pod: PodNetworkRef): Promise<void> {
    const cached = this.loadResult(pod.id);
    // No cached ADD: the network was never set up (or is down already); setUp undoes its own failures.
    if (!cached) return;
    await this.runDel(cached.list, pod, cached.result);
    rmSync(this.cachePath(pod.id), { force: true });
    this.results.delete(pod.id);
  }

  /** The addresses an earlier setUp gave the pod (read back from the cache, e.g. after a restart). */
  status(id: string): PodNetworkStatus | undefined {
    const cached = this.loadResult(id);
    return cached ? statusOf(cached.result, this.ifName) : undefined;
  }

  private async runDel(list: NetConfList, pod: PodNetworkRef, prev: CniResult | undefined): Promise<void> {
    // DEL must succeed when the namespace is already gone; plugins accept an empty CNI_NETNS then.
    const netns = existsSync(pod.netnsPath) ? pod.netnsPath : '';
    for (const plugin of [...list.plugins].reverse()) {
      await this.invoke('DEL', { ...plugin, cniVersion: list.cniVersion, name: list.name, ...(prev ? { prevResult: prev } : {}) }, { ...pod, netnsPath: netns }, this.ifName);
    }
  }

  private findPlugin(type: string): string {
    if (!/^[\w.-]+$/.test(type)) throw new NetworkError(`CNI plugin type "${type}" is not a plugin name`);
    for (const d of this.binDirs) {
      const p = join(d, type);
      if (existsSync(p)) return p;
    }
    throw new NetworkError(`CNI plugin "${type}" not found in ${this.binDirs.join(', ')}: install it (Debian: apt-get install containernetworking-plugins)`);
  }

  private invoke(command: 'ADD' | 'DEL' | 'CHECK', config: Record<string, unknown>, pod: PodNetworkRef, ifName: string): Promise<CniResult> {
    const bin = this.findPlugin(String(config.type));
    const env = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: command,
      CNI_CONTAINERID: pod.id,
      CNI_NETNS: pod.netnsPath,
      CNI_IFNAME: ifName,
      CNI_PATH: this.binDirs.join(':'),
      CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name};K8S_POD_INFRA_CONTAINER_ID=${pod.id};K8S_POD_UID=${pod.uid}`,
    };
    return new Promise((resolve, reject) => {
      const child = spawn(bin, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', (e) => reject(new NetworkError(`CNI plugin ${bin}: ${e.message}`)));
      child.on('close', (code) => {
        if (code === 0) {
          try {
            resolve(out.trim() ? (JSON.parse(out) as CniResult) : {});
          } catch {
            reject(new NetworkError(`CNI plugin ${config.type} ${command}: output is not JSON: ${out.slice(0, 200)}`));
          }
          return;
        }
        let msg = err.trim() || out.trim();
        let errCode: number | undefined;
        try {
          const e = JSON.parse(out) as { code?: number; msg?: string; details?: string };
          errCode = e.code;
          msg = [e.msg, e.details].filter(Boolean).join(': ');
        } catch {
          // not a CNI error object; keep the raw text
        }
        reject(new NetworkError(`CNI plugin ${config.type} ${command} failed for pod ${pod.namespace}/${pod.name}: ${msg}`, errCode));
      });
      child.stdin.end(JSON.stringify(config));
    });
  }

  private cachePath(id: string): string {
    return join(this.o.cacheDir, `${id.replace(/[^\w.-]/g, '_')}.json`);
  }

  private saveResult(id: string, v: { list: NetConfList; result: CniResult }): void {
    const p = this.cachePath(id);
    writeFileSync(`${p}.tmp`, JSON.stringify(v));
    renameSync(`${p}.tmp`, p);
    this.results.set(id, v);
  }

  /** From memory once read: status() runs for every sandbox on each runtime relist (every second). */
  private loadResult(id: string): { list: NetConfList; result: CniResult } | undefined {
    const known = this.results.get(id);
    if (known) return known;
    try {
      const v = JSON.parse(readFileSync(this.cachePath(id), 'utf8')) as { list: NetConfList; result: CniResult };
      this.results.set(id, v);
      return v;
    } catch {
      return undefined;
    }
  }
}

/** The pod's addresses from a CNI result: those on the pod-side interface, IPv4 first. */
export function statusOf(r: CniResult, ifName: string): PodNetworkStatus {
  const podIfs = new Set((r.interfaces ?? []).flatMap((i, n) => (i.sandbox ? [n] : [])));
  const ips = (r.ips ?? []).filter((ip) => ip.interface === undefined || podIfs.size === 0 || podIfs.has(ip.interface));
  const addrs = ips.map((ip) => ip.address.split('/')[0]!);
  addrs.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
  return { ips: addrs, interface: ifName, gateway: ips.find((ip) => !ip.address.includes(':'))?.gateway };
}
