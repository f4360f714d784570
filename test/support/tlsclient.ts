// An HTTPS client for inside test containers, without the internet: a rootfs
// of the host's static busybox plus the host's `openssl` binary and the
// shared libraries `ldd` lists for it (`skiff image import DIR --name ...`
// makes it an image). Debian's busybox wget does https by running
// `openssl s_client -verify_return_error -verify_hostname HOST`, so with
// SSL_CERT_FILE naming a CA file it verifies against that CA; its own TLS
// never verifies. `apiGetScript` is the shell for one raw GET through
// s_client (so error bodies are seen too), `parseHTTPResponse` reads it.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUSYBOX_BIN } from './images.ts';

export const OPENSSL_BIN = '/usr/bin/openssl';
export const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const APPLETS = ['sh', 'cat', 'echo', 'printf', 'sleep', 'wget', 'ls', 'env', 'tr', 'head', 'grep', 'test'];

/** The absolute paths of the shared libraries (and loader) `ldd` lists for `bin`. */
export function sharedLibraries(bin: string): string[] {
  const out = execFileSync('ldd', [bin], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

/** Writes the rootfs into `dir` (busybox with its applets, openssl and its libraries at their host paths). */
export function buildTLSClientRootfs(dir: string): void {
  const put = (from: string, to: string, mode = 0o755) => {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    copyFileSync(realpathSync(from), join(dir, to));
    execFileSync('chmod', [mode.toString(8), join(dir, to)]);
  };
  put(BUSYBOX_BIN, 'bin/busybox');
  for (const a of APPLETS) symlinkSync('busybox', join(dir, 'bin', a));
  put(OPENSSL_BIN, 'usr/bin/openssl');
  for (const lib of sharedLibraries(OPENSSL_BIN)) put(lib, lib.slice(1));
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  mkdirSync(join(dir, 'tmp'), { mode: 0o1777 });
}

/**
 * Shell for one GET of `path` on https://HOST:443 with the pod's projected
 * ServiceAccount token, the server's certificate verified against the
 * projected ca.crt and checked to name `verifyName` (default HOST); prints
 * the raw HTTP response. Exits non-zero when verification fails.
 */
export function apiGetScript(host: string, path: string, o: { verifyName?: string } = {}): string {
  const name = o.verifyName ?? host;
  return [
    `printf 'GET ${path} HTTP/1.0\\r\\nHost: ${host}\\r\\nAuthorization: Bearer %s\\r\\nAccept: application/json\\r\\n\\r\\n' "$(cat ${SA_DIR}/token)"`,
    `| openssl s_client -quiet -connect ${host}:443 -servername ${host} -CAfile ${SA_DIR}/ca.crt -verify_return_error -verify_hostname ${name}`,
  ].join(' ');
}

export interface HTTPResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw HTTP/1.x response (identity or chunked body). */
export function parseHTTPResponse(raw: string): HTTPResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (!raw.startsWith('HTTP/') || split < 0) throw new Error(`not an HTTP response: ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine, ...lines] = raw.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    let out = '';
    for (let rest = body; ; ) {
      const eol = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, eol), 16);
      if (!(size > 0)) break;
      out += rest.slice(eol + 2, eol + 2 + size);
      rest = rest.slice(eol + 2 + size + 2);
    }
    body = out;
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body };
}
