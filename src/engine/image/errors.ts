// The image side's error: a RuntimeError (so the agent branches on its code:
// ImagePull, NotFound...) that also carries a finer reason and the image it is
// about. Messages always name the image and say what went wrong.

import { RuntimeError, type RuntimeErrorCode } from '../runtime.ts';

export type ImageErrorReason =
  | 'InvalidReference' // the name cannot be parsed
  | 'NotFound' // no such local image
  | 'ManifestUnknown' // the registry has no such tag/digest
  | 'BlobUnknown' // a blob the manifest names is missing
  | 'DigestMismatch' // content does not hash to its digest
  | 'SizeMismatch' // content is shorter or longer than its descriptor says
  | 'ManifestInvalid' // not JSON, or not a manifest Skiff understands
  | 'PlatformNotFound' // the index has no linux/amd64 entry
  | 'Unreachable' // the registry did not answer
  | 'Unauthorized' // credentials missing or refused
  | 'Registry' // any other registry failure
  | 'InvalidImage' // an import source that is not an image
  | 'Conflict'; // a removal that would leave other names dangling

const runtimeCode: Record<ImageErrorReason, RuntimeErrorCode> = {
  InvalidReference: 'InvalidConfig',
  NotFound: 'NotFound',
  ManifestUnknown: 'ImagePull',
  BlobUnknown: 'ImagePull',
  DigestMismatch: 'ImagePull',
  SizeMismatch: 'ImagePull',
  ManifestInvalid: 'ImagePull',
  PlatformNotFound: 'ImagePull',
  Unreachable: 'ImagePull',
  Unauthorized: 'ImagePull',
  Registry: 'ImagePull',
  InvalidImage: 'InvalidConfig',
  Conflict: 'Internal',
};

export class ImageError extends RuntimeError {
  constructor(
    readonly reason: ImageErrorReason,
    /** The image (or blob/source) the error is about, as the user named it. */
    readonly image: string,
    /** The message without the image name in front. */
    readonly detail: string,
  ) {
    super(runtimeCode[reason], `${image}: ${detail}`);
    this.name = 'ImageError';
  }
}

export function isImageError(e: unknown, reason?: ImageErrorReason): e is ImageError {
  return e instanceof ImageError && (reason === undefined || e.reason === reason);
}

/** Re-labels an ImageError raised about a blob or sub-manifest with the image the user asked for (the detail says which blob). */
export function aboutImage(e: unknown, image: string): unknown {
  if (e instanceof ImageError && e.image !== image) {
    const wrapped = new ImageError(e.reason, image, e.detail);
    wrapped.stack = e.stack;
    return wrapped;
  }
  return e;
}
