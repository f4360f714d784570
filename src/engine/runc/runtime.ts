// The runc engine: the Runtime seam implemented with runc under conmon, an
// overlay snapshotter for root filesystems, and bind-mounted namespaces for
// sandboxes (sandbox.ts says why). Everything lives under one root directory,
// so a new instance on the same root recovers every sandbox and container;
// containers keep running while no engine is up (conmon watches them).
//
// This file wires the seam to the operations: sandboxes.ts, containers.ts,
// streams.ts (exec, attach, port-forward) and imageops.ts; context.ts holds
// what they share.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { readStats } from '../cgroups/cgroups.ts';
import {
  RuntimeError,
  type AuthConfig,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerStats,
  type ContainerStatus,
  type ExecOptions,
  type ExecResult,
  type Image,
  type ImageSpec,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type Runtime,
  type RuntimeVersion,
  type SandboxFilter,
  type StreamOptions,
} from '../runtime.ts';
import * as containers from './containers.ts';
import { EngineContext, type RuncRuntimeOptions } from './context.ts';
import * as imageops from './imageops.ts';
import { run } from './proc.ts';
import * as sandboxes from './sandboxes.ts';
import { attachContainer, execInContainer, execTtyInContainer, portForwardInNetns } from './streams.ts';

export type { RuncRuntimeOptions } from './context.ts';

export class RuncRuntime implements Runtime {
  readonly root: string;
  private readonly ctx: EngineContext;

  constructor(opts: RuncRuntimeOptions) {
    this.ctx = new EngineContext(opts);
    this.root = opts.root;
  }

  async version(): Promise<RuntimeVersion> {
    const r = await run(this.ctx.runcPath, ['--version']);
    return { runtimeName: 'skiff-runc', runtimeVersion: r.stdout.match(/runc version (\S+)/)?.[1] ?? 'unknown', runtimeApiVersion: 'v1' };
  }

  // ---- sandboxes

  runPodSandbox(config: PodSandboxConfig): Promise<string> {
    return sandboxes.runPodSandbox(this.ctx, config);
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.ctx.ready();
    const s = this.ctx.sandboxes.get(id);
    if (!s) return;
    const inside = [...this.ctx.containers.values()].filter((c) => c.sandboxId === id);
    await Promise.all(inside.map((c) => containers.stopContainer(this.ctx, c.id, 0)));
    await sandboxes.releaseSandbox(this.ctx, s);
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.ctx.ready();
    if (!this.ctx.sandboxes.has(id)) return;
    await this.stopPodSandbox(id);
    const inside = [...this.ctx.containers.values()].filter((c) => c.sandboxId === id);
    await Promise.all(inside.map((c) => containers.removeContainer(this.ctx, c.id)));
    await sandboxes.deleteSandbox(this.ctx, id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    await this.ctx.ready();
    return sandboxes.sandboxStatus(this.ctx, this.ctx.sandbox(id));
  }

  listPodSandboxes(filter: SandboxFilter = {}): Promise<PodSandboxStatus[]> {
    return sandboxes.listPodSandboxes(this.ctx, filter);
  }

  // ---- containers

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    return containers.createContainer(this.ctx, podSandboxId, config, sandboxConfig);
  }

  startContainer(id: string): Promise<void> {
    return containers.startContainer(this.ctx, id);
  }

  stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    return containers.stopContainer(this.ctx, id, timeoutSeconds);
  }

  removeContainer(id: string): Promise<void> {
    return containers.removeContainer(this.ctx, id);
  }

  listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    return containers.listContainers(this.ctx, filter);
  }

  containerStatus(id: string): Promise<ContainerStatus> {
    return containers.containerStatus(this.ctx, id);
  }

  // ---- streaming

  async exec(id: string, opts: ExecOptions): Promise<ExecResult> {
    await this.ctx.ready();
    await containers.runningContainer(this.ctx, id);
    if (!opts.cmd?.length) throw new RuntimeError('InvalidConfig', 'exec needs a command');
    const p = this.ctx.paths(id);
    const target = { runc: this.ctx.runcPath, runcRoot: this.ctx.runcRoot, id, workDir: p.dir };
    if (!opts.tty) return execInContainer(target, opts);
    const spec = JSON.parse(await readFile(join(p.bundle, 'config.json'), 'utf8')) as { process: Record<string, unknown> };
    return execTtyInContainer({ ...target, conmon: this.ctx.conmonPath, socketDir: this.ctx.socketDir, process: spec.process }, opts);
  }

  async attach(id: string, opts: StreamOptions): Promise<void> {
    await this.ctx.ready();
    const c = await containers.runningContainer(this.ctx, id);
    const p = this.ctx.paths(id);
    return attachContainer({ socket: p.attach, ctl: p.ctl, stdin: c.config.stdin === true, tty: c.config.tty === true }, opts);
  }

  async portForward(podSandboxId: string, port: number, stream: Duplex): Promise<void> {
    await this.ctx.ready();
    const s = this.ctx.sandbox(podSandboxId);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RuntimeError('InvalidConfig', `port ${port} is not a TCP port`);
    const status = await sandboxes.sandboxStatus(this.ctx, s);
    if (status.state !== 'ready') throw new RuntimeError('InvalidConfig', `pod sandbox ${podSandboxId} is not ready`);
    return portForwardInNetns(status.netnsPath, port, stream);
  }

  // ---- stats

  async containerStats(id: string): Promise<ContainerStats> {
    await this.ctx.ready();
    const c = this.ctx.container(id);
    const s = await readStats(c.cgroupsPath);
    return { id, timestamp: Date.now(), cpuUsageCoreNanoSeconds: s?.cpuUsageNanoSeconds ?? 0, memoryUsageBytes: s?.memoryUsageBytes ?? 0, memoryWorkingSetBytes: s?.memoryWorkingSetBytes ?? 0, memoryRssBytes: s?.memoryRssBytes ?? 0 };
  }

  async listContainerStats(filter: ContainerFilter = {}): Promise<ContainerStats[]> {
    const list = await this.listContainers(filter);
    return Promise.all(list.map((c) => this.containerStats(c.id)));
  }

  // ---- images

  pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string> {
    return imageops.pullImage(this.ctx.images, image, auth);
  }

  imageStatus(image: ImageSpec): Promise<Image | null> {
    return imageops.imageStatus(this.ctx.images, image);
  }

  listImages(): Promise<Image[]> {
    return imageops.listImages(this.ctx.images);
  }

  removeImage(image: ImageSpec): Promise<void> {
    return imageops.removeImage(this.ctx.images, image);
  }

  async close(): Promise<void> {
    // Nothing is held open between calls: containers live on under conmon.
  }
}
