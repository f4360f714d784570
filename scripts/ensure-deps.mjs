#!/usr/bin/env node
// Makes a fresh clone runnable: installs the npm dependencies when they are
// missing (saying so), and with --test also the real components the test
// suite drives (etcd), through apt-get when running as root. Plain Node, no
// dependencies of its own, so it can run before `npm install` has.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--test');
const say = (msg) => process.stderr.write(`skiff: ${msg}\n`);

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  say(`Node.js ${process.versions.node} is too old: Skiff needs Node 20 or newer (https://nodejs.org, or your distribution's nodejs package).`);
  process.exit(1);
}

function npmDepsPresent() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const names = Object.keys({ ...pkg.dependencies, ...(forTests ? pkg.devDependencies : {}) });
  if (!names.every((n) => existsSync(join(root, 'node_modules', n, 'package.json')))) return false;
  // better-sqlite3 compiles a native addon on install; a half-finished install leaves no binary.
  return existsSync(join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'));
}

if (!npmDepsPresent()) {
  const cmd = existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install';
  say(`installing npm dependencies (npm ${cmd}; better-sqlite3 compiles from source, about a minute the first time)...`);
  // npm's output goes to stderr: `./skiff` reads this script's stdout for the bundle's path.
  const r = spawnSync('npm', [cmd, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (r.status !== 0 || !npmDepsPresent()) {
    say(`npm ${cmd} failed. Fix the error above (a C++ toolchain is needed for better-sqlite3: apt-get install g++ make python3) and run it again.`);
    process.exit(1);
  }
  say('npm dependencies installed.');
}

function has(bin) {
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function aptInstall(packages, why) {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !has('apt-get')) {
    say(`${why}: not installed. Install with: sudo apt-get install ${packages.join(' ')}`);
    return false;
  }
  say(`${why}: installing Debian packages ${packages.join(' ')} (apt-get)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (!install || install.status !== 0) {
    say(`apt-get install ${packages.join(' ')} failed; the tests that need them will be skipped and say so.`);
    return false;
  }
  return true;
}

// The host parts a node runs containers with: binary to look for, Debian package.
const nodeParts = [
  ['/usr/sbin/runc', 'runc'],
  ['/usr/bin/conmon', 'conmon'],
  ['/usr/lib/cni/bridge', 'containernetworking-plugins'],
  ['/usr/sbin/nft', 'nftables'],
  ['/usr/sbin/ip', 'iproute2'],
  ['/usr/bin/busybox', 'busybox-static'],
];
// What only the test suite drives: the real registry, image tools, etcd.
const testParts = [
  ['/usr/bin/etcd', 'etcd-server'],
  ['/usr/bin/etcdctl', 'etcd-client'],
  ['/usr/bin/docker-registry', 'docker-registry'],
  ['/usr/bin/skopeo', 'skopeo'],
  ['/usr/bin/umoci', 'umoci'],
  ['/usr/sbin/debootstrap', 'debootstrap'],
  ['/usr/bin/prometheus', 'prometheus'],
  ['/usr/bin/chromium', 'chromium'],
];
const wanted = [...nodeParts, ...(forTests ? testParts : [])];
const missing = [...new Set(wanted.filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg))];
const complete = missing.length === 0 || aptInstall(missing, forTests ? 'components the tests drive (runc, conmon, CNI, nft, registry, etcd, prometheus, chromium)' : 'components a node runs containers with');

// `./skiff` asks for the bundled CLI in the same process (saves a Node start).
if (process.argv.includes('--bundle')) {
  await import('./bundle.mjs');
  // Everything was found: `./skiff` may skip this script until the lockfile changes (see DEPS_STAMP there).
  if (complete) {
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, 'dist', '.deps-ok'), `${new Date().toISOString()}\n`);
  }
}
