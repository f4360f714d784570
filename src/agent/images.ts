// The kubelet's image manager: imagePullPolicy (Always, IfNotPresent,
// Never; `:latest` or no tag means Always when unset), pulls with the
// kubelet's events and a per pod+image back-off, so a missing image shows
// ErrImagePull, then ImagePullBackOff, and ErrImageNeverPull under Never.

import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { isRuntimeError, type Runtime } from '../engine/runtime.ts';
import { Backoff } from './backoff.ts';
import type { EventRecorder } from '../client/events.ts';
import { podRef } from './refs.ts';
import { goDuration } from './format.ts';

export type ImageErrorReason = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName';

export class ImageError extends Error {
  constructor(
    readonly reason: ImageErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

/** The policy a container gets when it names none (the API server defaults it the same way). */
export function pullPolicyOf(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy === 'Always' || c.imagePullPolicy === 'IfNotPresent' || c.imagePullPolicy === 'Never') return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export class ImageManager {
  readonly backoff: Backoff;
  private readonly lastError = new Map<string, string>();

  constructor(
    private readonly runtime: Runtime,
    private readonly recorder: EventRecorder,
    backoff: { initialMs: number; maxMs: number },
  ) {
    this.backoff = new Backoff(backoff.initialMs, backoff.maxMs);
  }

  /** Makes sure the container's image is here; answers its id or throws ImageError (events recorded). */
  async ensure(pod: Pod, c: Container): Promise<string> {
    const image = c.image ?? '';
    const ref = podRef(pod, c.name);
    if (!image.trim()) throw new ImageError('InvalidImageName', `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`);
    const policy = pullPolicyOf(c);
    const present = await this.runtime.imageStatus({ image });
    if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
      if (present) {
        this.recorder.event(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
        return present.id;
      }
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.recorder.event(ref, 'Warning', 'ErrImageNeverPull', msg);
      throw new ImageError('ErrImageNeverPull', msg);
    }
    const key = `${pod.metadata!.uid}_${image}`;
    if (this.backoff.isInBackOffSinceUpdate(key)) {
      const msg = `Back-off pulling image "${image}"`;
      this.recorder.event(ref, 'Normal', 'BackOff', msg);
      const prev = this.lastError.get(key);
      throw new ImageError('ImagePullBackOff', prev ? `${msg}: ${prev}` : msg);
    }
    this.recorder.event(ref, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const start = Date.now();
    try {
      const id = await this.runtime.pullImage({ image });
      const took = goDuration(Date.now() - start);
      const size = (await this.runtime.imageStatus({ image }))?.size ?? 0;
      this.recorder.event(ref, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${size} bytes.`);
      this.lastError.delete(key);
      this.backoff.gc();
      return id;
    } catch (e) {
      const msg = isRuntimeError(e) ? e.message : (e as Error).message;
      this.recorder.event(ref, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
      this.backoff.next(key, Date.now());
      this.lastError.set(key, `ErrImagePull: ${msg}`);
      throw new ImageError('ErrImagePull', msg);
    }
  }

  /** How long until the pod's pull of this image may be tried again. */
  retryAfterMs(pod: Pod, c: Container): number {
    return Math.max(50, this.backoff.remainingSinceUpdate(`${pod.metadata!.uid}_${c.image}`));
  }

  forgetPod(uid: string): void {
    this.backoff.forgetPrefix(`${uid}_`);
    for (const k of this.lastError.keys()) if (k.startsWith(`${uid}_`)) this.lastError.delete(k);
  }
}
