// What the agent's HTTPS API needs from the rest of the agent: the runtime,
// a way to find a pod's containers, its TLS material, and who may call it.

import type { Runtime } from '../../engine/runtime.ts';

/** A container of a pod, as the runtime knows it. */
export interface ResolvedContainer {
  /** Runtime container id; empty when asked for the pod's sandbox only (container ''). */
  containerId: string;
  /** Absolute path of the container's CRI log file (of the previous attempt when asked for it). */
  logPath: string;
  sandboxId: string;
}

/**
 * Maps a pod's container to the runtime's ids. The agent core provides it.
 * - `container` '' asks for the pod itself: `sandboxId` (port-forward).
 * - `previous` asks for the last terminated attempt before the current one (logs --previous).
 * Resolves undefined when there is no such pod, container or attempt.
 */
export type ContainerResolver = (namespace: string, pod: string, container: string, previous: boolean) => Promise<ResolvedContainer | undefined>;

/** Identity of a pod for the stats summary, from the sandbox metadata. */
export interface PodRef {
  name: string;
  namespace: string;
  uid: string;
}

export interface AgentServerOptions {
  runtime: Runtime;
  resolve: ContainerResolver;
  nodeName: string;
  /** Serving certificate and key (PEM), and the CA whose client certificates are accepted. */
  tls: { cert: string; key: string; clientCA: string };
  /**
   * Common names of client certificates allowed to call the API (the API
   * server's kubelet-client certificate). Default: ['skiff-apiserver-kubelet-client'].
   */
  allowedClients?: string[];
  /** Common names allowed to GET /metrics only. Default: the API server's and 'skiff-metrics' (Prometheus). */
  metricsClients?: string[];
  host?: string;
  /** 0 picks a free port; default 10250, the kubelet's. */
  port?: number;
  log?: (line: string) => void;
  /** How often a log follower looks at the file when no watch event came (ms). */
  logPollIntervalMs?: number;
}

export const DEFAULT_AGENT_PORT = 10250;
export const API_SERVER_CLIENT_CN = 'skiff-apiserver-kubelet-client';
