// Unpacks an image's layers into committed snapshots named by chain ID, so a
// container's rootfs is one prepare() on the top chain ID. Layers already
// unpacked (shared with another image) are skipped; each layer is checked
// against its diffID, and a failed layer leaves nothing behind.

import { randomBytes } from 'node:crypto';
import type { LocalImage } from '../images.ts';
import { applyLayer } from './apply.ts';
import { chainIDs } from './chainid.ts';
import { isSnapshotError, type Snapshotter } from './snapshotter.ts';

type LayerSnapshotter = Snapshotter & { parentDirs?(key: string): Promise<string[]> };

const inflight = new Map<string, Promise<void>>();

/** Returns the chain ID of the image's top layer (undefined for an image without layers). */
export async function unpackImage(sn: LayerSnapshotter, image: LocalImage): Promise<string | undefined> {
  const diffIDs = image.config.rootfs.diff_ids;
  if (diffIDs.length !== image.layers.length) throw new Error(`image ${image.id}: config lists ${diffIDs.length} diffIDs but the manifest has ${image.layers.length} layers`);
  const chain = chainIDs(diffIDs);
  for (let i = 0; i < chain.length; i++) {
    const name = chain[i]!;
    const parent = i > 0 ? chain[i - 1] : undefined;
    let p = inflight.get(name);
    if (!p) {
      p = unpackLayer(sn, image, i, name, parent).finally(() => inflight.delete(name));
      inflight.set(name, p);
    }
    await p;
  }
  return chain.at(-1);
}

async function exists(sn: Snapshotter, name: string): Promise<boolean> {
  try {
    await sn.stat(name);
    return true;
  } catch (e) {
    if (isSnapshotError(e, 'NotFound')) return false;
    throw e;
  }
}

async function unpackLayer(sn: LayerSnapshotter, image: LocalImage, i: number, name: string, parent: string | undefined): Promise<void> {
  if (await exists(sn, name)) return;
  const layer = image.layers[i]!;
  const key = `extract-${randomBytes(6).toString('hex')}-${name}`;
  await sn.prepare(key, parent, { labels: { 'skiff.io/unpacking': layer.diffID } });
  try {
    const dir = await sn.dir(key);
    const parents = sn.parentDirs ? await sn.parentDirs(key) : [];
    const got = await applyLayer(await layer.open(), dir, { parents });
    if (got.diffID !== layer.diffID) throw new Error(`image ${image.id}: layer ${layer.digest} unpacks to ${got.diffID}, not its diffID ${layer.diffID}`);
    try {
      await sn.commit(name, key);
    } catch (e) {
      if (!isSnapshotError(e, 'AlreadyExists')) throw e;
      await sn.remove(key); // another unpacker committed it first
    }
  } catch (e) {
    await sn.remove(key).catch(() => undefined);
    throw e;
  }
}
