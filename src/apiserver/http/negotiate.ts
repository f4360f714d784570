// Media types as kubectl and client-go speak them: an Accept list of
// `type/subtype;as=Table;v=v1;g=meta.k8s.io` entries in preference order, and
// request bodies in JSON, YAML, or Kubernetes protobuf.

import { parse as parseYAML } from 'yaml';
import * as errors from '../../api/errors.ts';

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...ps] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of ps) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
    }
    return { type: (type ?? '').toLowerCase(), params };
  });
}

export type ResponseFormat = { kind: 'json' } | { kind: 'table'; version: 'v1' | 'v1beta1' } | { kind: 'discovery'; version: 'v2' | 'v2beta1' };

const isJSONish = (t: string) => t === 'application/json' || t === '*/*' || t === 'application/*' || t === '';

/**
 * Picks what to answer with, in the client's order of preference. Protobuf
 * is never chosen: every client that asks for it also accepts JSON.
 */
export function negotiate(accept: string | undefined, allow: { table?: boolean; discovery?: boolean }): ResponseFormat {
  const types = parseMediaTypes(accept);
  if (types.length === 0) return { kind: 'json' };
  for (const m of types) {
    if (m.type !== 'application/json') {
      if (isJSONish(m.type)) return { kind: 'json' };
      continue;
    }
    const as = m.params['as'];
    if (!as) return { kind: 'json' };
    if (as === 'Table' && allow.table && m.params['g'] === 'meta.k8s.io' && (m.params['v'] === 'v1' || m.params['v'] === 'v1beta1')) {
      return { kind: 'table', version: m.params['v'] };
    }
    if (as === 'APIGroupDiscoveryList' && allow.discovery && m.params['g'] === 'apidiscovery.k8s.io' && (m.params['v'] === 'v2' || m.params['v'] === 'v2beta1')) {
      return { kind: 'discovery', version: m.params['v'] };
    }
  }
  if (types.some((m) => m.type === 'application/vnd.kubernetes.protobuf' || m.type === 'application/yaml')) return { kind: 'json' };
  throw errors.notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

const BODY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

export interface DecodedBody {
  value: unknown;
  /** Where the body came from, for messages. */
  mediaType: string;
}

/** Decodes a create/update body: JSON, YAML or protobuf (through `protobuf`, supplied by the caller). */
export function decodeBody(contentType: string | undefined, body: Buffer, protobuf?: (b: Buffer) => unknown): DecodedBody {
  const mt = parseMediaTypes(contentType)[0]?.type || 'application/json';
  if (mt === 'application/json' || mt === 'application/apply-patch+yaml' || mt === 'application/yaml' || mt.endsWith('+json')) {
    return { value: parseTextBody(mt, body), mediaType: mt };
  }
  if (mt === 'application/vnd.kubernetes.protobuf' && protobuf) return { value: protobuf(body), mediaType: mt };
  throw errors.unsupportedMediaType(mt, protobuf ? BODY_TYPES : BODY_TYPES.slice(0, 2));
}

function parseTextBody(mt: string, body: Buffer): unknown {
  const text = body.toString('utf8');
  if (mt === 'application/yaml' || mt === 'application/apply-patch+yaml') {
    try {
      return parseYAML(text, { uniqueKeys: true, strict: true });
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    // Kubernetes' decoder wording: "couldn't get version/kind; json parse error: ...".
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}
