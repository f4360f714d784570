// bench/engine: container start-to-exit of `busybox true` through the runc
// engine (create + start + wait for the exit + remove), beside bare `runc run`
// of the same bundle and, when a Docker engine answers, `docker run --rm` of
// a busybox image - all in one run. Engine and bare runc runs alternate, so
// load from elsewhere on the machine weighs on both alike. Then the engine's
// time per phase and, with --detail, the cost of one spawn of each helper.
// Root only.
//
//   npm run bench:engine -- [runs=30] [--detail]

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerConfig, sandboxConfig } from '../../src/engine/testsuite/fixtures.ts';
import { runcHarness, runcSkipReason } from '../../src/engine/testsuite/runc-harness.ts';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
const detail = args.includes('--detail');
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

const spawnOnce = (cmd: string, argv: string[]) =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const c = spawn(cmd, argv, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('close', () => resolve(performance.now() - t0));
  });

const h = await runcHarness();
const rt = h.runtime;
const runcRoot = await mkdtemp(join(tmpdir(), 'skiff-bench-runc-'));
try {
  const cfg = sandboxConfig(h.logRoot);
  const sb = await rt.runPodSandbox(cfg);
  // warm up: unpack the image once; its bundle (same rootfs mount, same config.json) is bare runc's
  const warm = await rt.createContainer(sb, containerConfig('warm', { command: ['true'] }), cfg);
  const bundle = join(rt.root, 'containers', warm, 'bundle');

  const engine: number[] = [];
  const phase = { create: [] as number[], start: [] as number[], exit: [] as number[], remove: [] as number[] };
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const id = await rt.createContainer(sb, containerConfig(`c${i}`, { command: ['true'] }), cfg);
    const t1 = performance.now();
    await rt.startContainer(id);
    const t2 = performance.now();
    while ((await rt.containerStatus(id)).state !== 'exited') await new Promise((r) => setTimeout(r, 1));
    const t3 = performance.now();
    await rt.removeContainer(id);
    const t4 = performance.now();
    engine.push(t4 - t0);
    phase.create.push(t1 - t0);
    phase.start.push(t2 - t1);
    phase.exit.push(t3 - t2);
    phase.remove.push(t4 - t3);

    const b0 = performance.now();
    const r = spawnSync('runc', ['--root', runcRoot, 'run', '-b', bundle, `bare-${process.pid}-${i}`], { stdio: 'ignore' });
    bare.push(performance.now() - b0);
    if (r.status !== 0) throw new Error(`bare runc run exited ${r.status}`);
  }

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

  console.log(`container start-to-exit of \`busybox true\`, ${runs} runs, engine and bare runc alternating (anchors: bare runc ~42 ms, docker run ~400 ms on this kind of machine; target engine <= 1.5x bare runc)`);
  const anchor = pct(bare, 50);
  row('bare runc run (same bundle)', bare);
  row('engine create+start+exit+remove', engine, anchor);
  if (docker) row('docker run --rm', docker, anchor);
  else console.log(`docker run --rm                    (skipped: no docker engine with image ${dockerImage})`);
  console.log('engine phases:');
  for (const [k, xs] of Object.entries(phase)) row(`  ${k}`, xs);
  if (detail) {
    console.log('one spawn of each helper (what a phase pays per process it runs):');
    const helpers: [string, string[]][] = [['/bin/true', []], ['/usr/sbin/runc', ['--version']], ['/bin/umount', ['/nonexistent-skiff']], ['/usr/bin/conmon', ['--version']]];
    for (const [cmd, argv] of helpers) {
      const xs: number[] = [];
      for (let i = 0; i < 20; i++) xs.push(await spawnOnce(cmd, argv));
      row(`  ${[cmd.split('/').pop(), ...argv].join(' ')}`, xs);
    }
  }
} finally {
  await rm(runcRoot, { recursive: true, force: true });
  await h.cleanup();
}
