// `skiff image ...` end to end on a temp data dir: import (OCI layout, its
// tar, docker save, rootfs dir), ls, tag, inspect, export (read back by
// skopeo and umoci), rm, and the errors a user sees.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUSYBOX_BIN, buildBusyboxImage, missingTools, skopeoInspect, umociUnpack, type BuiltImage } from '../../test/support/images.ts';
import { runImageCommand } from './image.ts';

async function skiff(dataDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await runImageCommand(argv, { dataDir });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('skiff image', () => {
  let tmp: string;
  let built: BuiltImage;
  let plain: BuiltImage;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'skiff-cli-image-'));
    built = await buildBusyboxImage(join(tmp, 'layout'), { tag: '1' });
    plain = await buildBusyboxImage(join(tmp, 'plain'), { tag: '1', gzip: false });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('import a layout, ls, tag, inspect, rm', async () => {
    const d = join(tmp, 'd1');
    let r = await skiff(d, 'import', built.layout);
    assert.equal(r.code, 1);
    assert.match(r.err, /names its image only by tag "1"; give a name \(--name NAME:TAG\)/);
    r = await skiff(d, 'import', built.layout, '--name', 'busybox:1');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'Loaded image: docker.io/library/busybox:1');
    r = await skiff(d, 'tag', 'busybox:1', 'localhost:5000/bb:2');
    assert.equal(r.code, 0, r.err);
    r = await skiff(d, 'ls');
    const lines = r.out.split('\n');
    assert.match(lines[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    const id = built.manifests['linux/amd64']!.config.slice(7, 19);
    assert.ok(lines.some((l) => new RegExp(`^busybox\\s+1\\s+${id}\\s+\\d+ \\w+ ago\\s+[\\d.]+MB$`).test(l)), r.out);
    assert.ok(lines.some((l) => new RegExp(`^localhost:5000/bb\\s+2\\s+${id}`).test(l)), r.out);
    r = await skiff(d, 'inspect', 'busybox:1');
    const [info] = JSON.parse(r.out) as { Id: string; RepoTags: string[]; Config: { Cmd: string[] }; RootFS: { Layers: string[] } }[];
    assert.equal(info!.Id, built.manifests['linux/amd64']!.config);
    assert.deepEqual(info!.RepoTags.sort(), ['docker.io/library/busybox:1', 'localhost:5000/bb:2']);
    assert.deepEqual(info!.RootFS.Layers, built.manifests['linux/amd64']!.diffIDs);
    r = await skiff(d, 'rm', id);
    assert.equal(r.code, 1);
    assert.match(r.err, /referenced by 2 names/);
    r = await skiff(d, 'rm', 'busybox:1');
    assert.equal(r.out, 'Untagged: busybox:1');
    r = await skiff(d, 'rm', 'localhost:5000/bb:2');
    assert.equal(r.out, `Deleted: ${built.manifests['linux/amd64']!.config}`);
    assert.deepEqual(readdirSync(join(d, 'images', 'blobs', 'sha256')), [], 'blobs collected with the last name');
    r = await skiff(d, 'inspect', 'busybox:1');
    assert.equal(r.code, 1);
    assert.equal(r.err, 'skiff image inspect: busybox:1: no such image');
  });

  test('export to a directory and a tar; skopeo and umoci read them; the tar imports again', { skip: missingTools('skopeo', 'umoci') }, async () => {
    const d = join(tmp, 'd2');
    assert.equal((await skiff(d, 'import', built.layout, '--name', 'reg.example:5000/app:7')).code, 0);
    assert.equal((await skiff(d, 'export', 'reg.example:5000/app:7', join(tmp, 'out'))).code, 0);
    const info = (await skopeoInspect(`oci:${join(tmp, 'out')}:7`)) as { Digest: string };
    assert.equal(info.Digest, built.digest);
    const rootfs = await umociUnpack(join(tmp, 'out'), '7', join(tmp, 'bundle'));
    assert.deepEqual(readFileSync(join(rootfs, 'bin/busybox')), readFileSync(BUSYBOX_BIN));
    assert.equal((await skiff(d, 'export', 'reg.example:5000/app:7', join(tmp, 'out.tar'))).code, 0);
    const d3 = join(tmp, 'd3');
    const r = await skiff(d3, 'import', join(tmp, 'out.tar'));
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'Loaded image: reg.example:5000/app:7', 'the full name travels in the layout');
    assert.equal(JSON.parse((await skiff(d3, 'inspect', 'reg.example:5000/app:7')).out)[0].Id, built.manifests['linux/amd64']!.config);
  });

  test('import a docker save archive', async () => {
    const dir = join(tmp, 'save');
    const m = plain.manifests['linux/amd64']!;
    mkdirSync(join(dir, 'layer0'), { recursive: true });
    copyFileSync(join(plain.layout, 'blobs/sha256', m.layers[0]!.slice(7)), join(dir, 'layer0', 'layer.tar'));
    copyFileSync(join(plain.layout, 'blobs/sha256', m.config.slice(7)), join(dir, `${m.config.slice(7)}.json`));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: `${m.config.slice(7)}.json`, RepoTags: ['saved:1'], Layers: ['layer0/layer.tar'] }]));
    execFileSync('tar', ['-cf', join(tmp, 'save.tar'), '-C', dir, '.']);
    const d = join(tmp, 'd4');
    let r = await skiff(d, 'import', join(tmp, 'save.tar'));
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'Loaded image: docker.io/library/saved:1');
    const [info] = JSON.parse((await skiff(d, 'inspect', 'saved:1')).out) as { Id: string; RootFS: { Layers: string[] } }[];
    assert.equal(info!.Id, m.config);
    assert.deepEqual(info!.RootFS.Layers, m.diffIDs);
    // A layer that does not match the config's diff_ids.
    writeFileSync(join(dir, 'layer0', 'layer.tar'), Buffer.alloc(1024));
    execFileSync('tar', ['-cf', join(tmp, 'bad.tar'), '-C', dir, '.']);
    r = await skiff(join(tmp, 'd5'), 'import', join(tmp, 'bad.tar'), '--name', 'bad:1');
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.tar: layer layer0\/layer.tar hashes to sha256:\w+, the config says sha256:\w+/);
    assert.equal((await skiff(join(tmp, 'd5'), 'ls', '--quiet')).out, '', 'nothing imported');
    // A missing layer.
    rmSync(join(dir, 'layer0'), { recursive: true });
    execFileSync('tar', ['-cf', join(tmp, 'missing.tar'), '-C', dir, '.']);
    r = await skiff(join(tmp, 'd5'), 'import', join(tmp, 'missing.tar'));
    assert.match(r.err, /layer layer0\/layer.tar is missing from the archive/);
  });

  test('import a rootfs directory as a one-layer image', async () => {
    const root = join(tmp, 'rootfs');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync(BUSYBOX_BIN, join(root, 'bin/busybox'));
    symlinkSync('busybox', join(root, 'bin/sh'));
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/hostname'), 'x\n');
    const d = join(tmp, 'd6');
    let r = await skiff(d, 'import', root);
    assert.equal(r.code, 1);
    assert.match(r.err, /only with a name/);
    r = await skiff(d, 'import', root, '--name', 'rootfs:1');
    assert.equal(r.code, 0, r.err);
    const [info] = JSON.parse((await skiff(d, 'inspect', 'rootfs:1')).out) as { Config: { Cmd: string[] }; RootFS: { Layers: string[] }; Architecture: string }[];
    assert.deepEqual(info!.Config.Cmd, ['/bin/sh']);
    assert.equal(info!.Architecture, 'amd64');
    // The same tree gives the same layer.
    const again = await skiff(join(tmp, 'd7'), 'import', root, '--name', 'rootfs:1');
    assert.equal(again.code, 0);
    const [info2] = JSON.parse((await skiff(join(tmp, 'd7'), 'inspect', 'rootfs:1')).out) as { RootFS: { Layers: string[] } }[];
    assert.deepEqual(info2!.RootFS.Layers, info!.RootFS.Layers);
    const out = join(tmp, 'rootfs-layer');
    mkdirSync(out);
    const layerBlob = join(d, 'images', 'blobs', 'sha256', info!.RootFS.Layers[0]!.slice(7));
    execFileSync('tar', ['-xf', layerBlob, '-C', out]);
    assert.deepEqual(readFileSync(join(out, 'bin/busybox')), readFileSync(BUSYBOX_BIN));
    assert.ok(existsSync(join(out, 'etc/hostname')));
  });

  test('usage and bad input', async () => {
    const d = join(tmp, 'd8');
    assert.equal((await skiff(d, 'pull')).code, 2);
    assert.equal((await skiff(d, 'frobnicate')).code, 2);
    assert.equal((await skiff(d, 'ls', '--bogus')).code, 2);
    let r = await skiff(d, 'pull', 'Not/Valid');
    assert.equal(r.code, 1);
    assert.match(r.err, /^skiff image pull: Not\/Valid: invalid image reference/);
    r = await skiff(d, 'import', join(tmp, 'nope'));
    assert.equal(r.err, `skiff image import: ${join(tmp, 'nope')}: no such file or directory`);
    writeFileSync(join(tmp, 'junk.tar'), 'this is not a tar archive at all'.repeat(40));
    r = await skiff(d, 'import', join(tmp, 'junk.tar'));
    assert.equal(r.code, 1);
    assert.match(r.err, /junk\.tar: (not a readable tar archive|archive is neither)/);
  });
});
