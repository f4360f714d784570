// skiff build against the real engine pieces: overlay snapshots, runc for
// RUN, the content/image store; images read back with skopeo and umoci, and
// run through the runc Runtime. Root only (overlay mounts, runc).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BuildError } from '../../src/build/errors.ts';
import { plainProgress } from '../../src/build/progress.ts';
import { skopeoInspect, umociUnpack, missingTools } from '../support/images.ts';
import { buildHarness, buildSkipReason } from './harness.ts';

const run = promisify(execFile);
const skip = buildSkipReason() ?? false;
const skipTools = skip || (missingTools('skopeo', 'umoci') ?? false);
const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

function collect() {
  let text = '';
  return { progress: plainProgress((s) => (text += s)), get text() { return text; } };
}

test('the static example: multi-stage onto scratch, read back by skopeo and umoci', { skip: skipTools }, async (t) => {
  const h = await buildHarness(t);
  const out = collect();
  const r = await h.builder.build({ context: join(EXAMPLES, 'static-hello'), tags: ['hello:1'], buildArgs: { GREETING: 'hi from the test' }, progress: out.progress });
  assert.deepEqual(r.names, ['docker.io/library/hello:1']);
  assert.match(out.text, /\[build 1\/\d+\] FROM \$\{BASE\} AS build/);
  assert.equal(r.image.layers.length, 1, 'only the copied files make the final image');
  const cfg = r.image.config.config!;
  assert.deepEqual(cfg.Entrypoint, ['/bin/hello']);
  assert.deepEqual(cfg.Cmd, ['--serve']);
  assert.equal(cfg.User, '65534');
  assert.deepEqual(cfg.ExposedPorts, { '8080/tcp': {} });
  assert.equal(cfg.StopSignal, 'SIGTERM');
  const layout = mkdtempSync(join(tmpdir(), 'skiff-build-out-'));
  t.after(() => rmSync(layout, { recursive: true, force: true }));
  await h.images.export(['hello:1'], join(layout, 'oci'));
  const tagOf = JSON.parse(readFileSync(join(layout, 'oci', 'index.json'), 'utf8')).manifests[0].annotations['org.opencontainers.image.ref.name'] as string;
  const inspected = (await skopeoInspect(`oci:${join(layout, 'oci')}:${tagOf}`)) as { Layers: string[]; Architecture: string; Os: string; Env: string[] };
  assert.equal(inspected.Architecture, 'amd64');
  assert.equal(inspected.Os, 'linux');
  assert.deepEqual(inspected.Layers, r.image.layers.map((l) => l.digest));
  const rootfs = await umociUnpack(join(layout, 'oci'), tagOf, join(layout, 'bundle'));
  assert.equal(readFileSync(join(rootfs, 'www/index.html'), 'utf8'), 'hi from the test\nbuilt for linux/amd64\n');
  assert.equal(statSync(join(rootfs, 'bin/hello')).mode & 0o777, 0o755);
  assert.equal(readlinkSync(join(rootfs, 'bin/sh')), 'busybox');
  assert.ok(!existsSync(join(rootfs, 'out')), 'COPY --from=build /out/ / copies the contents, not the directory');
  assert.ok(!existsSync(join(rootfs, 'proc')) && !existsSync(join(rootfs, 'etc')), 'no mount stubs leak into the image');
});

test('a built image runs through the engine Runtime and prints what the Dockerfile said', { skip }, async (t) => {
  const { runcSkipReason } = await import('../../src/engine/testsuite/runc-harness.ts');
  const why = runcSkipReason();
  if (why) return t.skip(why);
  const h = await buildHarness(t);
  const ctx = h.context({ Dockerfile: 'FROM busybox\nARG WHO=world\nENV GREETING="hello, ${WHO}"\nRUN echo "$GREETING" > /greeting\nCMD ["sh", "-c", "cat /greeting; echo env=$GREETING"]\n' });
  await h.builder.build({ context: ctx, tags: ['greeter:1'], buildArgs: { WHO: 'skiff' } });
  const { RuncRuntime } = await import('../../src/engine/runc/runtime.ts');
  const { sandboxConfig, containerConfig, readCriLog, waitState } = await import('../../src/engine/testsuite/fixtures.ts');
  const rt = new RuncRuntime({ root: join(h.dataDir, 'engine'), images: h.images });
  try {
    const sbCfg = sandboxConfig(join(h.dataDir, 'pods'));
    const sb = await rt.runPodSandbox(sbCfg);
    const id = await rt.createContainer(sb, containerConfig('greeter', { image: 'greeter:1' }), sbCfg);
    await rt.startContainer(id);
    const st = await waitState(rt, id, 'exited', 15_000);
    assert.equal(st.exitCode, 0);
    const lines = (await readCriLog(st.logPath)).map((l) => l.text);
    assert.deepEqual(lines, ['hello, skiff', 'env=hello, skiff']);
  } finally {
    // Unmount the containers' roots before the harness removes the data dir.
    for (const s of await rt.listPodSandboxes()) await rt.removePodSandbox(s.id);
    await rt.close();
  }
});

test('rebuild: every step cached, same image id, well under a second; a changed file reruns from its COPY on', { skip }, async (t) => {
  const h = await buildHarness(t);
  const ctx = h.context({
    Dockerfile: 'FROM busybox\nRUN echo one > /one\nCOPY app.txt /app/\nRUN cat /app/app.txt > /copy\nCMD ["cat", "/copy"]\n',
    'app.txt': 'v1\n',
  });
  const first = await h.builder.build({ context: ctx, tags: ['app:1'] });
  assert.equal(first.ran, 3);
  const t0 = performance.now();
  const out = collect();
  const again = await h.builder.build({ context: ctx, tags: ['app:1'], progress: out.progress });
  const warm = performance.now() - t0;
  assert.equal(again.cached, 3);
  assert.equal(again.ran, 0);
  assert.equal(again.image.id, first.image.id, 'a fully cached rebuild gives the same image');
  assert.ok(warm < 500, `warm rebuild took ${warm.toFixed(0)} ms (target < 500 ms)`);
  assert.equal((out.text.match(/CACHED/g) ?? []).length, 3);
  writeFileSync(join(ctx, 'app.txt'), 'v2\n');
  const changed = await h.builder.build({ context: ctx, tags: ['app:1'] });
  assert.equal(changed.cached, 1, 'the RUN before the COPY stays cached');
  assert.equal(changed.ran, 2, 'the COPY and the RUN after it run again');
  assert.notEqual(changed.image.id, first.image.id);
  const noCache = await h.builder.build({ context: ctx, tags: ['app:1'], noCache: true });
  assert.equal(noCache.ran, 3);
  assert.equal(noCache.cached, 0);
});

test('deletions become whiteouts, re-created directories opaque; layers carry only the change', { skip: skipTools }, async (t) => {
  const h = await buildHarness(t);
  const ctx = h.context({ Dockerfile: 'FROM busybox\nRUN mkdir -p /d && echo a > /d/a && echo b > /d/b\nRUN rm /bin/ls && rm -rf /d && mkdir /d && echo c > /d/c\n' });
  const r = await h.builder.build({ context: ctx, tags: ['wh:1'] });
  const last = r.image.layers.at(-1)!;
  const listing = (await run('sh', ['-c', `tar -tzf ${h.images.store.content.path(last.digest)}`])).stdout.split('\n').filter(Boolean);
  assert.ok(listing.includes('bin/.wh.ls'), `whiteout for /bin/ls in ${listing.join(' ')}`);
  assert.ok(listing.includes('d/.wh..wh..opq'), 'opaque marker for the re-created /d');
  assert.ok(listing.includes('d/c'));
  assert.ok(!listing.some((n) => n.startsWith('proc') || n.startsWith('etc/hosts')), 'no mount stubs');
  const layout = mkdtempSync(join(tmpdir(), 'skiff-build-out-'));
  t.after(() => rmSync(layout, { recursive: true, force: true }));
  await h.images.export(['wh:1'], join(layout, 'oci'));
  const tag = JSON.parse(readFileSync(join(layout, 'oci', 'index.json'), 'utf8')).manifests[0].annotations['org.opencontainers.image.ref.name'] as string;
  const rootfs = await umociUnpack(join(layout, 'oci'), tag, join(layout, 'bundle'));
  assert.ok(!existsSync(join(rootfs, 'bin/ls')));
  assert.ok(existsSync(join(rootfs, 'bin/cat')));
  assert.ok(!existsSync(join(rootfs, 'd/a')) && !existsSync(join(rootfs, 'd/b')));
  assert.equal(readFileSync(join(rootfs, 'd/c'), 'utf8'), 'c\n');
});

test('instructions: ARG/ENV substitution, heredocs, COPY globs/--chown/--chmod, ADD archives, .dockerignore, metadata', { skip: skipTools }, async (t) => {
  const h = await buildHarness(t);
  const tarDir = mkdtempSync(join(tmpdir(), 'skiff-build-tar-'));
  t.after(() => rmSync(tarDir, { recursive: true, force: true }));
  writeFileSync(join(tarDir, 'inside.txt'), 'from the archive\n');
  await run('tar', ['-czf', join(tarDir, 'bundle.tar.gz'), '-C', tarDir, 'inside.txt']);
  const ctx = h.context({
    Dockerfile: [
      'ARG VERSION=1.0',
      'FROM busybox',
      'ARG VERSION',
      'ARG UNSET',
      'ENV APP_HOME=/srv/app NAME="my app" EMPTY=',
      'ENV DEFAULTED=${UNSET:-fallback} ALT=${VERSION:+set} LITERAL=\\$VERSION',
      'WORKDIR $APP_HOME',
      'COPY --chown=1000:1000 --chmod=640 *.conf conf/',
      'COPY src/ lib/',
      'ADD bundle.tar.gz /unpacked/',
      'COPY <<EOF /srv/app/generated.txt',
      'version ${VERSION}',
      'EOF',
      'RUN <<EOF',
      'set -e',
      'echo "$NAME $VERSION" > /srv/app/run.txt',
      'ip -o link 2>/dev/null | wc -l > /srv/app/links || cat /proc/net/dev | tail -n +3 | wc -l > /srv/app/links',
      'EOF',
      'SHELL ["/bin/sh", "-ec"]',
      'RUN test "$(pwd)" = /srv/app',
      'USER nobody',
      'LABEL org.opencontainers.image.version=$VERSION "multi word"="a b"',
      'EXPOSE 8080 53/udp',
      'VOLUME ["/data"]',
      'STOPSIGNAL SIGINT',
      'HEALTHCHECK --interval=5s --retries=3 CMD wget -q -O- localhost:8080',
      'ONBUILD RUN echo triggered',
      'ENTRYPOINT ["/bin/sh"]',
    ].join('\n'),
    'a.conf': 'a\n',
    'b.conf': 'b\n',
    'notes.md': 'ignored\n',
    'src/x.js': 'x\n',
    'src/secret.key': 'k\n',
    'bundle.tar.gz': readFileSync(join(tarDir, 'bundle.tar.gz')),
    '.dockerignore': '*.md\n**/*.key\n',
  });
  const r = await h.builder.build({ context: ctx, tags: ['features:1'], buildArgs: { VERSION: '2.5' } });
  const c = r.image.config.config!;
  const env = Object.fromEntries(c.Env!.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  assert.equal(env.APP_HOME, '/srv/app');
  assert.equal(env.NAME, 'my app');
  assert.equal(env.EMPTY, '');
  assert.equal(env.DEFAULTED, 'fallback');
  assert.equal(env.ALT, 'set');
  assert.equal(env.LITERAL, '$VERSION');
  assert.equal(c.WorkingDir, '/srv/app');
  assert.equal(c.User, 'nobody');
  assert.deepEqual(c.Labels, { 'org.opencontainers.image.version': '2.5', 'multi word': 'a b' });
  assert.deepEqual(c.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
  assert.deepEqual(c.Volumes, { '/data': {} });
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'wget -q -O- localhost:8080'], Interval: 5e9, Retries: 3 });
  assert.deepEqual(c.OnBuild, ['RUN echo triggered']);
  assert.deepEqual(c.Entrypoint, ['/bin/sh']);
  assert.equal(c.Cmd, null, 'ENTRYPOINT resets a CMD inherited from the base');
  assert.deepEqual(c.Shell, ['/bin/sh', '-ec']);
  const layout = mkdtempSync(join(tmpdir(), 'skiff-build-out-'));
  t.after(() => rmSync(layout, { recursive: true, force: true }));
  await h.images.export(['features:1'], join(layout, 'oci'));
  const tag = JSON.parse(readFileSync(join(layout, 'oci', 'index.json'), 'utf8')).manifests[0].annotations['org.opencontainers.image.ref.name'] as string;
  const root = await umociUnpack(join(layout, 'oci'), tag, join(layout, 'bundle'));
  const app = join(root, 'srv/app');
  const conf = lstatSync(join(app, 'conf/a.conf'));
  assert.equal(conf.mode & 0o777, 0o640);
  assert.equal(conf.uid, 1000);
  assert.equal(conf.gid, 1000);
  assert.ok(existsSync(join(app, 'conf/b.conf')));
  assert.ok(existsSync(join(app, 'lib/x.js')), 'a directory source copies its contents');
  assert.ok(!existsSync(join(app, 'lib/secret.key')), '.dockerignore excludes **/*.key');
  assert.equal(readFileSync(join(root, 'unpacked/inside.txt'), 'utf8'), 'from the archive\n', 'ADD unpacks a local archive');
  assert.equal(readFileSync(join(app, 'generated.txt'), 'utf8'), 'version 2.5\n');
  assert.equal(readFileSync(join(app, 'run.txt'), 'utf8'), 'my app 2.5\n');
  assert.equal(readFileSync(join(app, 'links'), 'utf8').trim(), '1', 'the build network has loopback only');
  // ONBUILD runs in a build FROM this image.
  const child = h.context({ Dockerfile: 'FROM features:1\nUSER root\nRUN echo child\n' });
  const out = collect();
  const cr = await h.builder.build({ context: child, tags: ['child:1'], progress: out.progress });
  assert.match(out.text, /RUN echo triggered/);
  assert.equal(cr.image.config.config!.OnBuild, undefined, 'triggers are not inherited by grandchildren');
});

test('--target builds only the stages it needs', { skip }, async (t) => {
  const h = await buildHarness(t);
  const ctx = h.context({
    Dockerfile: 'FROM busybox AS broken\nRUN exit 3\nFROM busybox AS base\nRUN echo base > /base\nFROM base AS test\nRUN echo test > /test\nFROM busybox AS final\nCOPY --from=base /base /\n',
  });
  const out = collect();
  const r = await h.builder.build({ context: ctx, tags: ['t:1'], target: 'test', progress: out.progress });
  assert.doesNotMatch(out.text, /broken|final/);
  assert.equal(r.ran, 2);
  const r2 = await h.builder.build({ context: ctx, tags: ['t:2'] });
  assert.equal(r2.cached, 1, "final reuses base's cached RUN");
  await assert.rejects(h.builder.build({ context: ctx, tags: ['t:3'], target: 'nope' }), /target stage "nope" could not be found/);
});

test('bad input: the error names the Dockerfile line and the reason, nothing is tagged, the cache stays valid', { skip }, async (t) => {
  const h = await buildHarness(t);
  const cases: [string, Record<string, string>, RegExp][] = [
    ['unknown instruction', { Dockerfile: 'FROM busybox\nRUN true\nFETCH x\n' }, /^Dockerfile:3: unknown instruction: FETCH$/],
    ['COPY outside the context', { Dockerfile: 'FROM busybox\n\nCOPY ../etc/passwd /x\n' }, /^Dockerfile:3: forbidden path outside the build context: \.\.\/etc\/passwd$/],
    ['COPY of a missing file', { Dockerfile: 'FROM busybox\nCOPY missing.txt /x\n' }, /^Dockerfile:2: COPY failed: file not found in build context or excluded by \.dockerignore: stat missing\.txt/],
    ['FROM a missing image', { Dockerfile: '# base\nFROM skiff.invalid/nothing:here\nRUN true\n' }, /^Dockerfile:2: base image "skiff\.invalid\/nothing:here" not found/],
    ['instruction before FROM', { Dockerfile: 'RUN true\nFROM busybox\n' }, /^Dockerfile:1: no build stage in current context/],
    ['bad flag', { Dockerfile: 'FROM busybox\nCOPY --own=1 a b\n' }, /^Dockerfile:2: unknown flag: --own/],
    ['SHELL not JSON', { Dockerfile: 'FROM busybox\nSHELL /bin/bash -c\n' }, /^Dockerfile:2: SHELL requires the arguments to be in JSON form$/],
    ['unknown --chown user', { Dockerfile: 'FROM busybox\nCOPY --chown=nobody-here f /f\n', f: 'x' }, /^Dockerfile:2: .*no such user: nobody-here/],
    ['bad substitution', { Dockerfile: 'FROM busybox\nENV A=${B:?must_be_set}\n' }, /^Dockerfile:2: B: must_be_set$/],
  ];
  for (const [what, files, re] of cases) {
    const ctx = h.context(files);
    await assert.rejects(h.builder.build({ context: ctx, tags: ['bad:1'], pull: what !== 'FROM a missing image' ? true : false }), (e: unknown) => {
      assert.ok(e instanceof BuildError, `${what}: ${String(e)}`);
      assert.match(e.message, re, what);
      return true;
    });
  }
  // A failing RUN: its output and exit code, the line; earlier steps stay cached and nothing is tagged.
  const ctx = h.context({ Dockerfile: 'FROM busybox\nRUN echo prepared > /p\nRUN echo about to fail; echo on stderr >&2; exit 7\n' });
  const out = collect();
  await assert.rejects(h.builder.build({ context: ctx, tags: ['bad:1'], progress: out.progress }), (e: unknown) => {
    assert.ok(e instanceof BuildError);
    assert.match(e.message, /^Dockerfile:3: RUN echo about to fail.*exit code: 7$/);
    assert.equal(e.exitCode, 7);
    // stdout and stderr come through two pipes: both lines are there, in either order.
    assert.match(e.output!, /about to fail\n/);
    assert.match(e.output!, /on stderr\n/);
    return true;
  });
  assert.match(out.text, /\[stage-0 3\/3\] ERROR/);
  assert.match(out.text, /  about to fail/);
  assert.equal(await h.images.resolve('bad:1'), null, 'nothing was tagged');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo prepared > /p\nRUN echo fixed\n');
  const fixed = await h.builder.build({ context: ctx, tags: ['bad:1'] });
  assert.equal(fixed.cached, 1, 'the step before the failure is still cached');
  assert.equal(fixed.ran, 1);
  assert.ok(await h.images.resolve('bad:1'));
});

test('names without a registry are stored on the cluster registry, and --push sends them there', { skip }, async (t) => {
  const { startRegistry } = await import('../support/images.ts');
  if (missingTools('docker-registry')) return t.skip(missingTools('docker-registry')!);
  const reg = await startRegistry();
  t.after(() => reg.stop());
  const h = await buildHarness(t, { defaultRegistry: reg.host });
  const ctx = h.context({ Dockerfile: 'FROM busybox\nRUN echo pushed > /p\n' });
  const r = await h.builder.build({ context: ctx, tags: ['web:1'], push: true });
  assert.deepEqual(r.names, [`${reg.host}/web:1`]);
  assert.equal(r.pushed.length, 1);
  const raw = (await skopeoInspect(`docker://${reg.host}/web:1`, true)) as { layers: { digest: string }[] };
  assert.deepEqual(raw.layers.map((l) => l.digest), r.image.layers.map((l) => l.digest));
  assert.equal((await h.images.resolve('web:1'))?.id, r.image.id, 'image: web:1 finds what was built');
});
