// Runs the real kubectl against a test cluster. The versioned binaries are
// called directly (/usr/bin/kubectl is a dispatcher that adds its own calls).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
export const kubectlPath = (version: string) => `${KUBECTL_DIR}/kubectl.${version}`;
export const hasKubectl = (version: string) => existsSync(kubectlPath(version));

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectlRunner(version: string, kubeconfig: string) {
  const bin = kubectlPath(version);
  return (args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(
        bin,
        // A cache dir per cluster: discovery is cached for hours per server address.
        ['--kubeconfig', kubeconfig, '--cache-dir', `${kubeconfig}.cache`, ...args],
        { timeout: opts.timeoutMs ?? 20_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
    });
}
