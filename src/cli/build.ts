// `skiff build -t NAME:TAG [-f Dockerfile] [--target S] [--build-arg K=V]
// [--no-cache] [--push] [--network host|none] [--progress plain|tty] CONTEXT`:
// a Dockerfile into the node's image store (the one pods run from), named on
// the cluster registry when the name gives no registry. Also
// `skiff image bootstrap` (runBootstrapCommand): base images made offline.

import { join } from 'node:path';
import { bootstrapImage, BOOTSTRAP_KINDS } from '../build/bootstrap.ts';
import { Builder } from '../build/builder.ts';
import { BuildError } from '../build/errors.ts';
import { plainProgress, ttyProgress } from '../build/progress.ts';
import { familiarName } from '../engine/image/reference.ts';
import { isImageError } from '../engine/image/errors.ts';
import { LocalImageService } from '../engine/image/service.ts';
import { imageStoreRoot } from '../engine/image/store.ts';
import { UsageError } from './args.ts';

const USAGE = `usage: skiff build [flags] CONTEXT
  -t, --tag NAME:TAG       name the image (repeatable); names without a registry go to the cluster registry
  -f, --file PATH          the Dockerfile (default CONTEXT/Dockerfile)
  --target STAGE           build up to this stage only
  --build-arg K=V          set a build argument (repeatable)
  --no-cache               run every step again
  --push                   push the image to its registry after the build
  --network host|none      RUN steps' network (default none: loopback only)
  --progress plain|tty     display (default tty on a terminal, else plain)
  --source-date-epoch N    reproducible: clamp timestamps to N (seconds; env SOURCE_DATE_EPOCH)
  --default-registry H:P   the cluster registry (env SKIFF_DEFAULT_REGISTRY)
  -q, --quiet              print only the image id`;

export interface BuildFlags {
  tags: string[];
  file?: string;
  target?: string;
  buildArgs: Record<string, string>;
  noCache: boolean;
  push: boolean;
  network: 'host' | 'none';
  progress?: 'plain' | 'tty';
  sourceDateEpoch?: number;
  defaultRegistry?: string;
  quiet: boolean;
  context: string;
}

/** Parses Docker's flag spellings (`-t x`, `--tag=x`, `-tx`), repeatable where Docker's are. */
export function parseBuildArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BuildFlags {
  const f: BuildFlags = { tags: [], buildArgs: {}, noCache: false, push: false, network: 'none', quiet: false, context: '' };
  const rest: string[] = [];
  const value = (i: number, name: string): string => {
    const v = argv[i];
    if (v === undefined || v === '') throw new UsageError(`flag ${name} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let inline: string | undefined;
    if (a.startsWith('--') && a.includes('=')) {
      inline = a.slice(a.indexOf('=') + 1);
      a = a.slice(0, a.indexOf('='));
    } else if (/^-[tfq]./.test(a)) {
      inline = a.slice(2);
      a = a.slice(0, 2);
    }
    const take = () => inline ?? value(++i, a);
    switch (a) {
      case '-t':
      case '--tag':
        f.tags.push(take());
        break;
      case '-f':
      case '--file':
        f.file = take();
        break;
      case '--target':
        f.target = take();
        break;
      case '--build-arg': {
        const kv = take();
        const eq = kv.indexOf('=');
        // `--build-arg K` takes K from the environment, as docker does.
        if (eq < 0) {
          if (env[kv] !== undefined) f.buildArgs[kv] = env[kv]!;
        } else f.buildArgs[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--no-cache':
        f.noCache = inline === undefined || inline !== 'false';
        break;
      case '--push':
        f.push = inline === undefined || inline !== 'false';
        break;
      case '-q':
      case '--quiet':
        f.quiet = true;
        break;
      case '--network': {
        const n = take();
        if (n !== 'host' && n !== 'none' && n !== 'default') throw new UsageError(`--network must be host or none, not ${JSON.stringify(n)}\n${USAGE}`);
        f.network = n === 'host' ? 'host' : 'none';
        break;
      }
      case '--progress': {
        const p = take();
        if (p !== 'plain' && p !== 'tty' && p !== 'auto') throw new UsageError(`--progress must be plain or tty, not ${JSON.stringify(p)}\n${USAGE}`);
        if (p !== 'auto') f.progress = p;
        break;
      }
      case '--source-date-epoch': {
        const v = take();
        if (!/^\d+$/.test(v)) throw new UsageError(`--source-date-epoch must be whole seconds since 1970, not ${JSON.stringify(v)}`);
        f.sourceDateEpoch = Number(v);
        break;
      }
      case '--default-registry':
        f.defaultRegistry = take();
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown flag ${a}\n${USAGE}`);
        rest.push(a);
    }
  }
  if (rest.length !== 1) throw new UsageError(`${rest.length === 0 ? 'a build context (a directory) is required' : `one build context, got ${rest.length}: ${rest.join(' ')}`}\n${USAGE}`);
  f.context = rest[0]!;
  if (f.sourceDateEpoch === undefined && env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH)) f.sourceDateEpoch = Number(env.SOURCE_DATE_EPOCH);
  f.defaultRegistry ??= env.SKIFF_DEFAULT_REGISTRY || undefined;
  return f;
}

export async function runBuildCommand(argv: string[], opts: { dataDir: string }): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const f = parseBuildArgs(argv);
  const images = await LocalImageService.open({ root: imageStoreRoot(opts.dataDir), ...(f.defaultRegistry ? { defaultRegistry: f.defaultRegistry } : {}) });
  const builder = new Builder({ images, root: join(opts.dataDir, 'build') });
  const tty = f.progress === 'tty' || (f.progress === undefined && process.stderr.isTTY);
  const progress = f.quiet ? undefined : tty ? ttyProgress(process.stderr) : plainProgress((s) => process.stderr.write(s));
  const t0 = Date.now();
  try {
    const r = await builder.build({
      context: f.context,
      ...(f.file ? { dockerfile: f.file } : {}),
      tags: f.tags,
      ...(f.target ? { target: f.target } : {}),
      buildArgs: f.buildArgs,
      noCache: f.noCache,
      network: f.network,
      push: f.push,
      ...(f.sourceDateEpoch !== undefined ? { sourceDateEpoch: f.sourceDateEpoch } : {}),
      ...(progress ? { progress } : {}),
    });
    if (f.quiet) console.log(r.image.id);
    else {
      process.stderr.write(`built ${r.image.id.slice(7, 19)} in ${((Date.now() - t0) / 1000).toFixed(2)}s (${r.ran} steps run, ${r.cached} cached)\n`);
      for (const n of r.names) process.stderr.write(`tagged ${familiarName(n)}\n`);
      for (const p of r.pushed) process.stderr.write(`pushed ${p.name}@${p.digest}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof BuildError) {
      if (e.output && !progress) process.stderr.write(e.output.endsWith('\n') ? e.output : e.output + '\n');
      console.error(`skiff build: ${e.message}`);
      return 1;
    }
    if (isImageError(e)) {
      console.error(`skiff build: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

const BOOTSTRAP_USAGE = `usage: skiff image bootstrap KIND [--name NAME:TAG] [--include PKG,...] [--mirror URL]
kinds: ${BOOTSTRAP_KINDS.join(', ')}
  debian:SUITE   debootstrap (minbase) from the Debian mirror this machine reaches
  busybox        a static busybox from Debian's busybox-static (/usr/bin/busybox)`;

/** `skiff image bootstrap debian:bookworm|busybox`: base images made without a registry. */
export async function runBootstrapCommand(argv: string[], opts: { dataDir: string }): Promise<number> {
  let name: string | undefined;
  let include: string[] = [];
  let mirror: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = () => inline ?? argv[++i] ?? '';
    if (flag === '--name') name = take();
    else if (flag === '--include') include = take().split(',').filter(Boolean);
    else if (flag === '--mirror') mirror = take();
    else if (flag === '--help' || flag === '-h') {
      console.log(BOOTSTRAP_USAGE);
      return 0;
    } else if (flag.startsWith('-')) throw new UsageError(`unknown flag ${flag}\n${BOOTSTRAP_USAGE}`);
    else rest.push(a);
  }
  if (rest.length !== 1) throw new UsageError(BOOTSTRAP_USAGE);
  const images = await LocalImageService.open({ root: imageStoreRoot(opts.dataDir) });
  try {
    const img = await bootstrapImage(images, rest[0]!, { ...(name ? { name } : {}), include, ...(mirror ? { mirror } : {}), log: (s) => process.stderr.write(s) });
    console.log(`${familiarName(img.repoTags[0] ?? img.id)} ${img.id}`);
    return 0;
  } catch (e) {
    if (e instanceof BuildError || isImageError(e)) {
      console.error(`skiff image bootstrap: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}
