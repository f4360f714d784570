// `skiff image pull|push|ls|rm|inspect|import|export|tag`: the node's image
// store from the command line (the same store the engine runs pods from).

import { parseFlags, UsageError, usageOf, type FlagSpec } from './args.ts';
import { isImageError } from '../engine/image/errors.ts';
import { familiarName, parseReference, repositoryOf } from '../engine/image/reference.ts';
import { LocalImageService } from '../engine/image/service.ts';
import { imageStoreRoot, type StoredImage } from '../engine/image/store.ts';
import { ProgressDisplay } from '../engine/registry/progress.ts';

const COMMON: FlagSpec = {
  'default-registry': { type: 'string', help: 'registry host:port tried before docker.io for names without a registry (env SKIFF_DEFAULT_REGISTRY)' },
  'insecure-registry': { type: 'string', help: 'comma-separated registries reachable over plain http (loopback always is)' },
  'docker-config': { type: 'string', help: 'docker config.json to read registry credentials from (default ~/.docker/config.json)' },
};

const SUBCOMMANDS: Record<string, { args: string; flags: FlagSpec; help: string }> = {
  pull: { args: 'NAME', flags: { quiet: { type: 'boolean', help: 'print only the image name' } }, help: 'fetch an image (linux/amd64) from its registry' },
  push: { args: 'NAME [TARGET]', flags: { quiet: { type: 'boolean', help: 'print only the digest' } }, help: 'send a local image to a registry (to TARGET when given)' },
  ls: { args: '', flags: { quiet: { type: 'boolean', help: 'print only image ids' }, digests: { type: 'boolean', help: 'show digests' } }, help: 'list local images' },
  rm: { args: 'NAME...', flags: { force: { type: 'boolean', help: 'remove an image by id even when several names point at it' } }, help: 'remove names; an image goes with its last name' },
  inspect: { args: 'NAME...', flags: {}, help: 'print images as JSON' },
  import: { args: 'PATH', flags: { name: { type: 'string', help: 'NAME:TAG for the image (required for a rootfs directory)' } }, help: 'load an OCI layout (dir or tar), a docker save archive, or a rootfs directory' },
  export: { args: 'NAME... PATH', flags: {}, help: 'write images as an OCI layout (a tar when PATH ends in .tar)' },
  tag: { args: 'SOURCE TARGET', flags: {}, help: 'give an image another name' },
};

const HELP = `usage: skiff image COMMAND

commands:
${Object.entries(SUBCOMMANDS)
  .map(([n, s]) => `  ${n.padEnd(8)}${s.help}`)
  .join('\n')}`;

/** Docker's decimal size units (`4.26MB`). */
export function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : Number(v.toPrecision(3))}${units[i]}`;
}

/** `3 days ago`, as docker images prints CREATED. */
export function humanAgo(iso: string | undefined, now = Date.now()): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return 'N/A';
  const s = Math.max(0, Math.round((now - t) / 1000));
  const steps: [number, string][] = [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
    [7, 'day'],
    [52, 'week'],
  ];
  let v = s;
  for (const [k, unit] of steps) {
    if (v < k) return v <= 1 && unit === 'second' ? 'Less than a second ago' : `${v} ${unit}${v === 1 ? '' : 's'} ago`;
    v = Math.floor(v / k);
  }
  return `${v} year${v === 1 ? '' : 's'} ago`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n');
}

function listRows(images: StoredImage[], digests: boolean): string[][] {
  const head = ['REPOSITORY', 'TAG', ...(digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  const rows: string[][] = [head];
  for (const img of images) {
    const id = img.id.slice(7, 19);
    const names = img.repoTags.length > 0 ? img.repoTags : img.repoDigests;
    for (const n of names) {
      const r = parseReference(n);
      const repo = familiarName(repositoryOf(r) + ':x').replace(/:x$/, '');
      const digest = img.repoDigests.find((d) => d.startsWith(repositoryOf(r) + '@'))?.split('@')[1] ?? '<none>';
      rows.push([repo, r.tag ?? '<none>', ...(digests ? [digest] : []), id, humanAgo(img.config.created), humanSize(img.size)]);
    }
  }
  return rows;
}

function inspectJSON(img: StoredImage): object {
  return {
    Id: img.id,
    RepoTags: img.repoTags,
    RepoDigests: img.repoDigests,
    Created: img.config.created,
    Author: img.config.author ?? '',
    Architecture: img.config.architecture,
    Os: img.config.os,
    Size: img.size,
    Config: img.config.config ?? {},
    RootFS: { Type: 'layers', Layers: img.config.rootfs.diff_ids },
    Manifest: { Digest: img.manifestDigest, MediaType: img.manifestMediaType, Layers: img.layers.map((l) => ({ Digest: l.digest, MediaType: l.mediaType, Size: l.size })) },
  };
}

export async function runImageCommand(argv: string[], opts: { dataDir: string }): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') {
    console.log(HELP);
    return sub ? 0 : 2;
  }
  const spec = SUBCOMMANDS[sub];
  if (!spec) {
    console.error(`skiff image: unknown command "${sub}"\n\n${HELP}`);
    return 2;
  }
  const flagSpec = { ...spec.flags, ...COMMON };
  const usage = usageOf(`image ${sub} ${spec.args}`, flagSpec);
  try {
    const { flags, rest: args } = parseFlags(rest, flagSpec, usage);
    const svc = await LocalImageService.open({
      root: imageStoreRoot(opts.dataDir),
      defaultRegistry: (flags['default-registry'] as string | undefined) ?? process.env.SKIFF_DEFAULT_REGISTRY,
      insecureRegistries: ((flags['insecure-registry'] as string | undefined) ?? '').split(',').filter(Boolean),
      dockerConfigPath: flags['docker-config'] as string | undefined,
    });
    const need = (min: number, max = min) => {
      if (args.length < min || args.length > max) throw new UsageError(`${sub} takes ${spec.args || 'no arguments'}\n${usage}`);
    };
    switch (sub) {
      case 'pull': {
        need(1);
        const progress = flags.quiet ? undefined : new ProgressDisplay(process.stderr, 'Downloading');
        const res = await svc.pullImage(args[0]!, { onProgress: progress?.update });
        progress?.finish();
        if (flags.quiet) console.log(res.name);
        else console.log(`Digest: ${res.image.repoDigests.find((d) => d.startsWith(repositoryOf(parseReference(res.name)) + '@'))?.split('@')[1] ?? res.image.manifestDigest}\nStatus: ${res.fetched.length > 0 ? 'Downloaded newer image' : 'Image is up to date'} for ${res.name}\n${res.name}`);
        return 0;
      }
      case 'push': {
        need(1, 2);
        const progress = flags.quiet ? undefined : new ProgressDisplay(process.stderr, 'Pushing');
        const res = await svc.push(args[0]!, args[1], { onProgress: progress?.update });
        progress?.finish();
        console.log(flags.quiet ? res.digest : `${res.name}: digest: ${res.digest} (${res.uploaded.length} blobs uploaded, ${res.skipped.length} already there)`);
        return 0;
      }
      case 'ls': {
        need(0);
        const images = (await svc.list()).sort((a, b) => (b.config.created ?? '').localeCompare(a.config.created ?? ''));
        if (flags.quiet) console.log(images.map((i) => i.id.slice(7, 19)).join('\n'));
        else console.log(table(listRows(images, Boolean(flags.digests))));
        return 0;
      }
      case 'rm': {
        need(1, Infinity);
        let failed = 0;
        for (const ref of args) {
          try {
            const img = await svc.inspect(ref);
            await svc.remove(ref, { force: Boolean(flags.force) });
            const gone = (await svc.resolve(img.id)) === null;
            console.log(gone ? `Deleted: ${img.id}` : `Untagged: ${ref}`);
          } catch (e) {
            if (!isImageError(e)) throw e;
            console.error(`skiff image rm: ${e.message}`);
            failed++;
          }
        }
        return failed > 0 ? 1 : 0;
      }
      case 'inspect': {
        need(1, Infinity);
        const out: object[] = [];
        for (const ref of args) out.push(inspectJSON(await svc.inspect(ref)));
        console.log(JSON.stringify(out, null, 4));
        return 0;
      }
      case 'import': {
        need(1);
        const imgs = await svc.import(args[0]!, { name: flags.name as string | undefined });
        for (const i of imgs) console.log(`Loaded image: ${i.repoTags[0] ?? i.id}`);
        return 0;
      }
      case 'export': {
        need(2, Infinity);
        await svc.export(args.slice(0, -1), args[args.length - 1]!);
        return 0;
      }
      case 'tag': {
        need(2);
        await svc.tag(args[0]!, args[1]!);
        return 0;
      }
    }
    return 2;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`skiff image ${sub}: ${e.message}`);
      return 2;
    }
    if (isImageError(e)) {
      console.error(`skiff image ${sub}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
