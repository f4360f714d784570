import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupLayout, runChecks, formatChecks, realHost, type HostView } from './preflight.ts';

const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const V2 = `30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate`;

function host(over: Partial<HostView> & { files?: Record<string, string> } = {}): HostView {
  const files: Record<string, string> = {
    '/proc/filesystems': 'nodev\tproc\nnodev\toverlay\n',
    '/proc/self/mountinfo': HYBRID,
    '/proc/sys/net/ipv4/ip_forward': '1\n',
    ...over.files,
  };
  return {
    read: (p) => files[p],
    executable: () => true,
    isRoot: true,
    kernelRelease: '6.1.0-18-amd64',
    portFree: async () => true,
    ...over,
  };
}

const levels = async (h: HostView) => Object.fromEntries((await runChecks(h, { port: 6443 })).map((r) => [r.name, r.level]));

describe('cgroup layout', () => {
  const rows: [string, string, string][] = [
    ['v1 controllers beside an empty cgroup2 are hybrid', HYBRID, 'hybrid'],
    ['cgroup2 alone is v2', V2, 'v2'],
    ['v1 alone is v1', HYBRID.split('\n').slice(0, 5).join('\n'), 'v1'],
    ['nothing mounted is none', '', 'none'],
  ];
  for (const [name, text, mode] of rows) test(name, () => assert.equal(cgroupLayout(text).mode, mode));
  test('lists the v1 controllers', () => assert.deepEqual(cgroupLayout(HYBRID).v1Controllers, ['cpu', 'cpuacct', 'memory', 'pids']));
});

describe('preflight checks', () => {
  test('a good host passes every check', async () => {
    const r = await runChecks(host(), { port: 6443 });
    assert.deepEqual(r.filter((c) => c.level !== 'ok'), []);
  });
  const rows: [string, Partial<HostView> & { files?: Record<string, string> }, string, string][] = [
    ['not root fails', { isRoot: false }, 'root', 'fail'],
    ['an old kernel fails', { kernelRelease: '4.4.0' }, 'kernel', 'fail'],
    ['no overlay fails', { files: { '/proc/filesystems': 'nodev\tproc\n' } }, 'overlayfs', 'fail'],
    ['v2 without the memory controller fails', { files: { '/proc/self/mountinfo': V2, '/sys/fs/cgroup/cgroup.controllers': 'cpu pids\n' } }, 'cgroups', 'fail'],
    ['v2 with cpu, memory and pids passes', { files: { '/proc/self/mountinfo': V2, '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n' } }, 'cgroups', 'ok'],
    ['a missing runc fails', { executable: (p) => !p.includes('runc') }, 'runc', 'fail'],
    ['forwarding off warns', { files: { '/proc/sys/net/ipv4/ip_forward': '0\n' } }, 'ip forwarding', 'warn'],
    ['a taken port fails', { portFree: async () => false }, 'API port', 'fail'],
  ];
  for (const [name, over, check, level] of rows) test(name, async () => assert.equal((await levels(host(over)))[check], level));

  test('a failure says how to fix it', async () => {
    const r = await runChecks(host({ executable: (p) => !p.includes('conmon') }));
    const c = r.find((x) => x.name === 'conmon')!;
    assert.equal(c.fix, 'apt-get install conmon');
    assert.match(formatChecks(r), /FAIL  conmon .*\n .* fix: apt-get install conmon/);
  });

  test('this machine: every check gives a verdict and a detail', async () => {
    const r = await runChecks(realHost, { port: 0 });
    assert.ok(r.length >= 9);
    for (const c of r) assert.ok(c.detail.length > 0, c.name);
  });
});
