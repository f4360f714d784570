// The runc engine's image operations: a pass-through to the node's
// ImageService, with its errors and shapes turned into the Runtime seam's.

import type { ImageService, LocalImage } from '../images.ts';
import { RuntimeError, type AuthConfig, type Image, type ImageSpec } from '../runtime.ts';

export async function pullImage(images: ImageService, image: ImageSpec, auth?: AuthConfig): Promise<string> {
  try {
    return (await images.pull(image.image, auth ? { auth } : {})).id;
  } catch (e) {
    throw new RuntimeError('ImagePull', `pulling image ${JSON.stringify(image.image)}: ${(e as Error).message}`);
  }
}

export async function imageStatus(images: ImageService, image: ImageSpec): Promise<Image | null> {
  const img = await images.resolve(image.image);
  return img ? toImage(img) : null;
}

export async function listImages(images: ImageService): Promise<Image[]> {
  return (await images.list()).map(toImage);
}

export async function removeImage(images: ImageService, image: ImageSpec): Promise<void> {
  await images.remove(image.image);
}

function toImage(img: LocalImage): Image {
  const cfg = img.config.config;
  return { id: img.id, repoTags: [...img.repoTags], repoDigests: [...img.repoDigests], size: img.size, ...(cfg?.User ? { user: cfg.User } : {}), ...(cfg?.StopSignal ? { stopSignal: cfg.StopSignal } : {}) };
}
