// The Python example on a Debian base made offline by `skiff image
// bootstrap debian:bookworm --include python3`: built, read back with
// skopeo, rebuilt from the cache, and run through the runc Runtime, where it
// serves HTTP inside its pod. debootstrap takes about a minute here; its
// result is kept in a cache directory (SKIFF_TEST_ROOTFS_CACHE, default
// /var/cache/skiff-test/bootstrap) so later runs need no mirror. Without a
// cached rootfs and without debootstrap (or with SKIFF_TEST_OFFLINE=1) the
// test skips and says why.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapImage } from '../../src/build/bootstrap.ts';
import { missingTools, skopeoInspect } from '../support/images.ts';
import { waitFor } from '../support/wait.ts';
import { buildHarness, buildSkipReason } from './harness.ts';
import { Collect } from '../../src/engine/testsuite/collect.ts';

const CACHE = process.env.SKIFF_TEST_ROOTFS_CACHE ?? '/var/cache/skiff-test/bootstrap';
const cached = existsSync(join(CACHE, 'bookworm+python3', '.complete'));
function skipReason(): string | undefined {
  const base = buildSkipReason() ?? missingTools('conmon', 'skopeo');
  if (base) return base;
  if (cached) return undefined;
  if (process.env.SKIFF_TEST_OFFLINE) return `no cached Debian rootfs in ${CACHE} and SKIFF_TEST_OFFLINE is set`;
  if (missingTools('debootstrap')) return `no cached Debian rootfs in ${CACHE}, and debootstrap is not installed to make one (apt-get install debootstrap)`;
  return undefined;
}
const skip = skipReason() ?? false;
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'python-web');


test('examples/python-web: built on the bootstrapped Debian base, cached on rebuild, serving in a pod', { skip, timeout: 20 * 60_000 }, async (t) => {
  const h = await buildHarness(t);
  const base = await bootstrapImage(h.images, 'debian:bookworm', { include: ['python3'], rootfsCache: CACHE, log: (s) => t.diagnostic(s.trimEnd()) });
  assert.deepEqual(base.repoTags, ['docker.io/library/debian:bookworm']);
  const cold0 = performance.now();
  const r = await h.builder.build({ context: EXAMPLE, tags: ['web:1'] });
  const cold = performance.now() - cold0;
  t.diagnostic(`cold build ${cold.toFixed(0)} ms`);
  assert.equal(r.ran, 3, 'WORKDIR-free steps: COPY, RUN, COPY');
  const c = r.image.config.config!;
  assert.deepEqual(c.Cmd, ['python3', 'app.py']);
  assert.equal(c.User, 'app');
  assert.equal(c.WorkingDir, '/app');
  assert.deepEqual(c.Healthcheck?.Test?.[0], 'CMD-SHELL');
  const warm0 = performance.now();
  const again = await h.builder.build({ context: EXAMPLE, tags: ['web:1'] });
  const warm = performance.now() - warm0;
  t.diagnostic(`warm build ${warm.toFixed(0)} ms`);
  assert.equal(again.image.id, r.image.id);
  assert.equal(again.ran, 0);
  assert.ok(warm < 500, `warm rebuild ${warm.toFixed(0)} ms (target < 500 ms)`);

  const layout = join(h.dataDir, 'web-oci');
  await h.images.export(['web:1'], layout);
  const ref = (JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { annotations: Record<string, string> }[] }).manifests[0]!.annotations['org.opencontainers.image.ref.name'];
  const inspected = (await skopeoInspect(`oci:${layout}:${ref}`)) as { Layers: string[] };
  assert.equal(inspected.Layers.length, r.image.layers.length);

  const { RuncRuntime } = await import('../../src/engine/runc/runtime.ts');
  const { sandboxConfig, containerConfig, readCriLog } = await import('../../src/engine/testsuite/fixtures.ts');
  const rt = new RuncRuntime({ root: join(h.dataDir, 'engine'), images: h.images });
  try {
    const sbCfg = sandboxConfig(join(h.dataDir, 'pods'));
    const sb = await rt.runPodSandbox(sbCfg);
    const id = await rt.createContainer(sb, containerConfig('web', { image: 'web:1', envs: [{ name: 'GREETING', value: 'hello from the test' }] }), sbCfg);
    await rt.startContainer(id);
    const st = await rt.containerStatus(id);
    await waitFor(async () => (await readCriLog(st.logPath)).some((l) => l.text === 'serving on 0.0.0.0:8000'), 'the app to say it serves', 20_000, 50);
    const out = new Collect();
    const res = await rt.exec(id, { cmd: ['python3', '-c', "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8000/').read().decode(), end='')"], stdout: out, stderr: out, timeoutMs: 10_000 });
    assert.equal(res.exitCode, 0, out.text);
    assert.match(out.text, /^hello from the test \(pod pod\d+\)\n$/);
    const who = new Collect();
    await rt.exec(id, { cmd: ['id', '-un'], stdout: who, stderr: who, timeoutMs: 5_000 });
    assert.equal(who.text.trim(), 'app', 'USER app from the Dockerfile');
  } finally {
    for (const s of await rt.listPodSandboxes()) await rt.removePodSandbox(s.id);
    await rt.close();
  }
});
