// Runs one stage's instructions. FROM starts from an image, an earlier stage
// or scratch (and runs the base's ONBUILD triggers); RUN, COPY, ADD and a
// WORKDIR that must exist become layers through the cache (a hit is a JSON
// read and, for COPY, a content hash); everything else edits the config.
// Errors come out as `Dockerfile:LINE: reason`, and a step that fails leaves
// its snapshot removed and the cache untouched.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { isImageError } from '../engine/image/errors.ts';
import type { LocalImage } from '../engine/images.ts';
import type { LocalImageService } from '../engine/image/service.ts';
import type { StoredImage } from '../engine/image/store.ts';
import { mountAll, unmount } from '../engine/snapshot/mount.ts';
import type { OverlaySnapshotter } from '../engine/snapshot/overlay.ts';
import { isSnapshotError, type SnapshotMount } from '../engine/snapshot/snapshotter.ts';
import { unpackImage } from '../engine/snapshot/unpack.ts';
import { randomBytes } from 'node:crypto';
import { cacheKey, type LayerCache } from './cache.ts';
import { hashTree, resolveIn, type BuildContext, type ContextSource } from './context.ts';
import { copyInto, pathInRoot } from './copy.ts';
import { BuildError, locate } from './errors.ts';
import { isEmptyDir, packLayer, type LayerBlob } from './layer.ts';
import { checkSignal, commandOf, DEFAULT_SHELL, exposedPorts, healthcheck, parseChmod, parseChown, setEnv } from './meta.ts';
import { parseTrigger, type DockerfileInstruction, type ParsedDockerfile } from './parse.ts';
import type { StagePlan } from './plan.ts';
import type { BuildProgress, StepInfo } from './progress.ts';
import type { BuildNetwork, StepRunner } from './run.ts';
import { addMetaHistory, addStep, cloneState, declaredArgs, emptyState, expansionVars, nextChain, PLATFORM_ARGS, runArgs, type StageState } from './state.ts';
import { parseKeyValues, processWord, processWords } from './words.ts';

export interface BuildEnv {
  df: ParsedDockerfile;
  context: BuildContext;
  images: LocalImageService;
  snapshots: OverlaySnapshotter;
  cache: LayerCache;
  runner: StepRunner;
  progress: BuildProgress;
  buildArgs: Map<string, string>;
  usedArgs: Set<string>;
  globals: Map<string, string | undefined>;
  noCache: boolean;
  network: BuildNetwork;
  pull: boolean;
  epoch?: number;
  total: number;
  counter: { n: number; ran: number; cached: number };
}

const PULL_TIMEOUT_MS = 60_000;

export class StageRunner {
  private readonly building = new Map<number, Promise<StageState>>();

  constructor(
    private readonly env: BuildEnv,
    private readonly plan: StagePlan,
    private readonly states: Map<number, StageState>,
  ) {}

  buildStage(index: number): Promise<StageState> {
    let p = this.building.get(index);
    if (!p) {
      p = this.run(index).then((s) => {
        this.states.set(index, s);
        return s;
      });
      this.building.set(index, p);
    }
    return p;
  }

  private info(ins: DockerfileInstruction, stage: string): StepInfo {
    return { n: ++this.env.counter.n, total: this.env.total, stage, text: ins.text, line: ins.line };
  }

  private async run(index: number): Promise<StageState> {
    const { df } = this.env;
    const stage = df.stages[index]!;
    const label = stage.name ?? `stage-${index}`;
    const base = this.plan.bases.get(index)!;
    // Stages this one copies from are built first, so their steps show before ours.
    for (const ins of stage.instructions) {
      const from = ins.keyword === 'COPY' ? ins.flags.find(([n]) => n === 'from')?.[1] : undefined;
      if (from) {
        const ref = this.plan.stageRef(processWord(from, definedVars(this.env.globals), df.escape), index);
        if (ref !== undefined) await this.buildStage(ref);
      }
    }
    let state: StageState;
    if (base.kind === 'stage') state = cloneState(await this.buildStage(base.index));
    const fromInfo = this.info(stage.from, label);
    this.env.progress.start(fromInfo);
    try {
      const platform = stage.from.flags.find(([n]) => n === 'platform')?.[1];
      if (platform) {
        const p = processWord(platform, definedVars(this.env.globals), df.escape);
        if (p !== 'linux/amd64' && p !== 'linux/x86_64') throw new BuildError(`platform ${p} is not supported: this builder makes linux/amd64 images`);
      }
      if (base.kind === 'scratch') state = emptyState();
      else if (base.kind === 'image') state = await this.fromImage(base.ref);
      else state = state!;
    } catch (e) {
      throw locate(e, df.file, stage.from.line);
    }
    const triggers = state.config.config?.OnBuild ?? [];
    if (state.config.config) state.config.config.OnBuild = [];
    const instructions = [...triggers.map((t) => parseTrigger(t, df.file, stage.from.line)), ...stage.instructions];
    this.env.total += triggers.length;
    for (const ins of instructions) {
      const info = this.info(ins, label);
      try {
        await this.step(state, ins, info);
      } catch (e) {
        const err = locate(e, df.file, ins.line);
        throw err;
      }
    }
    if (state.workdirPending) await this.makeWorkdir(state, { n: this.env.counter.n, total: this.env.total, stage: label, text: `WORKDIR ${state.config.config?.WorkingDir}`, line: stage.from.line });
    return state;
  }

  private async fromImage(ref: string): Promise<StageState> {
    const images = this.env.images;
    let img: StoredImage | LocalImage | null;
    try {
      img = await images.resolve(ref);
    } catch (e) {
      throw new BuildError(`invalid base image ${JSON.stringify(ref)}: ${(e as Error).message}`);
    }
    if (!img && this.env.pull) {
      this.env.progress.info(`pulling ${ref}`);
      let timer: NodeJS.Timeout | undefined;
      try {
        img = await Promise.race([
          images.pull(ref),
          new Promise<never>((_, rej) => {
            timer = setTimeout(() => rej(new Error(`no answer in ${PULL_TIMEOUT_MS / 1000}s`)), PULL_TIMEOUT_MS);
          }),
        ]);
        img = await images.resolve(ref);
      } catch (e) {
        const why = isImageError(e) ? e.message : (e as Error).message;
        throw new BuildError(`base image ${JSON.stringify(ref)} not found: it is not in the local store and pulling it failed: ${why}`);
      } finally {
        clearTimeout(timer);
      }
    }
    if (!img) throw new BuildError(`base image ${JSON.stringify(ref)} not found in the local store (pull it or build it first)`);
    const stored = img as StoredImage;
    const s = emptyState();
    s.config = structuredClone(stored.config);
    s.config.rootfs = { type: 'layers', diff_ids: [...stored.config.rootfs.diff_ids] };
    s.config.history = [...(stored.config.history ?? [])];
    s.config.config ??= {};
    s.layers = stored.manifest.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }));
    s.chain = undefined;
    for (const d of s.config.rootfs.diff_ids) s.chain = nextChain(s.chain, d);
    s.lastCreated = stored.config.created ?? new Date(0).toISOString();
    return s;
  }

  /** The image config body, created when absent. */
  private cfg(state: StageState) {
    return (state.config.config ??= {});
  }

  private async step(state: StageState, ins: DockerfileInstruction, info: StepInfo): Promise<void> {
    const { df, progress } = this.env;
    const vars = expansionVars(state);
    const esc = df.escape;
    const c = this.cfg(state);
    const meta = (createdBy: string) => {
      progress.start(info);
      addMetaHistory(state, createdBy);
    };
    switch (ins.keyword) {
      case 'RUN':
        return this.runStep(state, ins, info);
      case 'COPY':
      case 'ADD':
        return this.copyStep(state, ins, info);
      case 'ENV': {
        const pairs = parseKeyValues(ins.args, vars, esc);
        if (pairs.length === 0) throw new BuildError('ENV requires at least one argument');
        for (const [k, v] of pairs) c.Env = setEnv(c.Env, k, v ?? '');
        return meta(`ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
      case 'LABEL': {
        const pairs = parseKeyValues(ins.args, vars, esc);
        if (pairs.length === 0) throw new BuildError('LABEL requires at least one argument');
        c.Labels = { ...c.Labels };
        for (const [k, v] of pairs) c.Labels[k] = v ?? '';
        return meta(`LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
      case 'ARG': {
        for (const [k, def] of declaredArgs(ins.args, vars, esc)) {
          this.env.usedArgs.add(k);
          const given = this.env.buildArgs.get(k);
          const value = given ?? def ?? (PLATFORM_ARGS[k] !== undefined ? PLATFORM_ARGS[k] : this.env.globals.get(k));
          state.args.set(k, value);
        }
        return meta(`ARG ${ins.args.trim()}`);
      }
      case 'WORKDIR': {
        const p = processWord(ins.args.trim(), vars, esc);
        if (p === '') throw new BuildError('WORKDIR requires exactly one argument');
        c.WorkingDir = posix.resolve(c.WorkingDir || '/', p);
        state.workdirPending = true;
        return meta(`WORKDIR ${c.WorkingDir}`);
      }
      case 'USER': {
        const u = processWord(ins.args.trim(), vars, esc);
        if (u === '' || /\s/.test(u)) throw new BuildError('USER requires exactly one argument');
        c.User = u;
        return meta(`USER ${u}`);
      }
      case 'EXPOSE': {
        const ports = exposedPorts(processWords(ins.args, vars, esc));
        if (ports.length === 0) throw new BuildError('EXPOSE requires at least one argument');
        c.ExposedPorts = { ...c.ExposedPorts };
        for (const p of ports) c.ExposedPorts[p] = {};
        return meta(`EXPOSE map[${ports.map((p) => `${p}:{}`).join(' ')}]`);
      }
      case 'VOLUME': {
        const paths = ins.json ? ins.json.map((w) => processWord(w, vars, esc)) : processWords(ins.args, vars, esc);
        if (paths.length === 0 || paths.some((p) => p.trim() === '')) throw new BuildError('VOLUME specified can not be an empty string');
        c.Volumes = { ...c.Volumes };
        for (const p of paths) c.Volumes[p] = {};
        return meta(`VOLUME [${paths.join(' ')}]`);
      }
      case 'CMD': {
        c.Cmd = commandOf(ins.args, ins.json, c.Shell ?? DEFAULT_SHELL);
        state.cmdSet = true;
        return meta(`CMD ${JSON.stringify(c.Cmd)}`);
      }
      case 'ENTRYPOINT': {
        c.Entrypoint = ins.json ?? (ins.args.trim() === '' ? null : commandOf(ins.args, undefined, c.Shell ?? DEFAULT_SHELL));
        if (!state.cmdSet) c.Cmd = null;
        return meta(`ENTRYPOINT ${JSON.stringify(c.Entrypoint)}`);
      }
      case 'SHELL': {
        if (!ins.json || ins.json.length === 0) throw new BuildError('SHELL requires the arguments to be in JSON form');
        c.Shell = ins.json;
        return meta(`SHELL ${JSON.stringify(ins.json)}`);
      }
      case 'STOPSIGNAL': {
        c.StopSignal = checkSignal(processWord(ins.args.trim(), vars, esc));
        return meta(`STOPSIGNAL ${c.StopSignal}`);
      }
      case 'HEALTHCHECK': {
        c.Healthcheck = healthcheck(ins.args, ins.json, ins.flags);
        return meta(`HEALTHCHECK ${JSON.stringify(c.Healthcheck)}`);
      }
      case 'ONBUILD': {
        const trigger = ins.args.trim();
        const kw = trigger.split(/\s+/)[0]?.toUpperCase() ?? '';
        if (kw === 'ONBUILD') throw new BuildError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
        if (kw === 'FROM' || kw === 'MAINTAINER') throw new BuildError(`${kw} isn't allowed as an ONBUILD trigger`);
        parseTrigger(trigger, df.file, ins.line);
        c.OnBuild = [...(c.OnBuild ?? []), trigger];
        return meta(`ONBUILD ${trigger}`);
      }
      case 'MAINTAINER': {
        state.config.author = ins.args.trim();
        return meta(`MAINTAINER ${state.config.author}`);
      }
      default:
        throw new BuildError(`unknown instruction: ${ins.keyword}`);
    }
  }

  // ---- steps that write files

  /** The snapshot of the state's layers (unpacked from their blobs when not there yet). */
  private async ensureSnapshot(state: StageState): Promise<string | undefined> {
    if (state.layers.length === 0) return undefined;
    const content = this.env.images.store.content;
    const img: LocalImage = {
      id: 'build',
      manifestDigest: '',
      repoTags: [],
      repoDigests: [],
      config: state.config,
      layers: state.layers.map((l, i) => ({ diffID: state.config.rootfs.diff_ids[i]!, digest: l.digest, mediaType: l.mediaType, size: l.size, open: () => content.open(l.digest) })),
      size: 0,
    };
    return unpackImage(this.env.snapshots, img);
  }

  /**
   * A step that makes a layer: a cache hit adds the cached layer; a miss
   * prepares a snapshot on the state's layers, lets `work` change it, and
   * packs the upper directory.
   */
  private async layerStep(state: StageState, info: StepInfo, key: string, createdBy: string, work: (s: { mounts: SnapshotMount[]; upper: string }) => Promise<void>): Promise<void> {
    const { cache, progress, snapshots } = this.env;
    if (!this.env.noCache) {
      const hit = await cache.get(key);
      if (hit) {
        progress.cached(info);
        this.env.counter.cached++;
        addStep(state, hit.layer, createdBy, hit.created);
        state.workdirPending = false;
        return;
      }
    }
    progress.start(info);
    const t0 = Date.now();
    const parent = await this.ensureSnapshot(state);
    const snapKey = `build-${randomBytes(8).toString('hex')}`;
    let layer: LayerBlob | null = null;
    try {
      const mounts = await snapshots.prepare(snapKey, parent, { labels: { 'skiff.io/build-step': info.text.slice(0, 200) } });
      const upper = await snapshots.dir(snapKey);
      await work({ mounts, upper });
      if (!(await isEmptyDir(upper))) {
        layer = await packLayer(upper, this.env.images.store.content, this.env.epoch !== undefined ? { epoch: this.env.epoch } : {});
        const chain = nextChain(parent, layer.diffID);
        try {
          await snapshots.commit(chain, snapKey);
        } catch (e) {
          if (!isSnapshotError(e, 'AlreadyExists')) throw e;
          await snapshots.remove(snapKey);
        }
      } else await snapshots.remove(snapKey);
    } catch (e) {
      await snapshots.remove(snapKey).catch(() => undefined);
      progress.failed(info, Date.now() - t0, e instanceof BuildError ? e.reason : (e as Error).message);
      throw e;
    }
    const created = this.env.epoch !== undefined ? new Date(this.env.epoch * 1000).toISOString() : new Date().toISOString();
    await cache.put(key, { layer, created });
    addStep(state, layer, createdBy, created);
    state.workdirPending = false;
    this.env.counter.ran++;
    progress.done(info, Date.now() - t0);
  }

  private baseKey(state: StageState, ins: { text: string }, extra: object = {}): string {
    const c = state.config.config ?? {};
    return cacheKey({ v: 1, parent: state.chain ?? null, env: c.Env ?? [], user: c.User ?? '', workdir: c.WorkingDir ?? '', shell: c.Shell ?? null, ins: ins.text, ...extra });
  }

  private async makeWorkdir(state: StageState, info: StepInfo): Promise<void> {
    const dir = state.config.config?.WorkingDir || '/';
    const key = this.baseKey(state, { text: `mkdir ${dir}` });
    await this.layerStep(state, { ...info, text: `WORKDIR ${dir} (mkdir)` }, key, `WORKDIR ${dir}`, async ({ mounts, upper }) => {
      await this.withRootfs(mounts, async (rootfs) => {
        await mkdir(await pathInRoot(rootfs, dir), { recursive: true, mode: 0o755 });
      });
      void upper;
    });
  }

  private async withRootfs<T>(mounts: SnapshotMount[], fn: (rootfs: string) => Promise<T>): Promise<T> {
    await mkdir(this.env.runner.root, { recursive: true });
    const dir = await mkdtemp(join(this.env.runner.root, 'mnt-'));
    await mountAll(mounts, dir);
    try {
      return await fn(dir);
    } finally {
      await unmount(dir).catch(() => undefined);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async runStep(state: StageState, ins: DockerfileInstruction, info: StepInfo): Promise<void> {
    const c = this.cfg(state);
    for (const [n] of ins.flags) throw new BuildError(`RUN --${n} is not supported by this builder (use --network on skiff build for the network)`);
    const shell = c.Shell ?? DEFAULT_SHELL;
    let args: string[];
    if (ins.heredocs.length === 1 && /^<<-?["']?[^\s"']+["']?$/.test(ins.args.trim())) {
      const body = ins.heredocs[0]!.content;
      args = body.startsWith('#!') ? ['/bin/sh', '-c', `cat > /tmp/.skiff-heredoc <<'SKIFF_EOF'\n${body}SKIFF_EOF\nchmod +x /tmp/.skiff-heredoc && /tmp/.skiff-heredoc; s=$?; rm -f /tmp/.skiff-heredoc; exit $s`] : [...shell, body];
    } else if (ins.heredocs.length > 0) {
      args = [...shell, `${ins.args}\n${ins.heredocs.map((h) => `${h.content}${h.name}\n`).join('')}`];
    } else args = commandOf(ins.args, ins.json, shell);
    const rargs = runArgs(state, this.env.buildArgs);
    const argsText = rargs.length ? `|${rargs.length} ${rargs.map(([k, v]) => `${k}=${v}`).join(' ')} ` : '';
    const createdBy = `RUN ${argsText}${args.join(' ')}`;
    const key = this.baseKey(state, ins, { args, rargs, network: this.env.network, heredocs: ins.heredocs });
    await this.layerStep(state, info, key, createdBy, async ({ mounts, upper }) => {
      const r = await this.env.runner.run({ mounts, upper, args, config: state.config, buildArgs: rargs, network: this.env.network, onOutput: (chunk) => this.env.progress.output(info, chunk) });
      if (r.exitCode !== 0) {
        const cmd = JSON.stringify(args);
        throw new BuildError(`RUN ${ins.args.split('\n')[0]}: process ${cmd} did not complete successfully: exit code: ${r.exitCode}`, undefined, undefined, { exitCode: r.exitCode, output: r.output });
      }
    });
  }

  private async copyStep(state: StageState, ins: DockerfileInstruction, info: StepInfo): Promise<void> {
    const { df } = this.env;
    const keyword = ins.keyword as 'COPY' | 'ADD';
    const vars = expansionVars(state);
    const words = ins.json ? ins.json.map((w) => processWord(w, vars, df.escape)) : processWords(ins.args, vars, df.escape);
    const flag = (n: string) => ins.flags.find(([f]) => f === n);
    for (const unsupported of ['parents', 'exclude', 'checksum', 'keep-git-dir']) if (flag(unsupported)) throw new BuildError(`${keyword} --${unsupported} is not supported by this builder`);
    if (words.length < 2) throw new BuildError(`${keyword} requires at least two arguments, but got ${words.length}`);
    const destWord = words.at(-1)!;
    const srcWords = words.slice(0, -1);
    const c = this.cfg(state);
    const dest = posix.resolve(c.WorkingDir || '/', destWord);
    const destIsDir = destWord.endsWith('/') || destWord === '.' || srcWords.some((s) => /[*?[]/.test(s)) && srcWords.length > 1;
    const chmodFlag = flag('chmod');
    const chmod = chmodFlag ? parseChmod(chmodFlag[1] === null ? null : processWord(chmodFlag[1], vars, df.escape)) : undefined;
    const chownFlag = flag('chown');
    const chownSpec = chownFlag ? (chownFlag[1] === null ? null : processWord(chownFlag[1], vars, df.escape)) : undefined;
    const fromFlag = keyword === 'COPY' ? flag('from') : undefined;
    const heredocNames = new Set(ins.heredocs.map((h) => h.name));
    let srcRoot = this.env.context.root;
    let ignored: ((rel: string) => boolean) | undefined = (r) => this.env.context.ignored(r);
    let contentKey: string;
    let sources: ContextSource[] | undefined;
    let fromState: StageState | undefined;
    let tmp: string | undefined;
    if (fromFlag) {
      const v = processWord(fromFlag[1] ?? '', vars, df.escape);
      const here = df.stages.findIndex((s) => s.instructions.includes(ins));
      const idx = this.plan.stageRef(v, here >= 0 ? here : df.stages.length);
      fromState = idx !== undefined ? await this.buildStage(idx) : await this.fromImage(v);
      contentKey = `from:${fromState.chain ?? 'empty'}`;
      ignored = undefined;
    } else if (heredocNames.size > 0) {
      await mkdir(this.env.runner.root, { recursive: true });
      tmp = await mkdtemp(join(this.env.runner.root, 'heredoc-'));
      for (const h of ins.heredocs) await writeFile(join(tmp, h.name), h.quoted ? h.content : processWord(h.content, vars, df.escape).replace(/\n?$/, '\n'));
      srcRoot = tmp;
      ignored = undefined;
      sources = ins.heredocs.map((h) => ({ rel: h.name, isDir: false }));
      contentKey = await hashTree(tmp, sources);
    } else {
      for (const s of srcWords) if (/^https?:\/\//.test(s)) throw new BuildError(`${keyword} from a URL (${s}) is not supported by this builder; download it in a RUN step or into the context`);
      sources = [];
      for (const s of srcWords) sources.push(...(await this.env.context.resolve(s, keyword)));
      contentKey = await this.env.context.hash(sources);
    }
    const createdBy = `${keyword} ${ins.flags.filter(([n]) => n !== 'from').map(([n, v]) => `--${n}=${v}`).join(' ')}${ins.flags.some(([n]) => n !== 'from') ? ' ' : ''}${srcWords.join(' ')} ${dest}${destWord.endsWith('/') ? '/' : ''}`.replace(/\/\/$/, '/');
    const key = this.baseKey(state, ins, { keyword, srcWords, dest, destIsDir, chmod, chownSpec, contentKey });
    try {
      await this.layerStep(state, info, key, createdBy, async ({ mounts }) => {
        await this.withRootfs(mounts, async (rootfs) => {
          const chown = chownSpec !== undefined ? parseChown(chownSpec, await readOptional(await pathInRoot(rootfs, '/etc/passwd')), await readOptional(await pathInRoot(rootfs, '/etc/group'))) : undefined;
          const copy = async (root: string, srcs: ContextSource[], preserveOwner: boolean) =>
            copyInto({ keyword, srcRoot: root, sources: srcs, rootfs, dest, destIsDir: destIsDir || srcs.length > 1 && destWord.endsWith('/'), ...(ignored ? { ignored } : {}), ...(chown ? { chown } : {}), ...(chmod !== undefined ? { chmod } : {}), preserveOwner });
          if (fromState) {
            const parent = await this.ensureSnapshot(fromState);
            const viewKey = `view-${randomBytes(8).toString('hex')}`;
            const vm = await this.env.snapshots.view(viewKey, parent);
            try {
              await this.withRootfs(vm, async (srcRootfs) => {
                const srcs: ContextSource[] = [];
                for (const s of srcWords) srcs.push(...(await resolveIn(srcRootfs, s, { what: `stage ${fromFlag![1]}`, keyword })));
                await copy(srcRootfs, srcs, true);
              });
            } finally {
              await this.env.snapshots.remove(viewKey).catch(() => undefined);
            }
          } else await copy(srcRoot, sources!, false);
        });
      });
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  }
}

function definedVars(vars: ReadonlyMap<string, string | undefined>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of vars) if (v !== undefined) m.set(k, v);
  return m;
}

async function readOptional(p: string): Promise<string | undefined> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}
