// Pod volumes and the containers' volumeMounts that refer to them.

import type { KeyToPath, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import { forbidden, invalid, notFound, notSupported, required, duplicate, type FieldError, type Path } from './field.ts';
import { isDNS1123Label } from './names.ts';

/** Volume source fields in the order Kubernetes examines them. */
const SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc',
  'flexVolume', 'configMap', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk',
  'storageos', 'projected', 'scaleIO', 'csi', 'ephemeral', 'image',
] as const;

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(mode: number | undefined, path: Path): FieldError[] {
  return mode != null && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

/** Paths inside a volume must stay inside it. */
export function validateLocalDescendingPath(p: string, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(path, p, 'must be a relative path'));
  if (p.split(/[\\/]/).includes('..')) errs.push(invalid(path, p, "must not contain '..'"));
  return errs;
}

function validateLocalNonReservedPath(p: string, path: Path): FieldError[] {
  const errs = validateLocalDescendingPath(p, path);
  if (p.startsWith('..')) errs.push(invalid(path, p, "must not start with '..'"));
  return errs;
}

function validateItems(items: KeyToPath[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((kp, i) => {
    const p = path.index(i);
    if (!kp.key) errs.push(required(p.child('key'), ''));
    if (!kp.path) errs.push(required(p.child('path'), ''));
    errs.push(...validateLocalNonReservedPath(kp.path ?? '', p.child('path')));
    errs.push(...validateMode(kp.mode, p.child('mode')));
  });
  return errs;
}

function validateSource(vol: Volume, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const v = vol as unknown as Record<string, Record<string, unknown> | undefined>;
  let count = 0;
  for (const src of SOURCES) {
    const s = v[src];
    if (s == null) continue;
    if (count > 0) {
      errs.push(forbidden(path.child(src), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    const p = path.child(src);
    switch (src) {
      case 'hostPath':
        if (!s['path']) errs.push(required(p.child('path'), ''));
        else if (String(s['path']).split('/').includes('..')) errs.push(invalid(p.child('path'), s['path'], "must not contain '..'"));
        break;
      case 'secret':
        if (!s['secretName']) errs.push(required(p.child('secretName'), ''));
        errs.push(...validateMode(s['defaultMode'] as number | undefined, p.child('defaultMode')));
        errs.push(...validateItems(s['items'] as KeyToPath[] | undefined, p.child('items')));
        break;
      case 'configMap':
        if (!s['name']) errs.push(required(p.child('name'), ''));
        errs.push(...validateMode(s['defaultMode'] as number | undefined, p.child('defaultMode')));
        errs.push(...validateItems(s['items'] as KeyToPath[] | undefined, p.child('items')));
        break;
      case 'persistentVolumeClaim':
        if (!s['claimName']) errs.push(required(p.child('claimName'), ''));
        break;
      case 'nfs':
        if (!s['server']) errs.push(required(p.child('server'), ''));
        if (!s['path']) errs.push(required(p.child('path'), ''));
        if (!String(s['path'] ?? '').startsWith('/')) errs.push(invalid(p.child('path'), s['path'] ?? '', 'must be an absolute path'));
        break;
      case 'downwardAPI':
      case 'projected':
        errs.push(...validateMode(s['defaultMode'] as number | undefined, p.child('defaultMode')));
        break;
      default:
        break;
    }
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

/** Validates volumes; returns the names that other fields may refer to. */
export function validateVolumes(volumes: Volume[] | undefined, path: Path): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((vol, i) => {
    const p = path.index(i);
    const namePath = p.child('name');
    const el = validateSource(vol, p);
    if (!vol.name) el.push(required(namePath, ''));
    else for (const m of isDNS1123Label(vol.name)) el.push(invalid(namePath, vol.name, m));
    if (names.has(vol.name)) el.push(duplicate(namePath, vol.name));
    // Only well-formed volumes count as mount targets, as in Kubernetes.
    if (el.length === 0) names.add(vol.name);
    else errs.push(...el);
  });
  return { names, errs };
}

const PROPAGATION = ['Bidirectional', 'HostToContainer', 'None'];

export function validateVolumeMounts(mounts: VolumeMount[] | undefined, volumes: Set<string>, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const p = path.index(i);
    if (!m.name) errs.push(required(p.child('name'), ''));
    if (!volumes.has(m.name)) errs.push(notFound(p.child('name'), m.name ?? ''));
    if (!m.mountPath) errs.push(required(p.child('mountPath'), ''));
    if (seen.has(m.mountPath)) errs.push(invalid(p.child('mountPath'), m.mountPath, 'must be unique'));
    seen.add(m.mountPath);
    // Kubernetes reports subPath problems without the mount's index.
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, path.child('subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalid(p.child('subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, path.child('subPathExpr')));
    }
    if (m.mountPropagation != null && !PROPAGATION.includes(m.mountPropagation)) {
      errs.push(notSupported(path.child('mountPropagation'), m.mountPropagation, ['Bidirectional', 'HostToContainer', 'None']));
    }
  });
  return errs;
}
