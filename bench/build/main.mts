// bench/build: `skiff build` of examples/python-web on the Debian base made
// by `skiff image bootstrap debian:bookworm --include python3`, measured
// cold (empty build cache and snapshots), warm (everything cached, median of
// 5) and after a one-file change (the app's COPY and what follows rerun),
// beside `docker build` of the same Dockerfile in the same run when a Docker
// engine answers (its base image loaded from Skiff's export). Targets: warm
// rebuild < 0.5 s; cold no slower than docker build.
//
//   npm run bench:build
//
// The Debian rootfs is kept in SKIFF_BENCH_ROOTFS_CACHE (default
// /var/cache/skiff-test/bootstrap, shared with the tests); making it the
// first time runs debootstrap against the apt mirror (~1 min here). Root only.

import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bootstrapImage } from '../../src/build/bootstrap.ts';
import { Builder } from '../../src/build/builder.ts';
import { LocalImageService } from '../../src/engine/image/service.ts';
import { imageStoreRoot } from '../../src/engine/image/store.ts';

const run = promisify(execFile);
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'python-web');
const CACHE = process.env.SKIFF_BENCH_ROOTFS_CACHE ?? '/var/cache/skiff-test/bootstrap';

if (process.getuid?.() !== 0) {
  console.error('bench:build needs root (overlay mounts, runc)');
  process.exit(1);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

async function dockerUp(): Promise<string | undefined> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
    return undefined;
  } catch (e) {
    const msg = (e as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? (e as Error).message;
    return `no Docker engine answers here (${msg}); to compare, apt-get install docker.io and start dockerd`;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-build-'));
try {
  const images = await LocalImageService.open({ root: imageStoreRoot(dataDir) });
  const [tb] = await time(() => bootstrapImage(images, 'debian:bookworm', { include: ['python3'], rootfsCache: CACHE, log: (s) => process.stderr.write(s) }));
  console.log(`base image debian:bookworm (+python3) imported in ${ms(tb)}`);
  const ctx = join(dataDir, 'ctx');
  cpSync(EXAMPLE, ctx, { recursive: true });
  const builder = new Builder({ images, root: join(dataDir, 'build') });
  const build = () => builder.build({ context: ctx, tags: ['web:bench'] });
  const [cold, first] = await time(build);
  const warms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const [w, r] = await time(build);
    if (r.ran !== 0) throw new Error(`warm build ran ${r.ran} steps`);
    warms.push(w);
  }
  writeFileSync(join(ctx, 'app.py'), `${await (await import('node:fs/promises')).readFile(join(ctx, 'app.py'), 'utf8')}\n# changed\n`);
  const [changed, cr] = await time(build);
  console.log('\nskiff build examples/python-web');
  console.log(`  cold (empty cache)        ${ms(cold)}   ${first.ran} steps run`);
  console.log(`  warm (all cached), median ${ms(median(warms))}   target < 500 ms: ${median(warms) < 500 ? 'met' : 'MISSED'}  (runs: ${warms.map((w) => w.toFixed(0)).join(', ')} ms)`);
  console.log(`  app.py changed            ${ms(changed)}   ${cr.ran} run, ${cr.cached} cached`);
  const noDocker = await dockerUp();
  if (noDocker) {
    console.log(`\ndocker build: not measured: ${noDocker}`);
  } else {
    const tar = join(dataDir, 'base.tar');
    await images.export(['debian:bookworm'], tar);
    await run('docker', ['load', '-i', tar], { maxBuffer: 16 << 20 });
    const dctx = join(dataDir, 'dctx');
    cpSync(EXAMPLE, dctx, { recursive: true });
    const dbuild = (extra: string[]) => run('docker', ['build', '-q', ...extra, '-t', 'skiff-bench-web:1', dctx], { maxBuffer: 16 << 20 });
    const [dcold] = await time(() => dbuild(['--no-cache']));
    const dwarm: number[] = [];
    for (let i = 0; i < 5; i++) dwarm.push((await time(() => dbuild([])))[0]);
    console.log('\ndocker build (same Dockerfile, base from skiff image export)');
    console.log(`  cold (--no-cache)         ${ms(dcold)}   skiff/docker: ${(cold / dcold).toFixed(2)}x`);
    console.log(`  warm, median              ${ms(median(dwarm))}   skiff/docker: ${(median(warms) / median(dwarm)).toFixed(2)}x`);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
