// The builder: Dockerfile + context -> an OCI image in the engine's store.
// Plans the stages the target needs, runs each instruction in order (the
// ones that write files through the layer cache, on the engine's overlay
// snapshotter; RUN in runc), then writes config and manifest and tags the
// result (names without a registry go to the cluster's registry). Nothing is
// tagged unless every step succeeded. Step semantics live in steps.ts.

import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { candidateReferences, formatReference } from '../engine/image/reference.ts';
import type { LocalImageService } from '../engine/image/service.ts';
import type { StoredImage } from '../engine/image/store.ts';
import type { PushResult } from '../engine/image/push.ts';
import { OverlaySnapshotter } from '../engine/snapshot/overlay.ts';
import { LayerCache } from './cache.ts';
import { BuildContext } from './context.ts';
import { BuildError, locate } from './errors.ts';
import { writeImage } from './output.ts';
import { parseDockerfile, type ParsedDockerfile } from './parse.ts';
import { planStages } from './plan.ts';
import { silentProgress, type BuildProgress } from './progress.ts';
import { StepRunner, type BuildNetwork } from './run.ts';
import { StageRunner, type BuildEnv } from './steps.ts';
import { declaredArgs, PLATFORM_ARGS, type StageState } from './state.ts';

export interface BuildOptions {
  /** The context directory. */
  context: string;
  /** The Dockerfile (default `<context>/Dockerfile`); `-` is not supported. */
  dockerfile?: string;
  /** Dockerfile text given directly (tests); `dockerfile` then only names it. */
  dockerfileText?: string;
  tags?: string[];
  target?: string;
  buildArgs?: Record<string, string>;
  noCache?: boolean;
  network?: BuildNetwork;
  /** Push every tag after the build. */
  push?: boolean;
  /** SOURCE_DATE_EPOCH: history/config times and every layer mtime clamped to it (reproducible images). */
  sourceDateEpoch?: number;
  /** Pull a base image that is not local (default true). */
  pull?: boolean;
  progress?: BuildProgress;
}

export interface BuildResult {
  image: StoredImage;
  names: string[];
  /** Steps run and steps taken from the cache (layer steps only). */
  ran: number;
  cached: number;
  pushed: PushResult[];
  warnings: string[];
}

export interface BuilderOptions {
  images: LocalImageService;
  /** The builder's own directory (cache, snapshots, bundles): `<dataDir>/build`. */
  root: string;
  runc?: string;
}

export class Builder {
  readonly snapshots: OverlaySnapshotter;
  readonly cache: LayerCache;
  readonly runner: StepRunner;

  constructor(readonly opts: BuilderOptions) {
    this.snapshots = new OverlaySnapshotter(join(opts.root, 'snapshots'));
    this.cache = new LayerCache(join(opts.root, 'cache'), opts.images.store.content);
    this.runner = new StepRunner(join(opts.root, 'run'), opts.runc);
  }

  /** The name an image is stored under: the cluster registry for names that give none. */
  tagName(name: string): string {
    return formatReference(candidateReferences(name, this.opts.images.defaultRegistry)[0]!);
  }

  async build(o: BuildOptions): Promise<BuildResult> {
    const contextDir = resolve(o.context);
    const dockerfilePath = o.dockerfile ? resolve(o.dockerfile) : join(contextDir, 'Dockerfile');
    const shown = o.dockerfile ? (isAbsolute(o.dockerfile) ? relative(process.cwd(), dockerfilePath) || o.dockerfile : o.dockerfile) : 'Dockerfile';
    let text = o.dockerfileText;
    if (text === undefined) {
      try {
        text = await readFile(dockerfilePath, 'utf8');
      } catch {
        throw new BuildError(`failed to read ${shown}: no such file (give one with -f)`);
      }
    }
    const tags = (o.tags ?? []).map((t) => {
      try {
        return this.tagName(t);
      } catch (e) {
        throw new BuildError(`invalid tag ${JSON.stringify(t)}: ${(e as Error).message}`);
      }
    });
    const df: ParsedDockerfile = parseDockerfile(text, shown);
    const context = await BuildContext.open(contextDir, { dockerfile: dockerfilePath });
    const buildArgs = new Map(Object.entries(o.buildArgs ?? {}));
    const warnings: string[] = [];
    const used = new Set<string>();
    // Global ARGs: usable in FROM lines.
    const globals = new Map<string, string | undefined>(Object.entries(PLATFORM_ARGS));
    for (const a of df.globalArgs) {
      try {
        for (const [k, v] of declaredArgs(a.args, globals, df.escape)) {
          used.add(k);
          globals.set(k, buildArgs.get(k) ?? v);
        }
      } catch (e) {
        throw locate(e, df.file, a.line);
      }
    }
    const plan = planStages(df, globals, o.target);
    const progress = o.progress ?? silentProgress;
    const env: BuildEnv = {
      df,
      context,
      images: this.opts.images,
      snapshots: this.snapshots,
      cache: this.cache,
      runner: this.runner,
      progress,
      buildArgs,
      usedArgs: used,
      globals,
      noCache: o.noCache === true,
      network: o.network ?? 'none',
      pull: o.pull !== false,
      total: plan.steps,
      counter: { n: 0, ran: 0, cached: 0 },
      ...(o.sourceDateEpoch !== undefined ? { epoch: o.sourceDateEpoch } : {}),
    };
    const states = new Map<number, StageState>();
    const runner = new StageRunner(env, plan, states);
    const final = await runner.buildStage(plan.target);
    for (const k of buildArgs.keys()) if (!used.has(k) && !PLATFORM_ARGS[k] && !/_proxy$/i.test(k)) warnings.push(`[Warning] One or more build-args [${k}] were not consumed`);
    for (const w of warnings) progress.info(w);
    const image = await writeImage(this.opts.images, final, tags, o.sourceDateEpoch);
    const pushed: PushResult[] = [];
    if (o.push) {
      if (tags.length === 0) throw new BuildError('--push needs a name (-t NAME:TAG)');
      for (const t of tags) {
        progress.info(`pushing ${t}`);
        pushed.push(await this.opts.images.push(t));
      }
    }
    return { image, names: tags, ran: env.counter.ran, cached: env.counter.cached, pushed, warnings };
  }
}
