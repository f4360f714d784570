// The runc engine's pod sandbox operations: create the namespaces and the
// pod's /etc files (sandbox.ts), report and list, release and delete. The
// containers inside a sandbox are stopped and removed by runtime.ts first.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RuntimeError, type PodSandboxConfig, type PodSandboxStatus, type SandboxFilter } from '../runtime.ts';
import { labelsMatch, newId, readOptional, type EngineContext } from './context.ts';
import type { SandboxRecord } from './records.ts';
import { createNamespaces, hostsFile, namespaceAlive, nsPath, ownNamespaces, releaseNamespaces, resolvConf } from './sandbox.ts';

export async function runPodSandbox(ctx: EngineContext, config: PodSandboxConfig): Promise<string> {
  await ctx.ready();
  if (!config.metadata?.name || !config.metadata.namespace || !config.metadata.uid) throw new RuntimeError('InvalidConfig', 'pod sandbox metadata needs a name, a namespace and a uid');
  // hostNetwork pods get no hostname of their own (the kubelet sends none): theirs is the node's
  if (!config.hostname && !config.hostNetwork) throw new RuntimeError('InvalidConfig', `pod sandbox ${config.metadata.namespace}/${config.metadata.name}: hostname must not be empty`);
  const dup = [...ctx.sandboxes.values()].find((s) => s.config.metadata.uid === config.metadata.uid && s.config.metadata.attempt === config.metadata.attempt && s.config.metadata.name === config.metadata.name);
  if (dup) throw new RuntimeError('AlreadyExists', `pod sandbox ${config.metadata.namespace}/${config.metadata.name} attempt ${config.metadata.attempt} already exists (${dup.id})`);
  const id = newId();
  const dir = ctx.records.sandboxDir(id);
  await mkdir(dir, { recursive: true });
  try {
    const hostResolv = readOptional('/etc/resolv.conf');
    // the namespaces (a spawn) and the pod's files are independent
    await Promise.all([
      createNamespaces(dir, config),
      writeFile(join(dir, 'hosts'), hostsFile(config)),
      hostResolv.then((r) => writeFile(join(dir, 'resolv.conf'), resolvConf(config, r ?? ''))),
      writeFile(join(dir, 'hostname'), `${config.hostname || hostname()}\n`),
      mkdir(config.logDirectory, { recursive: true }),
    ]);
    const rec: SandboxRecord = { id, config, createdAt: Date.now(), state: 'ready' };
    await ctx.records.saveSandbox(rec);
    ctx.sandboxes.set(id, rec);
    return id;
  } catch (e) {
    await releaseNamespaces(dir).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw e instanceof RuntimeError ? e : new RuntimeError('Internal', (e as Error).message);
  }
}

/** Releases the namespaces of a sandbox whose containers are stopped; idempotent. */
export async function releaseSandbox(ctx: EngineContext, s: SandboxRecord): Promise<void> {
  await releaseNamespaces(ctx.records.sandboxDir(s.id));
  if (s.state !== 'notready') {
    s.state = 'notready';
    await ctx.records.saveSandbox(s);
  }
}

/** Deletes a released sandbox's directory and record. */
export async function deleteSandbox(ctx: EngineContext, id: string): Promise<void> {
  await rm(ctx.records.sandboxDir(id), { recursive: true, force: true });
  ctx.sandboxes.delete(id);
}

export async function sandboxStatus(ctx: EngineContext, s: SandboxRecord): Promise<PodSandboxStatus> {
  const dir = ctx.records.sandboxDir(s.id);
  const alive = s.state === 'ready' && (await Promise.all(ownNamespaces(s.config).map((ns) => namespaceAlive(dir, ns)))).every(Boolean);
  return {
    id: s.id,
    metadata: { ...s.config.metadata },
    state: alive ? 'ready' : 'notready',
    createdAt: s.createdAt,
    ...(s.config.hostNetwork ? {} : { netnsPath: nsPath(dir, 'net') }),
    labels: { ...s.config.labels },
    annotations: { ...s.config.annotations },
  };
}

export async function listPodSandboxes(ctx: EngineContext, filter: SandboxFilter): Promise<PodSandboxStatus[]> {
  await ctx.ready();
  const all = await Promise.all([...ctx.sandboxes.values()].filter((s) => (!filter.id || s.id === filter.id) && labelsMatch(s.config.labels ?? {}, filter.labelSelector)).map((s) => sandboxStatus(ctx, s)));
  return all.filter((s) => !filter.state || s.state === filter.state).sort((a, b) => a.createdAt - b.createdAt);
}
