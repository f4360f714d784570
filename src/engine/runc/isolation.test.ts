// Isolation by default, seen from inside real runc containers: the host's
// processes, files and network out of reach, mounting, new namespaces, raw
// sockets and other guarded syscalls refused (capabilities and the
// RuntimeDefault seccomp profile); and the settings that lift each lock
// (privileged, Unconfined, Localhost profiles, added capabilities, host
// namespaces, hostPath) doing so, which shows the checks can fail. Root only.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isRuntimeError } from '../runtime.ts';
import { MASKED_PATHS } from '../spec/defaults.ts';
import { hostDevices } from '../spec/host.ts';
import { containerConfig, sandboxConfig } from '../testsuite/fixtures.ts';
import { runcSkipReason } from '../testsuite/runc-harness.ts';
import { runcSandbox } from '../testsuite/runc-sandbox.ts';

const skip = runcSkipReason() ?? false;
const SLEEP = { command: ['sleep', '3600'] };
const CAP_NET_RAW = 13n;
const CAP_SYS_ADMIN = 21n;

async function setup(t: TestContext) {
  const base = await runcSandbox(t, SLEEP);
  const exec = (id: string, cmd: string[]) => base.exec(id, cmd, { stdin: '', timeoutMs: 10_000 });
  const sh = (id: string, script: string) => exec(id, ['sh', '-c', script]);
  /** The process' seccomp mode (0 none, 2 filter), no_new_privs and effective capabilities, from /proc/self/status. */
  const status = async (id: string) => {
    const text = (await exec(id, ['cat', '/proc/self/status'])).stdout;
    const field = (k: string) => new RegExp(`^${k}:\\s*(\\S+)`, 'm').exec(text)?.[1] ?? '';
    return { seccomp: Number(field('Seccomp')), noNewPrivs: Number(field('NoNewPrivs')), capEff: BigInt(`0x${field('CapEff') || '0'}`) };
  };
  return { ...base, exec, sh, status };
}

/** A TCP listener on the host's loopback counting the connections it gets. */
async function hostListener(t: TestContext): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  const server: Server = createServer((s) => {
    n++;
    s.end('host-secret\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no listener address');
  return { port: addr.port, connections: () => n };
}

async function hostMarker(t: TestContext): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-iso-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'marker');
  await writeFile(file, 'host-only\n');
  return { dir, file };
}

/** test(1)'s flag for a device type. */
const d = (type: string) => (type === 'b' ? '-b' : type === 'c' ? '-c' : '-p');
const denied = /permission denied|Operation not permitted/i;

/** Masked /proc files that have content on this host (which ones exist depends on the kernel's configuration). */
async function maskedOnHost(): Promise<string[]> {
  const found: string[] = [];
  for (const p of MASKED_PATHS.filter((m) => m.startsWith('/proc/'))) {
    const text = await readFile(p, 'utf8').catch(() => '');
    if (text.length > 0) found.push(p);
  }
  assert.ok(found.length > 0, 'some masked path has content on the host');
  return found;
}

test('a default container: only its own processes and files, masked /proc, read-only /sys, no host network, and mount, namespaces and raw sockets refused', { skip }, async (t) => {
  const { runC, exec, sh, status } = await setup(t);
  const [listener, marker] = await Promise.all([hostListener(t), hostMarker(t)]);
  const id = await runC('default', {});

  const st = await status(id);
  assert.equal(st.seccomp, 2, 'the RuntimeDefault seccomp filter is on');
  assert.equal(st.noNewPrivs, 0, 'no_new_privs only when allowPrivilegeEscalation is false');
  assert.equal((st.capEff >> CAP_SYS_ADMIN) & 1n, 0n, 'no CAP_SYS_ADMIN');
  assert.equal((st.capEff >> CAP_NET_RAW) & 1n, 0n, 'no CAP_NET_RAW');

  // processes
  const ps = (await exec(id, ['ps', '-o', 'pid,args'])).stdout.trim().split('\n').slice(1);
  assert.ok(ps.length <= 3, `only the container's processes: ${ps.join(' | ')}`);
  assert.ok(!ps.some((l) => /node|conmon|runc|systemd|init/.test(l)), ps.join(' | '));
  const pids = (await sh(id, 'ls /proc | grep -E "^[0-9]+$"')).stdout.trim().split('\n');
  assert.ok(pids.length <= 4, `pids in /proc: ${pids.join(' ')}`);

  // files
  assert.equal((await exec(id, ['cat', marker.file])).exitCode, 1, "the host's /tmp is not the container's");
  assert.equal((await exec(id, ['ls', marker.dir])).exitCode, 1);
  for (const path of await maskedOnHost()) assert.equal((await sh(id, `cat ${path} | wc -c`)).stdout.trim(), '0', `${path} is masked`);
  const sysWrite = await exec(id, ['mkdir', '/sys/kernel/skiff-test']);
  assert.notEqual(sysWrite.exitCode, 0);
  assert.match(sysWrite.stderr, /Read-only file system/);
  assert.match((await sh(id, 'echo 1 > /proc/sys/kernel/panic')).stderr, /Read-only file system/, '/proc/sys is read-only');

  // mounting, namespaces, guarded syscalls
  const mount = await exec(id, ['mount', '-t', 'tmpfs', 'none', '/tmp']);
  assert.notEqual(mount.exitCode, 0);
  assert.match(mount.stderr, denied);
  for (const cmd of [['unshare', '-U', 'true'], ['unshare', '-n', 'true'], ['unshare', '-m', 'true'], ['nsenter', '-t', '1', '-m', 'true'], ['adjtimex']]) {
    const r = await exec(id, cmd);
    assert.notEqual(r.exitCode, 0, `${cmd.join(' ')} must fail`);
    assert.match(r.stderr, denied, `${cmd.join(' ')}: ${r.stderr}`);
  }

  // network
  assert.deepEqual((await exec(id, ['ip', '-o', 'link'])).stdout.trim().split('\n').map((l) => l.split(':')[1]?.trim()), ['lo'], 'only the pod loopback');
  const nc = await sh(id, `echo hi | nc -w 2 127.0.0.1 ${listener.port}`);
  assert.doesNotMatch(nc.stdout, /host-secret/);
  assert.equal(listener.connections(), 0, "the host's loopback is out of reach");
  const ping = await exec(id, ['ping', '-c', '1', '-W', '1', '127.0.0.1']);
  assert.notEqual(ping.exitCode, 0, 'no raw sockets without NET_RAW');
  assert.match(ping.stderr, denied);
});

test('seccomp profiles: Unconfined lifts the filter but not the capability checks; a Localhost profile applies; a missing or broken one fails the creation', { skip }, async (t) => {
  const { h, rt, sb, sbCfg, runC, exec, status } = await setup(t);
  const unconfined = await runC('unconfined', { securityContext: { seccompProfile: 'Unconfined' } });
  assert.equal((await status(unconfined)).seccomp, 0);
  assert.equal((await exec(unconfined, ['adjtimex'])).exitCode, 0, 'adjtimex reads the clock: only the seccomp profile stopped it');
  assert.equal((await exec(unconfined, ['unshare', '-U', 'true'])).exitCode, 0, 'user namespaces need no capability: only the seccomp profile stopped them');
  const mount = await exec(unconfined, ['mount', '-t', 'tmpfs', 'none', '/tmp']);
  assert.notEqual(mount.exitCode, 0, 'no CAP_SYS_ADMIN, still no mounting');
  assert.match(mount.stderr, denied);

  const profiles = join(h.root, 'seccomp', 'profiles');
  await mkdir(profiles, { recursive: true });
  await writeFile(join(profiles, 'no-mkdir.json'), JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }));
  const local = await runC('local', { securityContext: { seccompProfile: 'Localhost/profiles/no-mkdir.json' } });
  assert.equal((await status(local)).seccomp, 2);
  const mk = await exec(local, ['mkdir', '/tmp/d']);
  assert.notEqual(mk.exitCode, 0);
  assert.match(mk.stderr, /Operation not permitted/);
  assert.equal((await exec(local, ['touch', '/tmp/f'])).exitCode, 0, 'everything else allowed');
  assert.equal((await exec(local, ['adjtimex'])).exitCode, 0, 'the Localhost profile replaces RuntimeDefault');

  const missing = join(profiles, 'nope.json');
  await assert.rejects(rt.createContainer(sb, containerConfig('missing', { ...SLEEP, securityContext: { seccompProfile: 'Localhost/profiles/nope.json' } }), sbCfg), (e: unknown) => isRuntimeError(e, 'CreateFailed') && e.message.includes(`cannot load seccomp profile "${missing}": open ${missing}: no such file or directory`));
  await writeFile(join(profiles, 'broken.json'), '{"defaultAction": "SCMP_ACT_SOMETIMES"}');
  await assert.rejects(rt.createContainer(sb, containerConfig('broken', { ...SLEEP, securityContext: { seccompProfile: 'Localhost/profiles/broken.json' } }), sbCfg), (e: unknown) => isRuntimeError(e, 'CreateFailed') && /decoding seccomp profile failed: defaultAction: unknown action "SCMP_ACT_SOMETIMES"/.test(e.message));
  await assert.rejects(rt.createContainer(sb, containerConfig('escape', { ...SLEEP, securityContext: { seccompProfile: 'Localhost/../../etc/passwd' } }), sbCfg), (e: unknown) => isRuntimeError(e, 'InvalidConfig') && /must not contain '\.\.'/.test(e.message));
  assert.equal((await rt.listContainers({ podSandboxId: sb })).length, 2, 'failed creations leave nothing behind');
});

test('privileged, added capabilities and the rest of the security context do what they say', { skip }, async (t) => {
  const { rt, sb, sbCfg, runC, exec, sh, status } = await setup(t);
  // A container of the pod mounts its (read-only) /sys first: the privileged one must still get a writable one.
  const ro = await runC('ro', { securityContext: { readonlyRootfs: true } });
  const [priv, raw, admin, nnp, user] = await Promise.all([
    runC('priv', { securityContext: { privileged: true } }),
    runC('raw', { securityContext: { capabilities: { add: ['NET_RAW'] } } }),
    runC('admin', { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }),
    runC('nnp', { securityContext: { noNewPrivileges: true } }),
    runC('user', { securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], runAsNonRoot: true } }),
  ]);

  const p = await status(priv);
  assert.equal(p.seccomp, 0, 'privileged runs unconfined');
  assert.equal((p.capEff >> CAP_SYS_ADMIN) & 1n, 1n);
  assert.equal((await sh(priv, 'mount -t tmpfs none /tmp && grep -c " /tmp tmpfs " /proc/mounts')).stdout.trim(), '1', 'a privileged container can mount');
  for (const path of await maskedOnHost()) assert.notEqual((await sh(priv, `cat ${path} | wc -c`)).stdout.trim(), '0', `${path} is not masked`);
  assert.match((await exec(priv, ['mkdir', '/sys/kernel/skiff-test'])).stderr, /Operation not permitted/, '/sys is writable (sysfs itself refuses mkdir)');
  const extra = (await hostDevices()).find((d) => !['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx'].includes(d.path.slice(5)));
  if (extra) {
    assert.equal((await exec(priv, ['test', d(extra.type), extra.path])).exitCode, 0, `privileged: the host's ${extra.path}`);
    assert.equal((await exec(ro, ['test', '-e', extra.path])).exitCode, 1, `not privileged: no ${extra.path}`);
  }

  assert.equal((await exec(raw, ['ping', '-c', '1', '-W', '2', '127.0.0.1'])).exitCode, 0, 'NET_RAW added: ping works');
  assert.equal((await status(admin)).seccomp, 2);
  assert.equal((await exec(admin, ['mount', '-t', 'tmpfs', 'none', '/tmp'])).exitCode, 0, 'SYS_ADMIN added: RuntimeDefault lets mount through');

  const n = await status(nnp);
  assert.deepEqual([n.noNewPrivs, n.seccomp], [1, 2], 'allowPrivilegeEscalation: false sets no_new_privs');

  assert.match((await exec(user, ['id'])).stdout.trim(), /^uid=1000\(app\) gid=3000 groups=.*\b4000\b/, 'runAsUser, runAsGroup, supplementalGroups');
  assert.equal((await status(user)).capEff, 0n, 'a non-root user has no effective capabilities');
  const rw = await exec(ro, ['touch', '/x']);
  assert.match(rw.stderr, /Read-only file system/);

  await assert.rejects(rt.createContainer(sb, containerConfig('root', { ...SLEEP, securityContext: { runAsNonRoot: true } }), sbCfg), (e: unknown) => isRuntimeError(e, 'InvalidConfig') && /container has runAsNonRoot and image will run as root \(pod: ".*", container: root\)/.test(e.message));
});

test('host namespaces and hostPath only when asked: hostPID sees host processes, hostNetwork the host loopback, hostIPC the host IPC namespace', { skip }, async (t) => {
  const { h, rt, runC, exec } = await setup(t);
  const [listener, marker] = await Promise.all([hostListener(t), hostMarker(t)]);
  const cfg = sandboxConfig(h.logRoot, { hostNetwork: true, hostIPC: true, hostname: '' });
  const sb = await rt.runPodSandbox(cfg);
  const id = await runC('host', { mounts: [{ containerPath: '/host', hostPath: marker.dir, readonly: true }] }, sb, { ...cfg, hostPID: true });

  assert.match((await exec(id, ['cat', `/proc/${process.pid}/cmdline`])).stdout, /node/, "hostPID: this test's own process is visible");
  assert.equal((await exec(id, ['readlink', '/proc/self/ns/net'])).stdout.trim(), await readlink('/proc/self/ns/net'));
  assert.equal((await exec(id, ['readlink', '/proc/self/ns/ipc'])).stdout.trim(), await readlink('/proc/self/ns/ipc'));
  assert.notEqual((await exec(id, ['readlink', '/proc/self/ns/mnt'])).stdout.trim(), await readlink('/proc/self/ns/mnt'), 'the mount namespace stays private');
  const nc = await exec(id, ['sh', '-c', `nc -w 2 127.0.0.1 ${listener.port} </dev/null`]);
  assert.match(nc.stdout, /host-secret/, 'hostNetwork reaches the host loopback');
  assert.equal((await exec(id, ['cat', `/host/${basename(marker.file)}`])).stdout, 'host-only\n', 'a hostPath volume is mounted');
  const w = await exec(id, ['touch', '/host/new']);
  assert.match(w.stderr, /Read-only file system/, 'read-only as asked');
});
