// Writes a built stage as an image in the engine's store: the config blob
// (created = the newest step's time, so a fully cached rebuild gives the
// same image id), an OCI manifest over the base's and the new layers, and
// the tags, written last by ImageStore.commit. Without tags the image is
// stored under its digest only (`<none>` in docker's words) so it survives
// until gc.

import type { LocalImageService } from '../engine/image/service.ts';
import type { StoredImage } from '../engine/image/store.ts';
import { DOCKER_LAYER_GZIP, OCI_CONFIG, OCI_LAYER, OCI_LAYER_GZIP, OCI_MANIFEST, type ImageManifest } from '../engine/image/mediatypes.ts';
import type { StageState } from './state.ts';

const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

export async function writeImage(images: LocalImageService, state: StageState, names: string[], epoch?: number): Promise<StoredImage> {
  const config = structuredClone(state.config);
  config.created = epoch !== undefined ? new Date(epoch * 1000).toISOString() : state.lastCreated;
  if (epoch !== undefined) for (const h of config.history ?? []) h.created = config.created;
  if (config.config && !config.config.OnBuild?.length) delete config.config.OnBuild;
  const store = images.store;
  return store.withLease(async (hold) => {
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = await store.content.put(configBytes);
    hold(configDigest);
    const layers = state.layers.map((l) => ({
      mediaType: l.mediaType === DOCKER_LAYER_GZIP ? OCI_LAYER_GZIP : l.mediaType === DOCKER_LAYER ? OCI_LAYER : l.mediaType,
      digest: l.digest,
      size: l.size,
    }));
    for (const l of layers) hold(l.digest);
    const manifest: ImageManifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length }, layers };
    const mdigest = await store.content.put(Buffer.from(JSON.stringify(manifest)));
    hold(mdigest);
    const stored = names.length ? names : [`skiff.local/build@${mdigest}`];
    return store.commit(mdigest, stored, { what: names[0] ?? 'build' });
  });
}
