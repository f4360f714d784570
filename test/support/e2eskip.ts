// Why an end-to-end file that runs `skiff up` (containers, network
// namespaces, nftables, kubectl 1.32) cannot run here, or false when it can.
// Each file names the host binaries it needs beyond the node's own.

import { existsSync } from 'node:fs';
import { hasKubectl } from './kubectl.ts';

/** Binary path → the Debian package that has it. */
const NODE_PARTS: Record<string, string> = {
  '/usr/sbin/runc': 'runc',
  '/usr/bin/conmon': 'conmon',
  '/usr/lib/cni/bridge': 'containernetworking-plugins',
  '/usr/sbin/nft': 'nftables',
};

export function e2eSkipReason(extra: Record<string, string> = {}): string | false {
  if (process.getuid?.() !== 0) return 'needs root (containers, network namespaces, nftables)';
  const missing = Object.entries({ ...NODE_PARTS, ...extra }).filter(([path]) => !existsSync(path));
  if (missing.length) return `missing ${missing.map(([p]) => p).join(', ')} (apt-get install ${[...new Set(missing.map(([, pkg]) => pkg))].join(' ')})`;
  if (!hasKubectl('1.32')) return 'kubectl 1.32 not installed';
  return false;
}
