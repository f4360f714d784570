import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupVersion, oomKills, parseFlatKeyed, readStats } from './cgroups.ts';

test('cgroup version of this host is detected from the filesystem type of /sys/fs/cgroup', async () => {
  const v = await cgroupVersion();
  assert.ok(v === 1 || v === 2);
  assert.equal(await cgroupVersion(tmpdir()), 1, 'a non-cgroup2 filesystem reads as v1');
});

test('stats and OOM kills read from v1 and v2 layouts', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'skiff-cg-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const put = async (p: string, text: string) => {
    await mkdir(join(root, p, '..'), { recursive: true });
    await writeFile(join(root, p), text);
  };
  await put('cpuacct/skiff/c1/cpuacct.usage', '123456789\n');
  await put('memory/skiff/c1/memory.usage_in_bytes', '10000\n');
  await put('memory/skiff/c1/memory.stat', 'cache 1\nrss 700\ntotal_rss 800\ntotal_inactive_file 3000\n');
  await put('memory/skiff/c1/memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  assert.deepEqual(await readStats('/skiff/c1', 1, root), { cpuUsageNanoSeconds: 123456789, memoryUsageBytes: 10000, memoryWorkingSetBytes: 7000, memoryRssBytes: 800 });
  assert.equal(await oomKills('/skiff/c1', 1, root), 2);
  await put('skiff/c2/cpu.stat', 'usage_usec 42\nuser_usec 40\n');
  await put('skiff/c2/memory.current', '5000\n');
  await put('skiff/c2/memory.stat', 'anon 900\ninactive_file 1000\n');
  await put('skiff/c2/memory.events', 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
  assert.deepEqual(await readStats('/skiff/c2', 2, root), { cpuUsageNanoSeconds: 42000, memoryUsageBytes: 5000, memoryWorkingSetBytes: 4000, memoryRssBytes: 900 });
  assert.equal(await oomKills('/skiff/c2', 2, root), 1);
  assert.equal(await readStats('/skiff/gone', 2, root), undefined);
  assert.equal(await oomKills('/skiff/gone', 1, root), 0);
  assert.deepEqual([...parseFlatKeyed('a 1\nb x\n')], [['a', 1]]);
});
