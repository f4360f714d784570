// `skiff kubectl ...`: the real kubectl, pointed at this machine's cluster
// (the kubeconfig in the default data dir, unless KUBECONFIG is set).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from './datadir.ts';

const CANDIDATES = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32', '/usr/local/bin/kubectl', '/usr/bin/kubectl'];

export function findKubectl(): string | undefined {
  return [process.env.SKIFF_KUBECTL, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
}

export async function kubectl(args: string[]): Promise<number> {
  const bin = findKubectl();
  if (!bin) {
    console.error('skiff kubectl: kubectl is not installed: see https://kubernetes.io/docs/tasks/tools/ (or set SKIFF_KUBECTL to its path)');
    return 1;
  }
  const kubeconfig = process.env.KUBECONFIG ?? join(defaultDataDir(), 'kubeconfig.yaml');
  if (!existsSync(kubeconfig)) {
    console.error(`skiff kubectl: no cluster kubeconfig at ${kubeconfig}: start one with ./skiff up (or set KUBECONFIG)`);
    return 1;
  }
  const child = spawn(bin, args, { stdio: 'inherit', env: { ...process.env, KUBECONFIG: kubeconfig } });
  return await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}
