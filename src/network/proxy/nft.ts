// Running nft: a ruleset text applied (or only checked) as one atomic
// transaction through `nft -f -`.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const NFT_PATHS = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'];

export function findNft(): string | undefined {
  return NFT_PATHS.find((p) => existsSync(p));
}

export const NFT_INSTALL_HINT = 'nft is not installed: apt-get install nftables';

export class NftError extends Error {
  constructor(
    message: string,
    readonly ruleset: string,
  ) {
    super(message);
    this.name = 'NftError';
  }
}

export interface NftOptions {
  /** Only parse and validate. */
  check?: boolean;
  /** Run inside this named network namespace (`ip netns exec`), not the caller's. */
  netns?: string;
}

function command(bin: string, args: string[], netns?: string): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, bin, ...args]] : [bin, args];
}

/** Applies `text` atomically (or with `check`, only parses and validates it). */
export function nft(text: string, opts: NftOptions = {}): Promise<string> {
  const bin = findNft();
  if (!bin) return Promise.reject(new NftError(NFT_INSTALL_HINT, text));
  return new Promise((resolve, reject) => {
    const [cmd, args] = command(bin, [...(opts.check ? ['-c'] : []), '-f', '-'], opts.netns);
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new NftError(`nft: ${e.message}`, text)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new NftError(`nft failed (exit ${code}): ${err.trim()}`, text))));
    child.stdin.end(text);
  });
}

/** Runs an nft command line (`list table ip x`...). */
export function nftCommand(args: string[], netns?: string): Promise<string> {
  const bin = findNft();
  if (!bin) return Promise.reject(new NftError(NFT_INSTALL_HINT, args.join(' ')));
  return new Promise((resolve, reject) => {
    const [cmd, full] = command(bin, args, netns);
    const child = spawn(cmd, full, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new NftError(`nft ${args.join(' ')} failed: ${err.trim()}`, args.join(' ')))));
  });
}
