// Finds and reads a container's Localhost seccomp profile before its spec
// is built (the spec builder itself reads no files). A pod names the profile
// relative to the node's seccomp root (`<data-dir>/seccomp`, the kubelet's
// /var/lib/kubelet/seccomp); an absolute path (what a kubelet hands a CRI
// runtime) is taken as is. A missing or unreadable file fails the creation
// (CreateContainerError), with containerd's wording.

import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { RuntimeError, type SecurityContext } from '../runtime.ts';
import { LOCALHOST_PREFIX } from './seccomp.ts';
import { SeccompProfileError, parseSeccompProfile } from './seccompjson.ts';

export interface LocalhostProfile {
  /** Absolute path of the profile file. */
  path: string;
  text: string;
}

/** The profile file `Localhost/<ref>` names; relative ones under `root`, which they may not leave. */
export function localhostProfilePath(ref: string, root: string): string {
  if (ref === '') throw new RuntimeError('InvalidConfig', 'seccomp profile type Localhost needs a localhostProfile path');
  if (isAbsolute(ref)) return normalize(ref);
  if (ref.split('/').includes('..')) throw new RuntimeError('InvalidConfig', `localhostProfile ${JSON.stringify(ref)} must not contain '..'`);
  return join(root, ref);
}

/** The Localhost profile a container asks for, read; undefined when it asks for another (or runs privileged, hence unconfined). */
export async function readLocalhostProfile(sc: SecurityContext | undefined, root: string): Promise<LocalhostProfile | undefined> {
  const profile = sc?.seccompProfile;
  if (sc?.privileged || !profile?.startsWith(LOCALHOST_PREFIX)) return undefined;
  const path = localhostProfilePath(profile.slice(LOCALHOST_PREFIX.length), root);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw new RuntimeError('CreateFailed', `cannot load seccomp profile ${JSON.stringify(path)}: open ${path}: ${why}`);
  }
  try {
    // Checked here, so a bad file is a creation failure like a missing one; the builder parses it again with the container's capabilities.
    parseSeccompProfile(text, { capabilities: [] });
  } catch (e) {
    if (e instanceof SeccompProfileError) throw new RuntimeError('CreateFailed', `cannot load seccomp profile ${JSON.stringify(path)}: decoding seccomp profile failed: ${e.message}`);
    throw e;
  }
  return { path, text };
}
