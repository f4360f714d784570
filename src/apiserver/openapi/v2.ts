// `GET /openapi/v2`: one Swagger 2.0 document for every served group version,
// derived from the v3 documents, in JSON; and a stub of it in protobuf.
//
// kubectl asks for v2 only in protobuf. 1.32 does so only when a v3 document
// lacks fieldValidation, or for `explain --output plaintext-openapiv2`. But
// 1.27 and 1.28 load it eagerly before `apply`/`create -f`/`replace`, and fail
// ("the server could not find the requested resource") when /openapi/v2 answers
// 406 and the legacy /swagger-2.0.0.pb-v1 answers 404, even though they then
// use the v3 documents to decide on fieldValidation. A parseable document with
// no definitions is enough for them: they find fieldValidation in v3 and leave
// validation to the server, and their client-side apply falls back to the
// compiled-in patch metadata for kinds v2 does not describe.

import { groupVersions } from '../registry/resources.ts';
import { INT_OR_STRING, QUANTITY, REF_PREFIX, type Schema } from './schemas.ts';
import { groupVersionPath, openAPIV3Document } from './v3.ts';

const V2_REF_PREFIX = '#/definitions/';

/** A v3 schema in v2 form: refs into #/definitions, `allOf: [$ref]` wrappers unwrapped. */
function schemaV2(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(schemaV2);
  if (!value || typeof value !== 'object') return value;
  const s = value as Schema;
  const allOf = s.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && !s.properties) {
    // Swagger 2.0 honours siblings of $ref (description), so the wrapper is not needed.
    const { allOf: _, ...rest } = s;
    return schemaV2({ ...(allOf[0] as Schema), ...rest });
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace(REF_PREFIX, V2_REF_PREFIX) : schemaV2(v);
  }
  return out;
}

/** Kubernetes' v2 forms of the two types whose v3 form uses oneOf, which v2 lacks. */
function definitionV2(name: string, s: Schema): unknown {
  const description = s.description;
  if (name === INT_OR_STRING) return { description, type: 'string', format: 'int-or-string' };
  if (name === QUANTITY) return { description, type: 'string' };
  return schemaV2(s);
}

/** A v3 parameter ({name, in, schema}) as a v2 one ({name, in, type}). */
function parameterV2(p: Schema): Schema {
  const { schema, ...rest } = p;
  return { ...rest, ...(schema as Schema) };
}

function operationV2(op: Schema): Schema {
  const { parameters, requestBody, responses, ...rest } = op;
  const out: Schema = { ...rest };
  const params = ((parameters ?? []) as Schema[]).map(parameterV2);
  if (requestBody) {
    const content = (requestBody as Schema).content as Record<string, Schema>;
    out.consumes = Object.keys(content);
    const first = Object.values(content)[0]!;
    params.unshift({ name: 'body', in: 'body', required: true, schema: schemaV2(first.schema) });
  }
  if (params.length) out.parameters = params;
  const produces = new Set<string>();
  const res: Schema = {};
  for (const [code, r] of Object.entries(responses as Record<string, Schema>)) {
    const content = r.content as Record<string, Schema> | undefined;
    const entry: Schema = { description: r.description };
    if (content) {
      for (const t of Object.keys(content)) produces.add(t);
      entry.schema = schemaV2(Object.values(content)[0]!.schema);
    }
    res[code] = entry;
  }
  if (produces.size) out.produces = [...produces];
  out.responses = res;
  out.schemes = ['https'];
  return out;
}

function pathItemV2(item: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(item)) {
    out[k] = k === 'parameters' ? (v as Schema[]).map(parameterV2) : operationV2(v as Schema);
  }
  return out;
}

let cached: object | undefined;

/** The whole Swagger 2.0 document, built once. */
export function openAPIV2Document(): object {
  if (cached) return cached;
  const paths: Record<string, Schema> = {};
  const definitions: Record<string, unknown> = {};
  for (const gv of groupVersions()) {
    const doc = openAPIV3Document(groupVersionPath(gv)) as { paths: Record<string, Schema>; components: { schemas: Record<string, Schema> } };
    for (const [p, item] of Object.entries(doc.paths)) paths[p] = pathItemV2(item);
    for (const [name, s] of Object.entries(doc.components.schemas)) definitions[name] ??= definitionV2(name, s);
  }
  const sortedDefs = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : 1)));
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : 1)));
  cached = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: sortedPaths,
    definitions: sortedDefs,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
  return cached;
}

/** Appends a length-delimited protobuf field. */
function field(out: number[], num: number, payload: Uint8Array | number[]): void {
  out.push((num << 3) | 2);
  let n = payload.length;
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
  out.push(n, ...payload);
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];

let protobuf: Uint8Array | undefined;

/**
 * `GET /openapi/v2` for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`:
 * a gnostic openapi_v2.Document holding only `swagger` and `info` (see the note at the top).
 */
export function openAPIV2Protobuf(): Uint8Array {
  if (protobuf) return protobuf;
  const info: number[] = [];
  field(info, 1, utf8('Kubernetes')); // Info.title
  field(info, 2, utf8('v1.32.0')); // Info.version
  const doc: number[] = [];
  field(doc, 1, utf8('2.0')); // Document.swagger
  field(doc, 2, info); // Document.info
  protobuf = Uint8Array.from(doc);
  return protobuf;
}

/** The content type the protobuf document is served with. */
// Not the '@' form kubectl puts in Accept: Go's mime parser rejects it in a Content-Type.
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
