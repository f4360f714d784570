// What a stage is while it builds: the image config so far (with its
// rootfs.diff_ids and history), the layer descriptors, the chain ID of the
// top layer (the snapshot a next step stacks on), and the ARGs in scope.
// Also the build's ARG rules: global ARGs for FROM lines, per-stage ARGs
// that --build-arg overrides, the automatic platform ARGs, and the proxy
// ARGs that RUN sees without a declaration.

import { createHash } from 'node:crypto';
import type { OciImageConfig } from '../engine/images.ts';
import type { Descriptor } from '../engine/image/mediatypes.ts';
import { BuildError } from './errors.ts';
import type { LayerBlob } from './layer.ts';
import { envMap } from './meta.ts';
import { processWord } from './words.ts';

export interface StageState {
  config: OciImageConfig;
  layers: Descriptor[];
  chain?: string;
  /** ARGs declared in this stage: value, or undefined when declared without one. */
  args: Map<string, string | undefined>;
  /** CMD set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  /** A WORKDIR not yet made by a step that writes files. */
  workdirPending: boolean;
  /** `created` of the newest history entry. */
  lastCreated: string;
}

export const PLATFORM_ARGS: Record<string, string> = {
  TARGETPLATFORM: 'linux/amd64',
  TARGETOS: 'linux',
  TARGETARCH: 'amd64',
  TARGETVARIANT: '',
  BUILDPLATFORM: 'linux/amd64',
  BUILDOS: 'linux',
  BUILDARCH: 'amd64',
  BUILDVARIANT: '',
};

export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

export function nextChain(parent: string | undefined, diffID: string): string {
  return parent === undefined ? diffID : `sha256:${createHash('sha256').update(`${parent} ${diffID}`).digest('hex')}`;
}

export function cloneState(s: StageState): StageState {
  return { ...s, config: structuredClone(s.config), layers: s.layers.map((l) => ({ ...l })), args: new Map(), cmdSet: false, workdirPending: false };
}

export function emptyState(): StageState {
  return {
    config: { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] }, rootfs: { type: 'layers', diff_ids: [] }, history: [] },
    layers: [],
    args: new Map(),
    cmdSet: false,
    workdirPending: false,
    lastCreated: new Date(0).toISOString(),
  };
}

/** Variables for expansion: ARG values with ENV over them (ENV wins, as in Docker). */
export function expansionVars(s: StageState): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of s.args) if (v !== undefined) m.set(k, v);
  for (const [k, v] of envMap(s.config.config?.Env)) m.set(k, v);
  return m;
}

/** Build args RUN sees: declared ARGs with values, plus proxy args given with --build-arg. */
export function runArgs(s: StageState, buildArgs: Map<string, string>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of s.args) if (v !== undefined) out.push([k, v]);
  for (const p of PROXY_ARGS) if (buildArgs.has(p) && !s.args.has(p)) out.push([p, buildArgs.get(p)!]);
  return out;
}

/** Records a step's result in the stage: a layer (or an empty-layer history entry). */
export function addStep(s: StageState, layer: LayerBlob | null, createdBy: string, created: string): void {
  const history = (s.config.history ??= []);
  if (layer) {
    s.layers.push({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size });
    s.config.rootfs.diff_ids.push(layer.diffID);
    s.chain = nextChain(s.chain, layer.diffID);
    history.push({ created, created_by: createdBy });
  } else {
    history.push({ created, created_by: createdBy, empty_layer: true });
  }
  s.lastCreated = created;
}

/** A metadata-only step's history entry (no layer). */
export function addMetaHistory(s: StageState, createdBy: string): void {
  (s.config.history ??= []).push({ created: s.lastCreated, created_by: createdBy, empty_layer: true });
}

/** `ARG A=1 B` as (name, default) pairs, defaults expanded with `vars`. */
export function declaredArgs(args: string, vars: ReadonlyMap<string, string | undefined>, escape: string): [string, string | undefined][] {
  const defined = new Map<string, string>();
  for (const [k, v] of vars) if (v !== undefined) defined.set(k, v);
  const out: [string, string | undefined][] = [];
  for (const w of args.trim().split(/\s+(?=(?:[^"']|"[^"]*"|'[^']*')*$)/).filter(Boolean)) {
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new BuildError(`invalid ARG name ${JSON.stringify(name)}`);
    out.push([name, eq < 0 ? undefined : processWord(w.slice(eq + 1), defined, escape)]);
  }
  if (out.length === 0) throw new BuildError('ARG requires at least one argument');
  return out;
}
