// API errors as the client sees them: every failed request throws an ApiError
// carrying the server's Status (code, reason, message), so callers branch on
// the reason the way client-go's apierrors.IsNotFound/IsConflict do.

import type { Status, StatusReason } from '../api/errors.ts';

export type { Status, StatusReason };

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? `request failed with status ${status.code}`);
    this.name = 'ApiError';
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): StatusReason | undefined {
    return this.status.reason;
  }
}

// The reason Kubernetes gives a bare HTTP code when the body is not a Status.
const REASON_BY_CODE: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status' && typeof (v as { code?: unknown }).code === 'number';
}

/** The error for a response: the Status the server sent, or one made from the HTTP code and body text. */
export function errorFromResponse(code: number, body: string, what: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return new ApiError(parsed);
  const message = body.trim() ? `${what}: ${body.trim().slice(0, 500)}` : `${what}: the server answered ${code}`;
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason: REASON_BY_CODE[code], message });
}

/** A Status as an ApiError, for the ERROR events of a watch. */
export function errorFromStatus(status: unknown): ApiError {
  if (isStatus(status)) return new ApiError(status);
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: `watch ERROR event without a Status: ${JSON.stringify(status)}` });
}

const hasReason = (e: unknown, reason: StatusReason, code: number) => e instanceof ApiError && (e.reason === reason || (e.reason === undefined && e.code === code));

export const isNotFound = (e: unknown): e is ApiError => hasReason(e, 'NotFound', 404);
export const isConflict = (e: unknown): e is ApiError => hasReason(e, 'Conflict', 409);
export const isAlreadyExists = (e: unknown): e is ApiError => hasReason(e, 'AlreadyExists', 409);
export const isInvalid = (e: unknown): e is ApiError => hasReason(e, 'Invalid', 422);

/**
 * Whether a resourceVersion was too old: a 410 (Expired or Gone) ApiError, or
 * a watch ERROR event whose Status has code 410.
 */
export function isExpired(e: unknown): boolean {
  if (e instanceof ApiError) return e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone';
  if (typeof e === 'object' && e !== null && (e as { type?: unknown }).type === 'ERROR') {
    const o = (e as { object?: unknown }).object;
    return isStatus(o) && o.code === 410;
  }
  return false;
}
