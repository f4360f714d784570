// The cluster DNS server: answers the cluster domain from Services and
// EndpointSlices it watches (ClusterRecords, rebuilt on change), forwards
// everything else to the host's upstream resolvers, over UDP and TCP.

import { createSocket, type Socket } from 'node:dgram';
import { createServer, Socket as TcpSocket, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Client, KubeObject } from '../../client/rest.ts';
import { Informer } from '../../client/informer.ts';
import { ClusterRecords } from './records.ts';
import { buildResponse, DnsFormatError, errorResponse, parseQuery, RCODE } from './wire.ts';

export interface DnsServerOptions {
  /** Address and port to listen on (both UDP and TCP). */
  host: string;
  port: number;
  domain?: string;
  /** Upstream resolvers (`ip` or `ip:port`); default: the nameservers of /etc/resolv.conf. */
  upstreams?: string[];
  /** Per-upstream timeout of a forwarded query. */
  forwardTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Nameservers of a resolv.conf text, without loopback stubs that would point back at ourselves. */
export function upstreamsFromResolvConf(text: string, self?: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().match(/^nameserver\s+(\S+)/)?.[1])
    .filter((ip): ip is string => !!ip && ip !== self);
}

export class DnsServer {
  private readonly services: Informer<Service & KubeObject>;
  private readonly slices: Informer<EndpointSlice & KubeObject>;
  private records: ClusterRecords | undefined;
  private udp: Socket | undefined;
  private tcp: Server | undefined;
  private readonly tcpConns = new Set<TcpSocket>();
  private readonly upstreams: string[];
  private readonly domain: string;

  constructor(
    client: Client,
    private readonly opts: DnsServerOptions,
  ) {
    this.domain = opts.domain ?? 'cluster.local';
    const onError = (e: unknown) => opts.log?.(`dns: ${(e as Error).message}`);
    this.services = new Informer(client.resource('v1', 'services') as never, { onError });
    this.slices = new Informer(client.resource('discovery.k8s.io/v1', 'endpointslices') as never, { onError });
    const invalidate = () => (this.records = undefined);
    for (const inf of [this.services, this.slices] as Informer<KubeObject>[]) inf.onAdd(invalidate).onUpdate(invalidate).onDelete(invalidate);
    let resolv = '';
    try {
      resolv = readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      // no upstreams: names outside the cluster get SERVFAIL
    }
    this.upstreams = opts.upstreams ?? upstreamsFromResolvConf(resolv, opts.host);
  }

  /** Starts watching and listening; resolves with the bound port. */
  async start(): Promise<number> {
    this.services.start();
    this.slices.start();
    await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
    // UDP and TCP share the port number; with port 0 the TCP side may find UDP's number taken, so try again.
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: 'udp4', reuseAddr: false });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.opts.port, this.opts.host, () => resolve());
      });
      const port = udp.address().port;
      const tcp = createServer((conn) => this.serveTcp(conn));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, this.opts.host, () => resolve());
        });
      } catch (e) {
        udp.close();
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' && this.opts.port === 0 && attempt < 20) continue;
        throw e;
      }
      udp.on('message', (msg, rinfo) => {
        void this.answer(msg, 'udp').then((out) => {
          if (out) udp.send(out, rinfo.port, rinfo.address);
        });
      });
      this.udp = udp;
      this.tcp = tcp;
      return port;
    }
  }

  async stop(): Promise<void> {
    this.services.stop();
    this.slices.stop();
    this.udp?.close();
    for (const c of this.tcpConns) c.destroy();
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
  }

  private current(): ClusterRecords {
    this.records ??= new ClusterRecords({ services: this.services.list(), slices: this.slices.list() }, this.domain);
    return this.records;
  }

  private serveTcp(conn: TcpSocket): void {
    this.tcpConns.add(conn);
    conn.on('close', () => this.tcpConns.delete(conn));
    conn.on('error', () => conn.destroy());
    conn.setTimeout(10_000, () => conn.destroy());
    let buf = Buffer.alloc(0);
    conn.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.answer(msg, 'tcp').then((out) => {
          if (!out || conn.destroyed) return;
          const l = Buffer.alloc(2);
          l.writeUInt16BE(out.length);
          conn.write(Buffer.concat([l, out]));
        });
      }
    });
  }

  /** The response to one message, or undefined to drop it. */
  async answer(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    let q;
    try {
      q = parseQuery(msg);
    } catch (e) {
      return e instanceof DnsFormatError ? errorResponse(msg, RCODE.FORMERR) : undefined;
    }
    if (q.flags & 0x8000) return undefined; // a response, not a query
    if (((q.flags >> 11) & 0xf) !== 0) return errorResponse(msg, RCODE.NOTIMP);
    const question = q.questions[0];
    if (!question || q.questions.length !== 1) return errorResponse(msg, RCODE.FORMERR);
    const records = this.current();
    if (!records.owns(question.name)) return this.forward(msg, transport);
    const maxSize = transport === 'tcp' ? 65535 : Math.max(512, Math.min(q.udpSize ?? 512, 4096));
    return buildResponse(q, records.resolve(question.name, question.type), maxSize);
  }

  private async forward(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer> {
    for (const up of this.upstreams) {
      const [host, portText] = up.includes(':') && !up.includes('::') ? up.split(':') : [up, '53'];
      try {
        return transport === 'tcp' ? await forwardTcp(msg, host!, Number(portText), this.opts.forwardTimeoutMs ?? 2000) : await forwardUdp(msg, host!, Number(portText), this.opts.forwardTimeoutMs ?? 2000);
      } catch (e) {
        this.opts.log?.(`dns: upstream ${up}: ${(e as Error).message}`);
      }
    }
    return errorResponse(msg, RCODE.SERVFAIL);
  }
}

function forwardUdp(msg: Buffer, host: string, port: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = (f: () => void) => {
      clearTimeout(t);
      s.close();
      f();
    };
    const t = setTimeout(() => done(() => reject(new Error('timed out'))), timeoutMs);
    s.on('message', (m) => {
      if (m.length >= 2 && m.readUInt16BE(0) === msg.readUInt16BE(0)) done(() => resolve(m));
    });
    s.on('error', (e) => done(() => reject(e)));
    s.send(msg, port, host);
  });
}

function forwardTcp(msg: Buffer, host: string, port: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const conn = new TcpSocket();
    let buf = Buffer.alloc(0);
    const t = setTimeout(() => {
      conn.destroy();
      reject(new Error('timed out'));
    }, timeoutMs);
    conn.on('error', (e: Error) => {
      clearTimeout(t);
      reject(e);
    });
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(t);
        conn.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    conn.connect(port, host, () => {
      const l = Buffer.alloc(2);
      l.writeUInt16BE(msg.length);
      conn.write(Buffer.concat([l, msg]));
    });
  });
}
