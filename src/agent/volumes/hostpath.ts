// hostPath volumes: the type checks Kubernetes makes before mounting a path
// of the node (DirectoryOrCreate, Directory, FileOrCreate, File, Socket,
// CharDevice, BlockDevice), with its messages.

import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { VolumeSetupError } from './payload.ts';

function stat(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

export function checkHostPath(path: string, type: string | undefined): void {
  const s = stat(path);
  const fail = (what: string) => {
    throw new VolumeSetupError(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!s) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!s.isDirectory()) fail('directory');
      return;
    case 'Directory':
      if (!s) throw new VolumeSetupError(`hostPath type check failed: ${path} is not a directory`);
      if (!s.isDirectory()) fail('directory');
      return;
    case 'FileOrCreate':
      if (!s) {
        mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
        closeSync(openSync(path, 'a', 0o644));
      } else if (!s.isFile()) fail('file');
      return;
    case 'File':
      if (!s || !s.isFile()) fail('file');
      return;
    case 'Socket':
      if (!s || !s.isSocket()) fail('socket file');
      return;
    case 'CharDevice':
      if (!s || !s.isCharacterDevice()) fail('character device');
      return;
    case 'BlockDevice':
      if (!s || !s.isBlockDevice()) fail('block device');
      return;
    default:
      throw new VolumeSetupError(`hostPath type check failed: unknown type ${type}`);
  }
}
