// ConfigMap and Secret.

import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import { forbidden, invalid, required, tooLong, type FieldError, Path } from './field.ts';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isConfigMapKey, nameIsDNSSubdomain } from './names.ts';

/** Shared cap on ConfigMap and Secret payloads (1 MiB). */
export const MAX_SECRET_SIZE = 1024 * 1024;

const META = { namespaced: true, nameFn: nameIsDNSSubdomain };

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, META);
  let total = 0;
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  for (const [key, value] of Object.entries(data)) {
    const p = new Path('data').key(key);
    for (const m of isConfigMapKey(key)) errs.push(invalid(p, key, m));
    if (key in binary) errs.push(invalid(p, key, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(value));
  }
  for (const [key, value] of Object.entries(binary)) {
    const p = new Path('binaryData').key(key);
    for (const m of isConfigMapKey(key)) errs.push(invalid(p, key, m));
    total += Buffer.from(String(value), 'base64').length;
  }
  // The empty path means "the whole object".
  if (total > MAX_SECRET_SIZE) errs.push(tooLong(new Path(''), MAX_SECRET_SIZE));
  return errs;
}

function immutableDataErrors(
  isImmutable: boolean | undefined,
  newImmutable: boolean | undefined,
  changed: boolean,
): FieldError[] {
  if (!isImmutable) return [];
  const errs: FieldError[] = [];
  if (!newImmutable) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  if (changed) errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata);
  const changed = JSON.stringify([cm.data ?? {}, cm.binaryData ?? {}]) !== JSON.stringify([old.data ?? {}, old.binaryData ?? {}]);
  errs.push(...immutableDataErrors(old.immutable, cm.immutable, changed));
  errs.push(...validateConfigMap(cm));
  return errs;
}

const SA_NAME_KEY = 'kubernetes.io/service-account.name';

export function validateSecret(secret: Secret): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, META);
  const dataPath = new Path('data');
  const data = secret.data ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const m of isConfigMapKey(key)) errs.push(invalid(dataPath.key(key), key, m));
    total += Buffer.from(String(value), 'base64').length;
  }
  // stringData is merged into data by the server before it is stored.
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    for (const m of isConfigMapKey(key)) errs.push(invalid(new Path('stringData').key(key), key, m));
    if (!(key in data)) total += Buffer.byteLength(String(value));
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong(dataPath, MAX_SECRET_SIZE));

  const has = (k: string): boolean => k in data || k in (secret.stringData ?? {});
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!secret.metadata?.annotations?.[SA_NAME_KEY]) {
        errs.push(required(new Path('metadata', 'annotations').key(SA_NAME_KEY), ''));
      }
      break;
    case 'kubernetes.io/dockercfg':
      if (!has('.dockercfg')) errs.push(required(dataPath.key('.dockercfg'), ''));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has('.dockerconfigjson')) errs.push(required(dataPath.key('.dockerconfigjson'), ''));
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(required(dataPath.key('username'), ''), required(dataPath.key('password'), ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!has('ssh-privatekey')) errs.push(required(dataPath.key('ssh-privatekey'), ''));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(dataPath.key('tls.crt'), ''));
      if (!has('tls.key')) errs.push(required(dataPath.key('tls.key'), ''));
      break;
    default:
      break;
  }
  return errs;
}

export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  errs.push(...validateImmutableField(secret.type ?? '', old.type ?? '', new Path('type')));
  const changed = JSON.stringify(secret.data ?? {}) !== JSON.stringify(old.data ?? {}) || secret.stringData != null;
  errs.push(...immutableDataErrors(old.immutable, secret.immutable, changed));
  errs.push(...validateSecret(secret));
  return errs;
}
