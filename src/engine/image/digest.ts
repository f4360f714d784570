// Content digests (`sha256:<64 hex>`): validation and hashing helpers. Only
// sha256 is accepted, as in every registry Skiff talks to.

import { createHash, type Hash } from 'node:crypto';
import { ImageError } from './errors.ts';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** Throws a clear error when `d` is not a sha256 digest; `what` names where it came from. */
export function checkDigest(d: unknown, what: string): string {
  if (typeof d !== 'string' || !DIGEST.test(d)) {
    const shown = typeof d === 'string' ? JSON.stringify(d.length > 80 ? d.slice(0, 80) + '...' : d) : String(d);
    throw new ImageError('DigestMismatch', what, `invalid digest ${shown} (want sha256:<64 lowercase hex>)`);
  }
  return d;
}

export function hexOf(d: string): string {
  return d.slice('sha256:'.length);
}

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function newHash(): Hash {
  return createHash('sha256');
}

export function digestOf(h: Hash): string {
  return 'sha256:' + h.digest('hex');
}
