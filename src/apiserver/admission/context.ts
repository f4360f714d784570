// The request an admission plugin runs for: who asks and where warnings go.
// The server runs each request inside this context (AsyncLocalStorage), so
// plugins called from deep in the REST layer can reach both without every
// signature in between carrying them.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { User } from '../auth/user.ts';

export interface RequestContext {
  user?: User;
  /** Adds a `Warning: 299` header that kubectl prints. */
  warn(message: string): void;
  /** Annotations the audit log records for this request. */
  auditAnnotations: Record<string, string>;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}
