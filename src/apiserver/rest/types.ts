// The request a resource handler works on, shared by the handler's parts.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredObject } from '../../storage/objects.ts';
import type { KubeletClientConfig } from '../proxy/locate.ts';
import type { RequestInfo } from '../request.ts';
import type { ResourceREST } from './resource.ts';

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  rest: ResourceREST;
  /** Decodes a Kubernetes protobuf body; absent: protobuf bodies get 415. */
  protobuf?: (b: Buffer) => unknown;
  bookmarkIntervalMs?: number;
  /** Another resource's REST (the bindings collection acts on pods). */
  restFor?: (group: string, version: string, resource: string) => ResourceREST | undefined;
  /** How to reach node agents (pods/log and friends); absent: none wired. */
  kubelet?: KubeletClientConfig;
}

export type Obj = StoredObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
