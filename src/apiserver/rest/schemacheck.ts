// What Kubernetes' decoder does to a request body before anything else looks
// at it: values of the wrong JSON type are refused (400, in the decoder's own
// wording), and fields the schema does not know are reported — refused under
// fieldValidation=Strict, a Warning under Warn (the default), silent under
// Ignore — and dropped, since a Go struct has nowhere to keep them.

import * as errors from '../../api/errors.ts';
import { getSchema, INT_OR_STRING, REF_PREFIX, schemaName, type Schema } from '../openapi/schemas.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** `verb` names the options kind Kubernetes reports the bad value against (CreateOptions, UpdateOptions, PatchOptions). */
export function parseFieldValidation(v: string | null, verb: string): FieldValidation {
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  const kind = verb === 'create' ? 'CreateOptions' : verb === 'patch' ? 'PatchOptions' : 'UpdateOptions';
  throw errors.invalid('meta.k8s.io', kind, '', [{ type: 'FieldValueNotSupported', field: 'fieldValidation', badValue: v, detail: 'supported values: "Ignore", "Strict", "Warn"' }]);
}

interface Walk {
  unknown: string[];
  typeError?: string;
}

function resolve(s: Schema | undefined): { schema: Schema | undefined; name?: string } {
  let name: string | undefined;
  for (let i = 0; s && i < 8; i++) {
    const ref = typeof s.$ref === 'string' ? s.$ref : Array.isArray(s.allOf) && s.allOf.length === 1 ? ((s.allOf[0] as Schema).$ref as string | undefined) : undefined;
    if (!ref) break;
    name = ref.slice(REF_PREFIX.length);
    s = getSchema(name);
  }
  return { schema: s, name };
}

const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'boolean' ? 'bool' : typeof v);

function goType(s: Schema): string {
  if (s['x-kubernetes-int-or-string']) return 'intstr.IntOrString';
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
      return 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'array':
      return '[]' + goType(resolve(s.items as Schema).schema ?? {});
    case 'object':
      return s.additionalProperties ? 'map[string]' + goType(resolve(s.additionalProperties as Schema).schema ?? {}) : 'struct';
  }
  return 'interface {}';
}

// A plain function rather than a closure made per node: the walk visits every value of every body.
function failWith(w: Walk, value: unknown, owner: string, goPath: string, schema: Schema): void {
  w.typeError = `json: cannot unmarshal ${jsonType(value)} into Go struct field ${owner}.${goPath} of type ${goType(schema)}`;
}

/** `path` names the field for unknown-field reports; `goPath` is how Go's decoder names it (no indices, no map keys). */
function check(value: unknown, raw: Schema | undefined, path: string, goPath: string, owner: string, w: Walk): void {
  if (w.typeError) return;
  const { schema, name } = resolve(raw);
  if (!schema || value === null || value === undefined) return;
  const structName = name ? name.slice(name.lastIndexOf('.') + 1) : owner;
  if (schema['x-kubernetes-int-or-string'] || name === INT_OR_STRING) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) failWith(w, value, owner, goPath, schema);
    return;
  }
  if (Array.isArray(schema.oneOf)) {
    // Quantity: a string or a number.
    if (typeof value !== 'string' && typeof value !== 'number') failWith(w, value, owner, goPath, schema);
    return;
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') failWith(w, value, owner, goPath, schema);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) failWith(w, value, owner, goPath, schema);
      return;
    case 'number':
      if (typeof value !== 'number') failWith(w, value, owner, goPath, schema);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') failWith(w, value, owner, goPath, schema);
      return;
    case 'array':
      if (!Array.isArray(value)) return failWith(w, value, owner, goPath, schema);
      value.forEach((v, i) => check(v, schema.items as Schema, `${path}[${i}]`, goPath, owner, w));
      return;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return failWith(w, value, owner, goPath, schema);
      const obj = value as Record<string, unknown>;
      const props = schema.properties as Record<string, Schema> | undefined;
      const extra = schema.additionalProperties as Schema | boolean | undefined;
      for (const [k, v] of Object.entries(obj)) {
        const p = path ? `${path}.${k}` : k;
        const gp = goPath ? `${goPath}.${k}` : k;
        if (props && k in props) check(v, props[k], p, gp, structName, w);
        else if (extra && typeof extra === 'object') check(v, extra, p, goPath, structName, w);
        else if (props) {
          w.unknown.push(p);
          delete obj[k];
        }
      }
      return;
    }
  }
}

/**
 * Checks (and prunes) `obj` against the schema of group/version/kind. Throws
 * 400 for a type mismatch, or for unknown fields under Strict; returns the
 * unknown fields for Warn to report.
 */
export function decodeAgainstSchema(obj: Record<string, unknown>, group: string, version: string, kind: string, mode: FieldValidation): string[] {
  const schema = getSchema(schemaName(group, version, kind));
  if (!schema) return [];
  const w: Walk = { unknown: [] };
  const top: Record<string, unknown> = { ...obj };
  check(top, schema, '', '', kind, w);
  const cannot = `${kind} in version "${version}" cannot be handled as a ${kind}`;
  if (w.typeError) throw errors.badRequest(`${cannot}: ${w.typeError}`);
  if (w.unknown.length > 0 && mode === 'Strict') {
    throw errors.badRequest(`${cannot}: strict decoding error: ${w.unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  }
  // Pruning happened on the copy for top-level keys and in place below them.
  for (const k of Object.keys(obj)) if (!(k in top)) delete obj[k];
  return mode === 'Ignore' ? [] : w.unknown;
}
