// bench/engine: container start-to-exit of `busybox true` through the runc
// engine (create + start + wait for the exit + remove), beside bare `runc run`
// of the same bundle and, when a Docker engine answers, `docker run --rm` of
// a busybox image - all in one run. Root only.
//
//   node --import tsx bench/engine/main.mts [runs=30]

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerConfig, sandboxConfig } from '../../src/engine/testsuite/fixtures.ts';
import { runcHarness, runcSkipReason } from '../../src/engine/testsuite/runc-harness.ts';

const runs = Number(process.argv[2] ?? 30);
const why = runcSkipReason();
if (why) {
  console.error(`bench/engine: ${why}`);
  process.exit(1);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const row = (name: string, xs: number[], anchor?: number) =>
  console.log(`${name.padEnd(34)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms${anchor ? `   ${(pct(xs, 50) / anchor).toFixed(2)}x bare runc` : ''}`);

const h = await runcHarness();
const rt = h.runtime;
try {
  const cfg = sandboxConfig(h.logRoot);
  const sb = await rt.runPodSandbox(cfg);
  // warm up: unpack the image once
  const warm = await rt.createContainer(sb, containerConfig('warm', { command: ['true'] }), cfg);

  const engine: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const id = await rt.createContainer(sb, containerConfig(`c${i}`, { command: ['true'] }), cfg);
    await rt.startContainer(id);
    for (;;) {
      if ((await rt.containerStatus(id)).state === 'exited') break;
      await new Promise((r) => setTimeout(r, 1));
    }
    await rt.removeContainer(id);
    engine.push(performance.now() - t0);
  }

  // bare runc: the warm-up container's bundle (same rootfs mount, same config.json), `runc run` in the foreground
  const bundle = join(rt.root, 'containers', warm, 'bundle');
  const runcRoot = await mkdtemp(join(tmpdir(), 'skiff-bench-runc-'));
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync('runc', ['--root', runcRoot, 'run', '-b', bundle, `bare-${process.pid}-${i}`], { stdio: 'ignore' });
    bare.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`bare runc run exited ${r.status}`);
  }
  await rm(runcRoot, { recursive: true, force: true });

  let docker: number[] | undefined;
  const dockerImage = process.env.BENCH_DOCKER_IMAGE ?? 'busybox';
  if (spawnSync('docker', ['image', 'inspect', dockerImage], { stdio: 'ignore' }).status === 0) {
    docker = [];
    for (let i = 0; i < Math.min(runs, 20); i++) {
      const t0 = performance.now();
      spawnSync('docker', ['run', '--rm', dockerImage, 'true'], { stdio: 'ignore' });
      docker.push(performance.now() - t0);
    }
  }

  console.log(`container start-to-exit of \`busybox true\`, ${runs} runs (anchors: bare runc ~42 ms, docker run ~400 ms on this kind of machine; target engine <= 1.5x bare runc)`);
  const anchor = pct(bare, 50);
  row('bare runc run (same bundle)', bare);
  row('engine create+start+exit+remove', engine, anchor);
  if (docker) row('docker run --rm', docker, anchor);
  else console.log(`docker run --rm                    (skipped: no docker engine with image ${dockerImage})`);
} finally {
  await h.cleanup();
}
