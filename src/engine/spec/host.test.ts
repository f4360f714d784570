// Host facts for the spec builder: the engine's bounding capabilities and the
// host's device nodes (what a privileged container gets).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { boundingCapabilities, hostDevices, splitDev } from './host.ts';

test('dev_t splits into major and minor as glibc does', () => {
  assert.deepEqual(splitDev(0x0103n), { major: 1, minor: 3 });
  assert.deepEqual(splitDev(0x0700n), { major: 7, minor: 0 });
  // major 259, minor 1048575 (the large encodings)
  assert.deepEqual(splitDev((259n & 0xfffn) << 8n | (1048575n & 0xffn) | ((1048575n & ~0xffn) << 12n)), { major: 259, minor: 1048575 });
});

test("the host's devices: /dev/null and friends, not pts, shm, mqueue or the console", async () => {
  const devs = await hostDevices();
  assert.deepEqual(devs.find((d) => d.path === '/dev/null'), { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 });
  assert.ok(!devs.some((d) => /^\/dev\/(pts|shm|mqueue)\//.test(d.path) || d.path === '/dev/console' || d.path === '/dev/pts/ptmx'), 'skipped ones');
  assert.deepEqual(await hostDevices('/nonexistent'), []);
});

test("the engine's bounding capabilities match /proc/self/status", async () => {
  const caps = await boundingCapabilities();
  const mask = /^CapBnd:\s*(\S+)$/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1];
  assert.ok(caps && mask);
  assert.equal(caps.length, [...BigInt(`0x${mask}`).toString(2)].filter((b) => b === '1').length);
});
