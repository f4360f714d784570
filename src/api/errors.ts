// Kubernetes API errors: the Status objects the API server answers with, in
// the wording kubectl users know (`deployments.apps "web" not found`).
// kubectl prints `Error from server (Reason): message`, so the reason, code
// and message are all part of the interface.

import { goQuote, statusCauses, statusMessage, type FieldError, type StatusCause } from './validation/field.ts';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'Gone'
  | 'Expired'
  | 'Timeout'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable';

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: (StatusCause | { reason?: string; message: string; field?: string })[]; retryAfterSeconds?: number };
  code: number;
}

export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
    this.name = 'StatusError';
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): StatusReason | undefined {
    return this.status.reason;
  }
}

export function isStatusError(e: unknown, reason?: StatusReason): e is StatusError {
  return e instanceof StatusError && (reason === undefined || e.status.reason === reason);
}

/** "deployments.apps" / "pods": how Kubernetes names a resource in messages. */
export interface GroupResource {
  group: string;
  resource: string;
}

export const qualified = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

/** Kubernetes omits an empty group (core resources) from Status details. */
function withoutEmptyGroup(details: NonNullable<Status['details']>): Status['details'] {
  const { group, ...rest } = details;
  return group ? { ...rest, group } : rest;
}

function failure(code: number, reason: StatusReason, message: string, details?: Status['details']): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = withoutEmptyGroup(details);
  return new StatusError(status);
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return failure(404, 'NotFound', `${qualified(gr)} ${goQuote(name)} not found`, { name, group: gr.group, kind: gr.resource });
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${qualified(gr)} ${goQuote(name)} already exists`, { name, group: gr.group, kind: gr.resource });
}

export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(gr: GroupResource, name: string, why: string = OBJECT_MODIFIED): StatusError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} ${goQuote(name)}: ${why}`, { name, group: gr.group, kind: gr.resource });
}

/** 422 with one cause per field error. `kind` is the object's kind ("Deployment"), `group` its API group. */
export function invalid(group: string, kind: string, name: string, errs: readonly FieldError[]): StatusError {
  return failure(422, 'Invalid', statusMessage(group, kind, name, errs), { name, group, kind, causes: statusCauses(errs) });
}

export function badRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

export function unauthorized(message = 'Unauthorized'): StatusError {
  return failure(401, 'Unauthorized', message);
}

export function forbidden(gr: GroupResource, name: string, message: string): StatusError {
  const what = name ? `${qualified(gr)} ${goQuote(name)}` : qualified(gr);
  return failure(403, 'Forbidden', `${what} is forbidden: ${message}`, { name: name || undefined, group: gr.group, kind: gr.resource });
}

export function methodNotSupported(gr: GroupResource, action: string): StatusError {
  return failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind ${goQuote(qualified(gr))}`, { group: gr.group, kind: gr.resource });
}

/** A method the path does not route (POST to an object, a verb the resource lacks). */
export function methodNotAllowed(): StatusError {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

/** A rejected PATCH: Kubernetes' fixed wording, the patch library's reason as the cause. */
export function patchNotApplied(reason: string): StatusError {
  return failure(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ message: reason }] });
}

export function notAcceptable(message: string): StatusError {
  return failure(406, 'NotAcceptable', message);
}

export function unsupportedMediaType(contentType: string, accepted: string[]): StatusError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, {
    causes: [{ message: `unsupported content type ${goQuote(contentType)}` }],
  });
}

export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

export function requestEntityTooLarge(limit = MAX_REQUEST_BODY_BYTES): StatusError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** A watch or list from a resourceVersion older than the history kept. */
export function expired(requested: string, oldest: number): StatusError {
  return failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

export function timeout(message: string, retryAfterSeconds = 1): StatusError {
  return failure(504, 'Timeout', message, { retryAfterSeconds });
}

export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return failure(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

export function internalError(message: string): StatusError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function serviceUnavailable(message: string): StatusError {
  return failure(503, 'ServiceUnavailable', message);
}

export function success(details?: Status['details'], code = 200): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) s.details = withoutEmptyGroup(details);
  return s;
}
