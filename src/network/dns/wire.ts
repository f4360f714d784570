// DNS messages on the wire (RFC 1035): parsing a query and building
// answers. Only what a cluster resolver needs: the header, questions, and
// A, AAAA, CNAME, SRV, PTR, SOA, TXT records (others pass through the
// forwarder untouched). Name compression is read, never written.

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface Query {
  id: number;
  flags: number;
  questions: Question[];
  /** Whether the client sent an OPT record (EDNS0) and the UDP size it accepts. */
  udpSize?: number;
}

export type RecordData =
  | { type: 1; address: string }
  | { type: 28; address: string }
  | { type: 5; target: string }
  | { type: 12; target: string }
  | { type: 33; priority: number; weight: number; port: number; target: string }
  | { type: 16; text: string }
  | { type: 6; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };

export interface ResourceRecord {
  name: string;
  ttl: number;
  data: RecordData;
}

export class DnsFormatError extends Error {}

function readName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1;
  let jumps = 0;
  for (;;) {
    if (offset >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[offset]!;
    if ((len & 0xc0) === 0xc0) {
      if (offset + 1 >= buf.length) throw new DnsFormatError('truncated compression pointer');
      if (++jumps > 32) throw new DnsFormatError('compression loop');
      if (next < 0) next = offset + 2;
      offset = ((len & 0x3f) << 8) | buf[offset + 1]!;
      continue;
    }
    if (len === 0) {
      if (next < 0) next = offset + 1;
      break;
    }
    if (len > 63) throw new DnsFormatError('label longer than 63 bytes');
    labels.push(buf.toString('latin1', offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), next };
}

export function parseQuery(buf: Buffer): Query {
  if (buf.length < 12) throw new DnsFormatError('message shorter than a header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  let off = 12;
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) {
    const { name, next } = readName(buf, off);
    if (next + 4 > buf.length) throw new DnsFormatError('truncated question');
    questions.push({ name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) });
    off = next + 4;
  }
  // Skip answers and authority (a query has none, but be lenient), look for OPT in additional.
  let udpSize: number | undefined;
  for (let i = 0; i < an + ns + ar; i++) {
    const { next } = readName(buf, off);
    if (next + 10 > buf.length) break;
    const type = buf.readUInt16BE(next);
    const rdlen = buf.readUInt16BE(next + 8);
    if (type === 41 && i >= an + ns) udpSize = buf.readUInt16BE(next + 2);
    off = next + 10 + rdlen;
  }
  return { id, flags, questions, udpSize };
}

function writeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  const bufs = parts.map((p) => {
    const b = Buffer.from(p, 'latin1');
    if (b.length > 63) throw new DnsFormatError(`label "${p}" longer than 63 bytes`);
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  return Buffer.concat([...bufs, Buffer.from([0])]);
}

function rdata(d: RecordData): Buffer {
  switch (d.type) {
    case 1:
      return Buffer.from(d.address.split('.').map(Number));
    case 28: {
      const b = Buffer.alloc(16);
      const [head = '', tail = ''] = d.address.split('::');
      const h = head ? head.split(':') : [];
      const t = tail ? tail.split(':') : [];
      const groups = d.address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
      groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
      return b;
    }
    case 5:
    case 12:
      return writeName(d.target);
    case 33: {
      const h = Buffer.alloc(6);
      h.writeUInt16BE(d.priority, 0);
      h.writeUInt16BE(d.weight, 2);
      h.writeUInt16BE(d.port, 4);
      return Buffer.concat([h, writeName(d.target)]);
    }
    case 16: {
      const t = Buffer.from(d.text, 'utf8').subarray(0, 255);
      return Buffer.concat([Buffer.from([t.length]), t]);
    }
    case 6: {
      const nums = Buffer.alloc(20);
      [d.serial, d.refresh, d.retry, d.expire, d.minimum].forEach((n, i) => nums.writeUInt32BE(n >>> 0, i * 4));
      return Buffer.concat([writeName(d.mname), writeName(d.rname), nums]);
    }
  }
}

function writeRecord(r: ResourceRecord): Buffer {
  const data = rdata(r.data);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(r.data.type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(r.ttl >>> 0, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([writeName(r.name), fixed, data]);
}

export interface Answer {
  rcode: number;
  answers: ResourceRecord[];
  authority?: ResourceRecord[];
  additional?: ResourceRecord[];
  /** Authoritative for the cluster domain. */
  authoritative?: boolean;
}

/** The response to `q`; over UDP, cut to `maxSize` with the TC bit set when it does not fit. */
export function buildResponse(q: Query, a: Answer, maxSize = Infinity): Buffer {
  const build = (answers: ResourceRecord[], truncated: boolean) => {
    const header = Buffer.alloc(12);
    header.writeUInt16BE(q.id, 0);
    // QR=1, opcode from the query, AA, TC, RD copied, RA=1, rcode.
    const opcode = q.flags & 0x7800;
    const rd = q.flags & 0x0100;
    header.writeUInt16BE(0x8000 | opcode | (a.authoritative ? 0x0400 : 0) | (truncated ? 0x0200 : 0) | rd | 0x0080 | (a.rcode & 0xf), 2);
    header.writeUInt16BE(q.questions.length, 4);
    header.writeUInt16BE(answers.length, 6);
    header.writeUInt16BE(truncated ? 0 : (a.authority?.length ?? 0), 8);
    header.writeUInt16BE(truncated ? 0 : (a.additional?.length ?? 0), 10);
    const qs = q.questions.map((x) => {
      const t = Buffer.alloc(4);
      t.writeUInt16BE(x.type, 0);
      t.writeUInt16BE(x.class, 2);
      return Buffer.concat([writeName(x.name), t]);
    });
    const rest = truncated ? [] : [...(a.authority ?? []), ...(a.additional ?? [])];
    return Buffer.concat([header, ...qs, ...answers.map(writeRecord), ...rest.map(writeRecord)]);
  };
  const full = build(a.answers, false);
  if (full.length <= maxSize) return full;
  // Keep as many answers as fit, and tell the client to retry over TCP.
  let n = a.answers.length;
  let out = build([], true);
  while (n > 0) {
    const b = build(a.answers.slice(0, n), true);
    if (b.length <= maxSize) {
      out = b;
      break;
    }
    n--;
  }
  return out;
}

/** A response with only a header and the question: errors (FORMERR, SERVFAIL...). */
export function errorResponse(buf: Buffer, rcode: number): Buffer {
  const id = buf.length >= 2 ? buf.readUInt16BE(0) : 0;
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x8080 | (rcode & 0xf), 2);
  return h;
}
