// How the cluster benches start `skiff`: bundled, as ./skiff runs it
// (dist/skiff.mjs, made by scripts/bundle.mjs), or under tsx.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface SkiffLauncher {
  /** node arguments that run `skiff` (then the command and its flags). */
  argv: string[];
  label: string;
  dispose(): void;
}

export function skiffLauncher(bundled: boolean): SkiffLauncher {
  if (!bundled) return { argv: ['--import', 'tsx', join(root, 'src/cli/main.ts')], label: 'under tsx', dispose: () => {} };
  const r = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { encoding: 'utf8' });
  const out = r.stdout.trim();
  if (r.status !== 0 || !out) throw new Error(`scripts/bundle.mjs made no bundle: ${r.stderr}`);
  return { argv: [out], label: 'bundled, as ./skiff runs it (dist/skiff.mjs)', dispose: () => {} };
}
