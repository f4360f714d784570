import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OciImageConfig } from '../images.ts';
import type { ContainerConfig, PodSandboxConfig } from '../runtime.ts';
import { containerArgs, mergeEnv } from './args.ts';
import { SpecError, buildSpec, type SpecInput } from './build.ts';
import { capabilities } from './defaults.ts';
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
  assert.ok(s.mounts.find((m) => m.destination === '/sys')?.options?.includes('ro'));
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
