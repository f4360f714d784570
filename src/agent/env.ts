// A container's environment as the kubelet builds it (makeEnvironmentVariables):
// envFrom in order (with prefix; invalid names skipped and reported), then
// env in order, later names overriding earlier ones; literal values expand
// $(VAR) against what is defined so far; command and args expand against
// the result. Service variables (serviceenv.ts) come after what the
// container declares, which overrides them, and $(VAR) sees them too. A
// missing configMap/secret (or key) that is not optional is a
// CreateContainerConfigError with the kubelet's message.

import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { KeyValue } from '../engine/runtime.ts';
import { FieldPathError, podFieldValue, resourceFieldValue, type PodRuntimeFields } from './fieldpath.ts';
import { ObjectNotFound, type ObjectSource } from './objects.ts';

export class EnvError extends Error {}

export interface EnvResult {
  envs: KeyValue[];
  /** Warnings for events (InvalidEnvironmentVariableNames). */
  warnings: string[];
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Kubernetes' expansion.Expand: `$(NAME)` becomes the mapped value when NAME
 * is defined, else stays as written; `$$` is an escaped `$`.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = lookup(name);
      out += v !== undefined ? v : `$(${name})`;
      i = close;
    } else {
      out += c + next;
      i++;
    }
  }
  return out;
}

export interface EnvContext {
  objects: ObjectSource;
  runtime: PodRuntimeFields;
  nodeAllocatable: Record<string, string>;
  /** The service variables of the container (ServiceLister.envFor). */
  serviceEnv?: Map<string, string>;
}

export async function containerEnv(pod: Pod, c: Container, ctx: EnvContext): Promise<EnvResult> {
  const ns = pod.metadata!.namespace!;
  const env = new Map<string, string>();
  const warnings: string[] = [];
  const cms = new Map<string, ConfigMap | null>();
  const secrets = new Map<string, Secret | null>();
  const getCM = async (name: string, optional: boolean): Promise<ConfigMap | null> => {
    if (!cms.has(name)) {
      try {
        cms.set(name, await ctx.objects.configMap(ns, name));
      } catch (e) {
        if (e instanceof ObjectNotFound && optional) return null;
        throw e instanceof ObjectNotFound ? new EnvError(e.message) : e;
      }
    }
    return cms.get(name)!;
  };
  const getSecret = async (name: string, optional: boolean): Promise<Secret | null> => {
    if (!secrets.has(name)) {
      try {
        secrets.set(name, await ctx.objects.secret(ns, name));
      } catch (e) {
        if (e instanceof ObjectNotFound && optional) return null;
        throw e instanceof ObjectNotFound ? new EnvError(e.message) : e;
      }
    }
    return secrets.get(name)!;
  };

  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> = {};
    let what = '';
    if (from.configMapRef) {
      const cm = await getCM(from.configMapRef.name ?? '', !!from.configMapRef.optional);
      if (!cm) continue;
      data = { ...(cm.data ?? {}) };
      what = `configMap ${ns}/${from.configMapRef.name}`;
    } else if (from.secretRef) {
      const s = await getSecret(from.secretRef.name ?? '', !!from.secretRef.optional);
      if (!s) continue;
      for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64').toString();
      what = `secret ${ns}/${from.secretRef.name}`;
    }
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data)) {
      const name = prefix + k;
      if (!ENV_NAME.test(name)) invalid.push(name);
      else env.set(name, v);
    }
    if (invalid.length) warnings.push(`Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`);
  }

  const services = ctx.serviceEnv ?? new Map<string, string>();
  const lookup = (name: string) => env.get(name) ?? services.get(name);
  for (const e of c.env ?? []) {
    let value: string | undefined;
    const vf = e.valueFrom;
    if (!vf) {
      value = expand(e.value ?? '', lookup);
    } else if (vf.fieldRef) {
      try {
        value = podFieldValue(pod, vf.fieldRef.fieldPath, ctx.runtime);
      } catch (err) {
        throw err instanceof FieldPathError ? new EnvError(err.message) : err;
      }
    } else if (vf.resourceFieldRef) {
      try {
        value = resourceFieldValue(pod, c.name, vf.resourceFieldRef, ctx.nodeAllocatable);
      } catch (err) {
        throw err instanceof FieldPathError ? new EnvError(err.message) : err;
      }
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = await getCM(ref.name ?? '', !!ref.optional);
      if (!cm) continue;
      value = cm.data?.[ref.key] ?? (cm.binaryData?.[ref.key] !== undefined ? Buffer.from(cm.binaryData[ref.key]!, 'base64').toString() : undefined);
      if (value === undefined) {
        if (ref.optional) continue;
        throw new EnvError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
      }
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = await getSecret(ref.name ?? '', !!ref.optional);
      if (!s) continue;
      const b64 = s.data?.[ref.key];
      if (b64 === undefined) {
        if (ref.optional) continue;
        throw new EnvError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
      }
      value = Buffer.from(b64, 'base64').toString();
    }
    if (value !== undefined) env.set(e.name, value);
  }
  const envs = [...env].map(([name, value]) => ({ name, value }));
  for (const [name, value] of services) if (!env.has(name)) envs.push({ name, value });
  return { envs, warnings };
}

/** command and args with $(VAR) expanded against the container's final environment. */
export function expandCommand(c: Container, envs: KeyValue[]): { command?: string[]; args?: string[] } {
  const m = new Map(envs.map((e) => [e.name, e.value]));
  const lookup = (n: string) => m.get(n);
  return { command: c.command?.map((s) => expand(s, lookup)), args: c.args?.map((s) => expand(s, lookup)) };
}
