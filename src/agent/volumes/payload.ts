// The files of configMap, secret, downwardAPI and projected volumes: keys
// (or items) to paths with modes, as Kubernetes' volume plugins compute
// them, with their error messages for missing objects and keys.

import type { ConfigMapProjection, DownwardAPIVolumeFile, Pod, SecretProjection, Volume } from 'kubernetes-types/core/v1.js';
import { FieldPathError, podFieldValue, resourceFieldValue, type PodRuntimeFields } from '../fieldpath.ts';
import { ObjectNotFound, type ObjectSource } from '../objects.ts';
import { TokenFetchError, type TokenSource } from '../serviceaccount/tokens.ts';
import type { FileProjection } from './atomic.ts';

export const DEFAULT_MODE = 0o644;

export class VolumeSetupError extends Error {}

export interface PayloadContext {
  objects: ObjectSource;
  runtime: PodRuntimeFields;
  nodeAllocatable: Record<string, string>;
  /** ServiceAccount tokens for projected serviceAccountToken sources (none: such a volume fails to mount). */
  tokens?: TokenSource;
}

type Payload = Map<string, FileProjection>;

function keysToPayload(
  data: Map<string, Buffer>,
  items: { key: string; path: string; mode?: number }[] | undefined,
  mode: number,
  optional: boolean,
  missingKey: (k: string) => string,
  out: Payload,
): void {
  if (!items || items.length === 0) {
    for (const [k, v] of data) out.set(k, { data: v, mode });
    return;
  }
  for (const it of items) {
    const v = data.get(it.key);
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(missingKey(it.key));
    }
    out.set(it.path, { data: v, mode: it.mode ?? mode });
  }
}

async function configMapPayload(ns: string, src: ConfigMapProjection & { defaultMode?: number }, mode: number, ctx: PayloadContext, out: Payload): Promise<void> {
  const optional = !!src.optional;
  let cm;
  try {
    cm = await ctx.objects.configMap(ns, src.name ?? '');
  } catch (e) {
    if (e instanceof ObjectNotFound) {
      if (optional) return;
      throw new VolumeSetupError(e.message);
    }
    throw e;
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) data.set(k, Buffer.from(v));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) data.set(k, Buffer.from(v, 'base64'));
  keysToPayload(data, src.items, mode, optional, (k) => `configmap references non-existent config key: ${k}`, out);
}

async function secretPayload(ns: string, name: string, items: SecretProjection['items'], optional: boolean, mode: number, ctx: PayloadContext, out: Payload): Promise<void> {
  let s;
  try {
    s = await ctx.objects.secret(ns, name);
  } catch (e) {
    if (e instanceof ObjectNotFound) {
      if (optional) return;
      throw new VolumeSetupError(e.message);
    }
    throw e;
  }
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.data ?? {})) data.set(k, Buffer.from(v, 'base64'));
  keysToPayload(data, items, mode, optional, (k) => `references non-existent secret key: ${k}`, out);
}

function downwardPayload(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, mode: number, ctx: PayloadContext, out: Payload): void {
  for (const it of items ?? []) {
    let value: string;
    try {
      if (it.fieldRef) value = podFieldValue(pod, it.fieldRef.fieldPath, ctx.runtime);
      else if (it.resourceFieldRef) value = resourceFieldValue(pod, it.resourceFieldRef.containerName ?? '', it.resourceFieldRef, ctx.nodeAllocatable);
      else continue;
    } catch (e) {
      throw e instanceof FieldPathError ? new VolumeSetupError(e.message) : e;
    }
    out.set(it.path, { data: Buffer.from(value), mode: it.mode ?? mode });
  }
}

/** The files of a configMap/secret/downwardAPI/projected volume; undefined for other kinds. */
export async function volumePayload(pod: Pod, v: Volume, ctx: PayloadContext): Promise<Payload | undefined> {
  const ns = pod.metadata!.namespace!;
  const out: Payload = new Map();
  if (v.configMap) {
    await configMapPayload(ns, v.configMap, v.configMap.defaultMode ?? DEFAULT_MODE, ctx, out);
  } else if (v.secret) {
    await secretPayload(ns, v.secret.secretName ?? '', v.secret.items, !!v.secret.optional, v.secret.defaultMode ?? DEFAULT_MODE, ctx, out);
  } else if (v.downwardAPI) {
    downwardPayload(pod, v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE, ctx, out);
  } else if (v.projected) {
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) await configMapPayload(ns, s.configMap, mode, ctx, out);
      else if (s.secret) await secretPayload(ns, s.secret.name ?? '', s.secret.items, !!s.secret.optional, mode, ctx, out);
      else if (s.downwardAPI) downwardPayload(pod, s.downwardAPI.items, mode, ctx, out);
      else if (s.serviceAccountToken) {
        const tp = s.serviceAccountToken;
        if (!ctx.tokens) throw new VolumeSetupError('failed to fetch token: this node has no ServiceAccount token manager');
        let token: string;
        try {
          token = await ctx.tokens.token(pod, { audience: tp.audience, expirationSeconds: tp.expirationSeconds });
        } catch (e) {
          throw e instanceof TokenFetchError ? new VolumeSetupError(e.message) : e;
        }
        // With an fsGroup the kubelet writes the token 0600 and the ownership change makes it 0640.
        out.set(tp.path, { data: Buffer.from(token), mode: pod.spec?.securityContext?.fsGroup != null ? 0o600 : mode });
      }
    }
  } else {
    return undefined;
  }
  return out;
}
