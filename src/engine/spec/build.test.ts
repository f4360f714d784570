import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OciImageConfig } from '../images.ts';
import type { ContainerConfig, PodSandboxConfig } from '../runtime.ts';
import { containerArgs, mergeEnv } from './args.ts';
import { SpecError, buildSpec, type SpecInput } from './build.ts';
import { capabilities, capabilitiesFromMask } from './defaults.ts';
import { resolveUser } from './user.ts';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n';
const GROUP = 'root:x:0:\nwheel:x:10:app,other\napp:x:1001:\nstaff:x:50:\n';

test('args follow Kubernetes command/args rules against ENTRYPOINT/CMD', () => {
  const img = { Entrypoint: ['/ep'], Cmd: ['cmd-arg'] };
  const rows: [string, OciImageConfig['config'], string[] | undefined, string[] | undefined, string[]][] = [
    ['neither: image entrypoint + cmd', img, undefined, undefined, ['/ep', 'cmd-arg']],
    ['command only: image entrypoint and cmd both ignored', img, ['/bin/run'], undefined, ['/bin/run']],
    ['args only: image entrypoint + args', img, undefined, ['a', 'b'], ['/ep', 'a', 'b']],
    ['both: command + args', img, ['/bin/run'], ['x'], ['/bin/run', 'x']],
    ['empty arrays count as unset', img, [], [], ['/ep', 'cmd-arg']],
    ['image without entrypoint, args only: args alone', { Cmd: ['sh'] }, undefined, ['echo', 'hi'], ['echo', 'hi']],
    ['null entrypoint/cmd from JSON', { Entrypoint: null, Cmd: null }, undefined, undefined, []],
  ];
  for (const [name, cfg, command, args, want] of rows) assert.deepEqual(containerArgs(cfg, command, args), want, name);
});

test('env: container env overrides image env in place and appends new names', () => {
  assert.deepEqual(mergeEnv(['PATH=/bin', 'A=1', 'B=2'], [{ name: 'A', value: 'x' }, { name: 'C', value: '3' }]), ['PATH=/bin', 'A=x', 'B=2', 'C=3']);
  assert.deepEqual(mergeEnv([], [{ name: 'E', value: 'a=b' }]), ['E=a=b']);
});

test('user resolution: numbers, names, groups, runAsUser/runAsGroup, supplementary groups', () => {
  const base = { passwd: PASSWD, group: GROUP };
  const rows: [string, Parameters<typeof resolveUser>[0], { uid: number; gid: number; additionalGids: number[] }][] = [
    ['no user: root', {}, { uid: 0, gid: 0, additionalGids: [] }],
    ['name: uid and gid from passwd, groups listing it', { imageUser: 'app' }, { uid: 1000, gid: 1001, additionalGids: [10] }],
    ['bare uid in passwd takes its gid', { imageUser: '1000' }, { uid: 1000, gid: 1001, additionalGids: [10] }],
    ['bare uid not in passwd: gid 0', { imageUser: '4242' }, { uid: 4242, gid: 0, additionalGids: [] }],
    ['uid:gid', { imageUser: '5:7' }, { uid: 5, gid: 7, additionalGids: [] }],
    ['name:group name (groups from /etc/group membership only, as runc)', { imageUser: 'app:staff' }, { uid: 1000, gid: 50, additionalGids: [10] }],
    ['runAsUser wins over the image user', { imageUser: 'app', runAsUser: 2000 }, { uid: 2000, gid: 0, additionalGids: [] }],
    ['runAsGroup wins', { imageUser: 'app', runAsGroup: 3 }, { uid: 1000, gid: 3, additionalGids: [10] }],
    ['supplementalGroups are added', { runAsUser: 9, supplementalGroups: [100, 200] }, { uid: 9, gid: 0, additionalGids: [100, 200] }],
  ];
  for (const [name, opts, want] of rows) {
    const got = resolveUser({ ...base, ...opts });
    assert.deepEqual({ uid: got.uid, gid: got.gid, additionalGids: got.additionalGids.sort((a, b) => a - b) }, want, name);
  }
  assert.throws(() => resolveUser({ ...base, imageUser: 'ghost' }), /unable to find user ghost: no matching entries in passwd file/);
  assert.throws(() => resolveUser({ ...base, imageUser: 'app:ghosts' }), /unable to find group ghosts/);
});

test('capabilities: the default set has no NET_RAW; drop, add, ALL, privileged', () => {
  const def = capabilities(undefined, false);
  assert.ok(!def.includes('CAP_NET_RAW'));
  assert.ok(def.includes('CAP_CHOWN') && def.includes('CAP_KILL'));
  assert.ok(!capabilities({ drop: ['KILL'] }, false).includes('CAP_KILL'));
  assert.deepEqual(capabilities({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, false), ['CAP_NET_BIND_SERVICE']);
  assert.ok(capabilities({ add: ['NET_ADMIN'] }, false).includes('CAP_NET_ADMIN'));
  assert.ok(capabilities(undefined, true).includes('CAP_SYS_ADMIN'));
});

const image: OciImageConfig = { architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/bin', 'LANG=C'], Cmd: ['sh'], WorkingDir: '/srv', User: 'app' }, rootfs: { type: 'layers', diff_ids: [] } };
const sandbox: PodSandboxConfig = { metadata: { name: 'p', namespace: 'ns', uid: 'u1', attempt: 0 }, hostname: 'p-host', logDirectory: '/logs', cgroupParent: 'kubepods/burstable/podu1' };
const container: ContainerConfig = { metadata: { name: 'c', attempt: 0 }, image: 'busybox', logPath: 'c/0.log' };
const input = (over: Partial<SpecInput> = {}, c: Partial<ContainerConfig> = {}, s: Partial<PodSandboxConfig> = {}): SpecInput => ({
  image,
  container: { ...container, ...c },
  sandbox: { ...sandbox, ...s },
  id: 'cid',
  rootfs: 'rootfs',
  namespaces: { network: '/ns/net', ipc: '/ns/ipc', uts: '/ns/uts' },
  etc: { hosts: '/s/hosts', resolvConf: '/s/resolv.conf', hostname: '/s/hostname' },
  passwd: PASSWD,
  group: GROUP,
  cgroupVersion: 1,
  hostNofileHard: 524288,
  ...over,
});

test('spec: process, namespaces by path, hostname, cgroup path, rlimits capped by the host', () => {
  const s = buildSpec(input());
  assert.deepEqual(s.process.args, ['sh']);
  assert.deepEqual(s.process.env, ['PATH=/bin', 'LANG=C', 'HOSTNAME=p-host', 'HOME=/home/app']);
  assert.equal(s.process.cwd, '/srv');
  assert.deepEqual(s.process.user, { uid: 1000, gid: 1001, additionalGids: [10] });
  assert.equal(s.hostname, 'p-host');
  assert.deepEqual(s.linux.namespaces, [{ type: 'mount' }, { type: 'pid' }, { type: 'network', path: '/ns/net' }, { type: 'uts', path: '/ns/uts' }, { type: 'ipc', path: '/ns/ipc' }]);
  assert.equal(s.linux.cgroupsPath, '/kubepods/burstable/podu1/cid');
  assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 524288, soft: 524288 }]);
  assert.equal(s.process.noNewPrivileges, false);
  assert.ok(s.linux.maskedPaths?.includes('/proc/kcore'));
  assert.ok(s.linux.readonlyPaths?.includes('/proc/sys'));
  assert.deepEqual(s.process.capabilities?.bounding, capabilities(undefined, false));
  const dests = s.mounts.map((m) => m.destination);
  assert.deepEqual(dests, ['/proc', '/dev', '/dev/pts', '/dev/mqueue', '/dev/shm', '/sys', '/sys/fs/cgroup', '/etc/hosts', '/etc/resolv.conf', '/etc/hostname']);
  assert.ok(s.linux.readonlyPaths?.includes('/sys'), '/sys read-only by a per-mount remount, not by the sysfs superblock');
  assert.deepEqual(buildSpec(input({}, { securityContext: { unmaskedPaths: true } })).linux.readonlyPaths, ['/sys'], 'procMount Unmasked leaves /sys read-only');
});

test('spec: cgroup v2 adds a cgroup namespace; hostNetwork shares net and uts and sets no hostname; hostPID drops the pid namespace', () => {
  assert.ok(buildSpec(input({ cgroupVersion: 2 })).linux.namespaces.some((n) => n.type === 'cgroup'));
  const host = buildSpec(input({ namespaces: { ipc: '/ns/ipc' } }, {}, { hostNetwork: true, hostPID: true }));
  assert.deepEqual(host.linux.namespaces.map((n) => n.type), ['mount', 'ipc']);
  assert.equal(host.hostname, undefined);
  assert.ok(!host.process.env.some((e) => e.startsWith('HOSTNAME=')));
});

test('spec: resources, oomScoreAdj, security context, volumes', () => {
  const s = buildSpec(
    input({}, {
      resources: { cpuShares: 512, cpuQuota: 50000, memoryLimitBytes: 32 << 20, pidsLimit: 64, oomScoreAdj: 999 },
      securityContext: { readonlyRootfs: true, noNewPrivileges: true, runAsUser: 0, capabilities: { drop: ['ALL'] } },
      mounts: [
        { containerPath: '/data', hostPath: '/var/data', readonly: true },
        { containerPath: '/cache', hostPath: '', tmpfs: { sizeBytes: 1 << 20 } },
        { containerPath: '/etc/hosts', hostPath: '/mine/hosts' },
      ],
      envs: [{ name: 'LANG', value: 'en' }],
      command: ['/bin/echo'],
      args: ['hi'],
      workingDir: '/w',
      tty: true,
    }),
  );
  assert.deepEqual(s.linux.resources?.cpu, { shares: 512, quota: 50000, period: 100000 });
  assert.deepEqual(s.linux.resources?.memory, { limit: 32 << 20, swap: 32 << 20 });
  assert.deepEqual(s.linux.resources?.pids, { limit: 64 });
  assert.equal(s.process.oomScoreAdj, 999);
  assert.equal(s.root.readonly, true);
  assert.equal(s.process.noNewPrivileges, true);
  assert.deepEqual(s.process.capabilities?.effective, []);
  assert.deepEqual(s.process.user, { uid: 0, gid: 0 });
  assert.deepEqual(s.process.args, ['/bin/echo', 'hi']);
  assert.equal(s.process.cwd, '/w');
  assert.equal(s.process.terminal, true);
  assert.ok(s.process.env.includes('LANG=en'));
  assert.deepEqual(s.mounts.find((m) => m.destination === '/data'), { destination: '/data', type: 'bind', source: '/var/data', options: ['rbind', 'rprivate', 'ro'] });
  assert.deepEqual(s.mounts.find((m) => m.destination === '/cache'), { destination: '/cache', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', `size=${1 << 20}`] });
  assert.deepEqual(s.mounts.filter((m) => m.destination === '/etc/hosts').map((m) => m.source), ['/mine/hosts'], "a volume at /etc/hosts replaces the engine's");
  assert.ok(s.mounts.find((m) => m.destination === '/etc/resolv.conf')?.options?.includes('ro'), 'readonly rootfs makes the /etc files read-only');
});

test('spec: privileged gets every capability, all devices, no masked paths, rw /sys', () => {
  const s = buildSpec(input({}, { securityContext: { privileged: true } }));
  assert.ok(s.process.capabilities?.bounding.includes('CAP_SYS_ADMIN'));
  assert.deepEqual(s.linux.resources?.devices, [{ allow: true, access: 'rwm' }]);
  assert.equal(s.linux.maskedPaths, undefined);
  assert.equal(s.linux.readonlyPaths, undefined);
  assert.ok(s.mounts.find((m) => m.destination === '/sys')?.options?.includes('rw'));
});

test('spec: bad configurations are SpecErrors that name the problem', () => {
  const rows: [string, Partial<SpecInput>, Partial<ContainerConfig>, RegExp][] = [
    ['no command anywhere', { image: { ...image, config: {} } }, {}, /no command specified/],
    ['unknown user name', { image: { ...image, config: { Cmd: ['sh'], User: 'ghost' } } }, {}, /unable to find user ghost/],
    ['unknown capability', {}, { securityContext: { capabilities: { add: ['FLY'] } } }, /unknown capability "FLY"/],
    ['relative mount path', {}, { mounts: [{ containerPath: 'data', hostPath: '/x' }] }, /must be absolute/],
    ['memory limit below 6 MiB', {}, { resources: { memoryLimitBytes: 1024 } }, /below the minimum/],
  ];
  for (const [name, over, c, re] of rows) assert.throws(() => buildSpec(input(over, c)), (e: unknown) => e instanceof SpecError && re.test(e.message), name);
});

test('spec: seccomp RuntimeDefault when absent or asked for; none when Unconfined or privileged; Localhost from the file read by the caller', () => {
  const def = buildSpec(input());
  assert.equal(def.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO', 'absent = RuntimeDefault');
  assert.deepEqual(buildSpec(input({}, { securityContext: { seccompProfile: 'RuntimeDefault' } })).linux.seccomp, def.linux.seccomp);
  assert.equal(buildSpec(input({}, { securityContext: { seccompProfile: 'Unconfined' } })).linux.seccomp, undefined);
  assert.equal(buildSpec(input({}, { securityContext: { privileged: true } })).linux.seccomp, undefined);
  assert.equal(buildSpec(input({}, { securityContext: { privileged: true, seccompProfile: 'Localhost/x.json' } })).linux.seccomp, undefined, 'privileged wins, as in Kubernetes');
  // the profile follows the container's capabilities
  const allowedNames = (s: ReturnType<typeof buildSpec>) => new Set((s.linux.seccomp?.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));
  assert.ok(!allowedNames(def).has('mount'));
  assert.ok(allowedNames(buildSpec(input({}, { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }))).has('mount'));
  assert.ok(!allowedNames(buildSpec(input({}, { securityContext: { capabilities: { drop: ['ALL'] } } }))).has('chroot'));

  const text = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] });
  const local = buildSpec(input({ localhostProfile: { path: '/sc/p.json', text } }, { securityContext: { seccompProfile: 'Localhost/p.json' } }));
  assert.deepEqual(local.linux.seccomp, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] });
  assert.throws(() => buildSpec(input({}, { securityContext: { seccompProfile: 'Localhost/p.json' } })), (e: unknown) => e instanceof SpecError && /was not read/.test(e.message));
  assert.throws(() => buildSpec(input({ localhostProfile: { path: '/sc/p.json', text: '{' } }, { securityContext: { seccompProfile: 'Localhost/p.json' } })), (e: unknown) => e instanceof SpecError && /seccomp profile "\/sc\/p.json": not valid JSON/.test(e.message));
  assert.throws(() => buildSpec(input({}, { securityContext: { seccompProfile: 'docker/default' } })), (e: unknown) => e instanceof SpecError && /unknown seccomp profile "docker\/default"/.test(e.message));
});

test('spec: no_new_privs only when asked (allowPrivilegeEscalation: false); hostIPC shares the IPC namespace; privileged gets the engine\'s own capabilities and the host devices', () => {
  assert.equal(buildSpec(input()).process.noNewPrivileges, false);
  assert.equal(buildSpec(input({}, { securityContext: { noNewPrivileges: true } })).process.noNewPrivileges, true);
  assert.deepEqual(buildSpec(input({}, {}, { hostIPC: true })).linux.namespaces.map((n) => n.type), ['mount', 'pid', 'network', 'uts']);
  const host = ['CAP_CHOWN', 'CAP_SYS_ADMIN'];
  assert.deepEqual(buildSpec(input({ hostCapabilities: host }, { securityContext: { privileged: true } })).process.capabilities?.bounding, host);
  assert.deepEqual(buildSpec(input({ hostCapabilities: host }, { securityContext: { capabilities: { add: ['ALL'] } } })).process.capabilities?.effective, host);
  assert.equal(capabilitiesFromMask(0x1fffeffffffn).length, 40, 'a host without CAP_SYS_RESOURCE');
  assert.ok(!capabilitiesFromMask(0x1fffeffffffn).includes('CAP_SYS_RESOURCE'));
  assert.deepEqual(capabilitiesFromMask(0b100000000000001n), ['CAP_CHOWN', 'CAP_IPC_LOCK']);
  const loop = { path: '/dev/loop0', type: 'b' as const, major: 7, minor: 0, fileMode: 0o600, uid: 0, gid: 0 };
  assert.deepEqual(buildSpec(input({ hostDevices: [loop] }, { securityContext: { privileged: true } })).linux.devices, [loop], 'privileged: the host devices');
  assert.equal(buildSpec(input({ hostDevices: [loop] })).linux.devices, undefined, 'otherwise none');
});

test('spec: runAsNonRoot refuses root (by runAsUser, by the image user, or a user name it cannot check), as the kubelet words it', () => {
  const pod = '(pod: "p_ns(u1)", container: c)';
  const rows: [string, OciImageConfig['config'], number | undefined, string | undefined][] = [
    ['runAsUser 0', { Cmd: ['sh'], User: 'app' }, 0, `container's runAsUser breaks non-root policy ${pod}`],
    ['runAsUser 1000 overrides a root image', { Cmd: ['sh'] }, 1000, undefined],
    ['image without a user', { Cmd: ['sh'] }, undefined, `container has runAsNonRoot and image will run as root ${pod}`],
    ['image user 0:0', { Cmd: ['sh'], User: '0:0' }, undefined, `container has runAsNonRoot and image will run as root ${pod}`],
    ['image user by name', { Cmd: ['sh'], User: 'app' }, undefined, `container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root ${pod}`],
    ['numeric image user', { Cmd: ['sh'], User: '1000:1001' }, undefined, undefined],
  ];
  for (const [name, config, runAsUser, want] of rows) {
    const run = () => buildSpec(input({ image: { ...image, config } }, { securityContext: { runAsNonRoot: true, ...(runAsUser !== undefined ? { runAsUser } : {}) } }));
    if (want === undefined) assert.doesNotThrow(run, name);
    else assert.throws(run, (e: unknown) => e instanceof SpecError && e.message === want, name);
  }
  assert.doesNotThrow(() => buildSpec(input({ image: { ...image, config: { Cmd: ['sh'] } } }, { securityContext: { runAsNonRoot: false } })), 'runAsNonRoot false checks nothing');
});
