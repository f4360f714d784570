// The Runtime seam: what the node agent asks of a container engine, shaped
// after the CRI (runtime + image services). The runc engine and the `fake`
// engine (hollow nodes, agent tests) implement it; one contract suite
// (src/engine/testsuite/) runs against both.
//
// Identifiers are opaque strings chosen by the runtime. Times are
// milliseconds since the epoch (0 = not yet). Nothing here imports Kubernetes
// types: the agent translates pods into these shapes.

import type { Duplex, Readable, Writable } from 'node:stream';

export interface KeyValue {
  name: string;
  value: string;
}

/** A pod's shared environment: its network namespace, hostname, log directory, cgroup parent. */
export interface PodSandboxConfig {
  /** Pod identity, kept as the sandbox's metadata and returned by list/status. */
  metadata: { name: string; namespace: string; uid: string; attempt: number };
  hostname: string;
  /** Directory where this pod's container logs go (`<root>/pods/<ns>_<name>_<uid>`). */
  logDirectory: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Share the host's network namespace (pod.spec.hostNetwork). */
  hostNetwork?: boolean;
  /** Share the host's PID namespace (pod.spec.hostPID). */
  hostPID?: boolean;
  /** Share the host's IPC namespace (pod.spec.hostIPC). */
  hostIPC?: boolean;
  /** Host ports the pod asks for (containers[].ports[].hostPort). */
  portMappings?: PortMapping[];
  /** resolv.conf content for the pod's containers. */
  dns?: { servers: string[]; searches: string[]; options: string[] };
  /** cgroup parent for every container of the pod (per QoS class), relative to the controller root. */
  cgroupParent?: string;
  /** Pod-level sysctls (namespaced ones only). */
  sysctls?: Record<string, string>;
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort: number;
  hostIP?: string;
}

export type SandboxState = 'ready' | 'notready';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxConfig['metadata'];
  state: SandboxState;
  createdAt: number;
  /** The pod's IP, when it has a network of its own. */
  ip?: string;
  /** Path of the network namespace (`/proc/<pid>/ns/net` or `/run/netns/...`); absent for hostNetwork. */
  netnsPath?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  /** Bind-mount a file or directory (default) or a tmpfs of this size (emptyDir medium Memory), with this root mode and group (fsGroup). */
  tmpfs?: { sizeBytes?: number; mode?: number; gid?: number };
  propagation?: 'private' | 'rslave' | 'rshared';
  selinuxRelabel?: boolean;
}

/** Linux resources of one container, already converted from Kubernetes quantities. */
export interface LinuxResources {
  /** cpu.shares (v1) / cpu.weight derived from it (v2); from requests.cpu (2 for none, as the kubelet). */
  cpuShares?: number;
  /** CFS quota in microseconds per period (from limits.cpu); absent = unlimited. */
  cpuQuota?: number;
  /** CFS period in microseconds (default 100000). */
  cpuPeriod?: number;
  memoryLimitBytes?: number;
  pidsLimit?: number;
  /** OOM score adjustment (per QoS class). */
  oomScoreAdj?: number;
}

export interface SecurityContext {
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  /** Refuse to create the container (InvalidConfig, with the kubelet's message) when it would run as uid 0. */
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  readonlyRootfs?: boolean;
  noNewPrivileges?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  /** `RuntimeDefault` | `Unconfined` | `Localhost/<path>`; absent = RuntimeDefault. */
  seccompProfile?: string;
  /** Leave /proc and /sys paths unmasked (procMount: Unmasked). */
  unmaskedPaths?: boolean;
}

export interface ContainerConfig {
  metadata: { name: string; attempt: number };
  /** Image reference as the pod names it; resolved to a local image by the runtime. */
  image: string;
  /** Overrides the image's ENTRYPOINT when non-empty (Kubernetes `command`). */
  command?: string[];
  /** Overrides the image's CMD when non-empty (Kubernetes `args`). */
  args?: string[];
  workingDir?: string;
  /** Added to (and overriding by name) the image's environment. */
  envs?: KeyValue[];
  mounts?: Mount[];
  /** Relative to the sandbox's logDirectory (`<container>/<attempt>.log`). */
  logPath: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  resources?: LinuxResources;
  securityContext?: SecurityContext;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Signal the image asks to be stopped with (STOPSIGNAL); default SIGTERM. */
  stopSignal?: string;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  podSandboxId: string;
  metadata: ContainerConfig['metadata'];
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** `OOMKilled`, `Error`, `Completed`, `ContainerCannotRun`... as the kubelet shows them. */
  reason?: string;
  message?: string;
  /** The image as asked for, and the resolved image id (`sha256:...`). */
  image: string;
  imageRef: string;
  /** Absolute path of the CRI-format log file. */
  logPath: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Host PID of the container's init process while running. */
  pid?: number;
}

export interface ContainerFilter {
  id?: string;
  podSandboxId?: string;
  state?: ContainerState;
  labelSelector?: Record<string, string>;
}

export interface SandboxFilter {
  id?: string;
  state?: SandboxState;
  labelSelector?: Record<string, string>;
}

/** Terminal size for TTY sessions. */
export interface TerminalSize {
  width: number;
  height: number;
}

export interface StreamOptions {
  /** Data to the process' stdin; end of the stream closes stdin. */
  stdin?: Readable;
  stdout?: Writable;
  /** Ignored with tty (the terminal merges stderr into stdout). */
  stderr?: Writable;
  tty?: boolean;
  /** Terminal size changes, for tty sessions. */
  resize?: AsyncIterable<TerminalSize>;
}

export interface ExecOptions extends StreamOptions {
  cmd: string[];
  /** Kill the process after this long (ms); absent = no deadline. */
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  /** True when the deadline killed it. */
  timedOut?: boolean;
}

export interface ImageSpec {
  image: string;
}

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  identityToken?: string;
  registryToken?: string;
}

export interface Image {
  /** Image id: the config digest (`sha256:...`). */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** From the image config. */
  user?: string;
  /** Signal from STOPSIGNAL, if any. */
  stopSignal?: string;
}

export interface ContainerStats {
  id: string;
  timestamp: number;
  /** Cumulative CPU time used, in nanoseconds. */
  cpuUsageCoreNanoSeconds: number;
  memoryUsageBytes: number;
  /** Usage minus inactive file cache, what the kubelet and `kubectl top` report. */
  memoryWorkingSetBytes: number;
  /** Resident set size. */
  memoryRssBytes?: number;
}

export interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface Runtime {
  version(): Promise<RuntimeVersion>;

  // Sandboxes
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox (forcibly) and releases its network; idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes a stopped sandbox and its containers; idempotent (unknown id is not an error). */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandboxes(filter?: SandboxFilter): Promise<PodSandboxStatus[]>;

  // Containers
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Sends the stop signal, waits up to `timeoutSeconds`, then SIGKILL; resolves once exited. Idempotent. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  containerStatus(id: string): Promise<ContainerStatus>;

  // Streaming
  exec(id: string, opts: ExecOptions): Promise<ExecResult>;
  /** Attaches to the container's stdio (stdin only when it was created with stdin); resolves when detached or exited. */
  attach(id: string, opts: StreamOptions): Promise<void>;
  /** Connects `stream` to TCP `port` on the sandbox's loopback; resolves when either side closes. */
  portForward(podSandboxId: string, port: number, stream: Duplex): Promise<void>;

  // Stats
  containerStats(id: string): Promise<ContainerStats>;
  listContainerStats(filter?: ContainerFilter): Promise<ContainerStats[]>;

  // Images
  pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string>;
  /** The local image, or null when it is not present. */
  imageStatus(image: ImageSpec): Promise<Image | null>;
  listImages(): Promise<Image[]>;
  removeImage(image: ImageSpec): Promise<void>;

  /** Releases the runtime's own resources; containers keep running. */
  close(): Promise<void>;
}

/** Errors a runtime raises, by code, so callers branch without parsing messages. */
export type RuntimeErrorCode =
  | 'NotFound' // no such sandbox, container or image
  | 'ImagePull' // pull failed (ErrImagePull)
  | 'ImageNotPresent' // never-pull policy and image absent (ErrImageNeverPull)
  | 'InvalidConfig' // CreateContainerConfigError
  | 'CreateFailed' // CreateContainerError
  | 'StartFailed' // RunContainerError (e.g. executable not found)
  | 'AlreadyExists'
  | 'Internal';

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export function isRuntimeError(e: unknown, code?: RuntimeErrorCode): e is RuntimeError {
  return e instanceof RuntimeError && (code === undefined || e.code === code);
}
