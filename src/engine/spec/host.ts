// Facts about the host that the spec builder takes as input: the
// capabilities the engine may hand on (its bounding set, read once: it does
// not change under a running engine), and the host's device nodes, which a
// privileged container gets (as containerd and Docker give them).

import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { capabilitiesFromMask } from './defaults.ts';
import type { OciDevice } from './oci.ts';

let bounding: Promise<string[] | undefined> | undefined;

/** This process' bounding capabilities (kernel names), or undefined when /proc says nothing. */
export function boundingCapabilities(): Promise<string[] | undefined> {
  bounding ??= readFile('/proc/self/status', 'utf8').then(
    (text) => {
      const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(text);
      return m ? capabilitiesFromMask(BigInt(`0x${m[1]}`)) : undefined;
    },
    () => undefined,
  );
  return bounding;
}

/** /dev entries a privileged container does not take from the host: its own pts, shm, mqueue, fd links, and the console runc sets up. */
const SKIP = new Set(['pts', 'shm', 'mqueue', 'fd', 'console', '.lxc', '.udev']);

/** Linux's dev_t split (glibc's major()/minor()). */
export function splitDev(rdev: bigint): { major: number; minor: number } {
  return { major: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)), minor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)) };
}

/** Every character and block device and fifo under the host's `dir` (default /dev), as the same paths under the container's /dev; symlinks are not followed. */
export async function hostDevices(dir = '/dev'): Promise<OciDevice[]> {
  const out: OciDevice[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = await readdir(join(dir, rel)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const sub = rel ? `${rel}/${name}` : name;
      if (!rel && SKIP.has(name)) continue;
      const st = await lstat(join(dir, sub), { bigint: true }).catch(() => undefined);
      if (!st || st.isSymbolicLink()) continue;
      if (st.isDirectory()) await walk(sub);
      const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : st.isFIFO() ? 'p' : undefined;
      if (type) out.push({ path: `/dev/${sub}`, type, ...splitDev(st.rdev), fileMode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid) });
    }
  };
  await walk('');
  return out;
}
