// bench/engine/images: pull and push throughput of Skiff's registry client
// against the local docker-registry on loopback, beside `skopeo copy` of the
// same image in the same run. The image is a static busybox plus random-byte
// layers (incompressible, ~32 MB in all, gzip level 1) built as an OCI layout.
//
//   push  skiff: local store → registry (fresh repository each round)
//         skopeo: oci:LAYOUT → docker://registry (fresh repository each round)
//   pull  skiff: registry → empty local store (verify + write blobs)
//         skopeo: docker://registry → empty oci: directory
//
// MB/s = layer and config bytes moved / wall seconds; median of the rounds.
//
//   npm run bench:images                 (5 rounds)
//   npm run bench:images -- --rounds=3 --mb=48

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBusyboxImage, missingTools, skopeoCopy, startRegistry } from '../../test/support/images.ts';
import { LocalImageService } from '../../src/engine/image/service.ts';

const run = promisify(execFile);
const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const rounds = arg('rounds', 5);
const totalMB = arg('mb', 32);

const missing = missingTools('docker-registry', 'skopeo');
if (missing) {
  console.log(`bench/engine/images: skipped: ${missing}`);
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const tmp = mkdtempSync(join(tmpdir(), 'skiff-bench-images-'));
const reg = await startRegistry();
try {
  const layerMB = 8;
  const n = Math.max(1, Math.round(totalMB / layerMB));
  const img = await buildBusyboxImage(join(tmp, 'layout'), { tag: '1', randomLayers: Array.from({ length: n }, () => layerMB << 20) });
  const bytes = img.layerBytes;
  const mb = bytes / 1e6;
  const { stdout: version } = await run('skopeo', ['--version']);
  console.log(`bench/engine/images: ${mb.toFixed(1)} MB image (${n + 1} layers), docker-registry on ${reg.host}, ${rounds} rounds, ${version.trim()}`);

  const src = await LocalImageService.open({ root: join(tmp, 'store-src') });
  await src.import(img.layout, { name: 'bench:1' });

  const res = { skiffPush: [] as number[], skopeoPush: [] as number[], skiffPull: [] as number[], skopeoPull: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    res.skopeoPush.push(await timed(() => skopeoCopy(img.ociRef, `docker://${reg.host}/skopeo/bench${i}:1`)));
    res.skiffPush.push(await timed(() => src.push('bench:1', `${reg.host}/skiff/bench${i}:1`)));
    const out = join(tmp, `oci-${i}`);
    res.skopeoPull.push(await timed(() => skopeoCopy(`docker://${reg.host}/skopeo/bench${i}:1`, `oci:${out}:1`)));
    const dst = await LocalImageService.open({ root: join(tmp, `store-${i}`) });
    res.skiffPull.push(await timed(() => dst.pull(`${reg.host}/skiff/bench${i}:1`)));
    rmSync(out, { recursive: true, force: true });
    rmSync(join(tmp, `store-${i}`), { recursive: true, force: true });
  }
  const row = (name: string, push: number[], pull: number[]) =>
    `${name.padEnd(14)}${(mb / median(push)).toFixed(0).padStart(8)} MB/s ${(median(push) * 1000).toFixed(0).padStart(6)} ms${(mb / median(pull)).toFixed(0).padStart(10)} MB/s ${(median(pull) * 1000).toFixed(0).padStart(6)} ms`;
  console.log(`${''.padEnd(14)}${'push'.padStart(20)}${'pull'.padStart(22)}`);
  console.log(row('skiff', res.skiffPush, res.skiffPull));
  console.log(row('skopeo copy', res.skopeoPush, res.skopeoPull));
  console.log(`skiff/skopeo  push ${(median(res.skopeoPush) / median(res.skiffPush)).toFixed(2)}x   pull ${(median(res.skopeoPull) / median(res.skiffPull)).toFixed(2)}x  (higher is faster)`);
} finally {
  await reg.stop();
  rmSync(tmp, { recursive: true, force: true });
}
