// The Network seam: sets up and tears down a pod's network inside a network
// namespace someone else created (the runtime's sandbox). The CNI
// implementation (cni/) is the real one; the contract is in network.test.ts.

export interface PodNetworkRef {
  /** Sandbox id: CNI's container id, the key of the pod's IP lease. */
  id: string;
  /** Path of the pod's network namespace (`/run/netns/...` or `/proc/<pid>/ns/net`). */
  netnsPath: string;
  namespace: string;
  name: string;
  uid: string;
}

export interface PodNetworkStatus {
  /** The pod's addresses, IPv4 first. */
  ips: string[];
  /** The interface inside the pod (eth0). */
  interface: string;
  gateway?: string;
}

export interface Network {
  /** Gives the pod its interface and address; idempotent for the same id. */
  setUp(pod: PodNetworkRef): Promise<PodNetworkStatus>;
  /** Removes the pod's interface and releases its address; idempotent, also after the namespace is gone. */
  tearDown(pod: PodNetworkRef): Promise<void>;
  /** What setUp gave the pod, if it is still set up (survives restarts of the caller). */
  status(id: string): PodNetworkStatus | undefined;
}

export class NetworkError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}
