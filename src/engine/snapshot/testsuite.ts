// The Snapshotter contract suite (containerd's core/snapshots/testsuite is
// the model): run it against every snapshotter with a factory that opens one
// on a root directory. Mounting tests need root and skip without it.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer } from './apply.ts';
import { mountAll, unmount } from './mount.ts';
import { isSnapshotError, type Snapshotter } from './snapshotter.ts';
import { layerTar, type LayerEntry } from '../testsuite/localimages.ts';

export type SnapshotterFactory = (root: string) => Snapshotter & { parentDirs?(key: string): Promise<string[]> };

const notRoot = process.getuid?.() !== 0 ? 'mounting needs root' : undefined;

async function fresh(t: TestContext, factory: SnapshotterFactory) {
  const root = await mkdtemp(join(tmpdir(), 'skiff-snap-'));
  const mounted: string[] = [];
  let made = 0;
  t.after(async () => {
    for (const m of mounted.reverse()) await unmount(m);
    await rm(root, { recursive: true, force: true });
  });
  const sn = factory(join(root, 'store'));
  const mountAt = async (key: string) => {
    const target = join(root, `mnt-${made++}`);
    await mkdir(target);
    await mountAll(await sn.mounts(key), target);
    mounted.push(target);
    return target;
  };
  const umountLast = async () => unmount(mounted.pop()!);
  /** Applies a layer made of `entries` as committed snapshot `name` on `parent`. */
  const layer = async (name: string, parent: string | undefined, entries: LayerEntry[]) => {
    await sn.prepare(`k-${name}`, parent);
    const parents = sn.parentDirs ? await sn.parentDirs(`k-${name}`) : [];
    await applyLayer(Readable.from([await layerTar(entries)]), await sn.dir(`k-${name}`), { parents });
    await sn.commit(name, `k-${name}`);
  };
  return { sn, root, mountAt, umountLast, layer };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isSnapshotError(e)) return e.code;
    throw e;
  }
}

export function snapshotterSuite(name: string, factory: SnapshotterFactory): void {
  test(`${name}: prepare then commit makes a committed snapshot and the active key goes away`, async (t) => {
    const { sn } = await fresh(t, factory);
    const mounts = await sn.prepare('a', undefined, { labels: { x: '1' } });
    assert.equal(mounts.length, 1);
    assert.equal((await sn.stat('a')).kind, 'active');
    await writeFile(join(await sn.dir('a'), 'f'), 'one');
    await sn.commit('layer1', 'a', { labels: { y: '2' } });
    const info = await sn.stat('layer1');
    assert.equal(info.kind, 'committed');
    assert.deepEqual(info.labels, { x: '1', y: '2' });
    assert.equal(info.parent, undefined);
    assert.equal(await code(sn.stat('a')), 'NotFound');
    assert.equal(await readFile(join(await sn.dir('layer1'), 'f'), 'utf8'), 'one');
  });

  test(`${name}: errors by code, and a failed call changes nothing`, async (t) => {
    const { sn } = await fresh(t, factory);
    await sn.prepare('a');
    assert.equal(await code(sn.prepare('a')), 'AlreadyExists');
    assert.equal(await code(sn.prepare('b', 'missing')), 'NotFound');
    assert.equal(await code(sn.prepare('b', 'a')), 'InvalidArgument', 'an active snapshot is not a parent');
    assert.equal(await code(sn.prepare('')), 'InvalidArgument');
    assert.equal(await code(sn.commit('x', 'missing')), 'NotFound');
    await sn.view('v');
    assert.equal(await code(sn.commit('x', 'v')), 'FailedPrecondition', 'a view cannot be committed');
    await sn.commit('c', 'a');
    await sn.prepare('a2');
    assert.equal(await code(sn.commit('c', 'a2')), 'AlreadyExists');
    assert.equal(await code(sn.mounts('c')), 'FailedPrecondition', 'a committed snapshot has no mounts');
    assert.equal(await code(sn.remove('missing')), 'NotFound');
    assert.deepEqual((await sn.list()).map((i) => i.name).sort(), ['a2', 'c', 'v']);
  });

  test(`${name}: a parent cannot be removed before its children; then both go, with their files`, async (t) => {
    const { sn } = await fresh(t, factory);
    await sn.prepare('a');
    const dir = await sn.dir('a');
    await sn.commit('base', 'a');
    await sn.prepare('child', 'base');
    await sn.view('look', 'base');
    assert.equal(await code(sn.remove('base')), 'FailedPrecondition');
    assert.equal((await sn.stat('child')).parent, 'base');
    await sn.remove('child');
    assert.equal(await code(sn.remove('base')), 'FailedPrecondition', 'the view is still a child');
    await sn.remove('look');
    await sn.remove('base');
    assert.deepEqual(await sn.list(), []);
    await assert.rejects(stat(dir), /ENOENT/);
  });

  test(`${name}: usage counts the snapshot's own files`, async (t) => {
    const { sn } = await fresh(t, factory);
    await sn.prepare('a');
    const empty = await sn.usage('a');
    await writeFile(join(await sn.dir('a'), 'big'), Buffer.alloc(64 * 1024, 1));
    const used = await sn.usage('a');
    assert.ok(used.size >= empty.size + 64 * 1024, `${used.size} bytes`);
    assert.equal(used.inodes, empty.inodes + 1);
  });

  test(`${name}: a new instance on the same root sees every snapshot`, async (t) => {
    const { sn, root } = await fresh(t, factory);
    await sn.prepare('a');
    await sn.commit('base', 'a');
    await sn.prepare('c', 'base', { labels: { l: 'v' } });
    const again = factory(join(root, 'store'));
    assert.deepEqual(await again.list(), await sn.list());
    assert.deepEqual(await again.mounts('c'), await sn.mounts('c'));
  });

  test(`${name}: mounted, layers stack; OCI whiteouts hide lower files and opaque dirs hide lower contents`, { skip: notRoot }, async (t) => {
    const { sn, mountAt, layer } = await fresh(t, factory);
    await layer('l1', undefined, [
      { path: 'etc', type: 'directory' },
      { path: 'etc/keep', type: 'file', content: 'keep' },
      { path: 'etc/gone', type: 'file', content: 'gone' },
      { path: 'data', type: 'directory', mode: 0o750 },
      { path: 'data/old1', type: 'file', content: 'x' },
      { path: 'data/sub', type: 'directory' },
      { path: 'data/sub/old2', type: 'file', content: 'x' },
      { path: 'lib', type: 'directory' },
      { path: 'lib/a', type: 'file', content: 'a' },
    ]);
    await layer('l2', 'l1', [
      { path: 'etc/.wh.gone', type: 'file' },
      { path: 'data/.wh..wh..opq', type: 'file' },
      { path: 'data/new', type: 'file', content: 'new' },
      { path: '.wh.lib', type: 'file' },
      { path: 'etc/added', type: 'file', content: 'added', mode: 0o600, uid: 1000, gid: 1000 },
      { path: 'etc/hard', type: 'link', linkname: 'etc/added' },
    ]);
    await sn.prepare('rootfs', 'l2');
    const m = await mountAt('rootfs');
    assert.deepEqual((await readdir(join(m, 'etc'))).sort(), ['added', 'hard', 'keep']);
    assert.deepEqual(await readdir(join(m, 'data')), ['new'], 'opaque dir shows only its own layer');
    assert.equal((await stat(join(m, 'data'))).mode & 0o777, 0o750, 'opaque marker keeps the lower mode');
    assert.deepEqual((await readdir(m)).sort(), ['data', 'etc']);
    const added = await stat(join(m, 'etc/added'));
    assert.equal(added.mode & 0o777, 0o600);
    assert.equal(added.uid, 1000);
    assert.equal(added.ino, (await stat(join(m, 'etc/hard'))).ino);
    // writes land in the active snapshot only; a delete there becomes overlay's own whiteout
    await unlink(join(m, 'etc/keep'));
    await writeFile(join(m, 'etc/mine'), 'mine');
    await stat(join(await sn.dir('l1'), 'etc/keep'));
    await assert.rejects(stat(join(await sn.dir('l2'), 'etc/mine')), /ENOENT/);
  });

  test(`${name}: a committed container change is seen by a view on top of it`, { skip: notRoot }, async (t) => {
    const { sn, mountAt, umountLast, layer } = await fresh(t, factory);
    await layer('l1', undefined, [{ path: 'a', type: 'file', content: 'a' }, { path: 'b', type: 'file', content: 'b' }]);
    await sn.prepare('work', 'l1');
    const m = await mountAt('work');
    await unlink(join(m, 'a'));
    await writeFile(join(m, 'c'), 'c');
    await umountLast();
    await sn.commit('l2', 'work');
    await sn.view('v', 'l2');
    const v = await mountAt('v');
    assert.deepEqual((await readdir(v)).sort(), ['b', 'c']);
    await assert.rejects(writeFile(join(v, 'd'), 'd'), /EROFS|read-only/i, 'a view is read-only');
  });

  test(`${name}: a layer entry climbing out of the root is refused`, async (t) => {
    const { sn, root } = await fresh(t, factory);
    await sn.prepare('a');
    const bad = await layerTar([{ path: '../escape', type: 'file', content: 'x' }]);
    await assert.rejects(applyLayer(Readable.from([bad]), await sn.dir('a')), (e: unknown) => isSnapshotError(e, 'InvalidArgument'));
    await assert.rejects(stat(join(root, 'store', 'snapshots', 'escape')), /ENOENT/);
    const viaLink = await layerTar([
      { path: 'x', type: 'symlink', linkname: '/etc' },
      { path: 'x/passwd', type: 'file', content: 'pwned' },
    ]);
    await assert.rejects(applyLayer(Readable.from([viaLink]), await sn.dir('a')), /beneath symlink/);
  });
}
