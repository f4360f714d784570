import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../cache/cache.ts';
import { CycleState } from '../../framework/types.ts';
import { info, makeNode, makePod } from '../../testing.ts';
import { ImageLocality, normalizedImageName } from './imagelocality.ts';

test('ImageLocality', async (t) => {
  await t.test('image names without a tag mean :latest', () => {
    assert.equal(normalizedImageName('nginx'), 'nginx:latest');
    assert.equal(normalizedImageName('reg:5000/app'), 'reg:5000/app:latest');
    assert.equal(normalizedImageName('nginx:1.27'), 'nginx:1.27');
    assert.equal(normalizedImageName('nginx@sha256:ab'), 'nginx@sha256:ab');
  });
  await t.test('a node holding a big image scores higher; spread over every node lowers it', () => {
    const cache = new SchedulerCache();
    const MB = 1024 * 1024;
    cache.addNode(makeNode('a', { images: [{ names: ['big:1'], sizeBytes: 500 * MB }] }));
    cache.addNode(makeNode('b'));
    const pl = new ImageLocality(cache);
    const p = info(makePod('p', { containers: [{ name: 'c', image: 'big:1' }] }));
    const st = new CycleState();
    pl.preScore(st, p);
    const [a, b] = cache.nodeList().map((n) => pl.score(st, p, n));
    assert.ok(a! > b!, `${a} > ${b}`);
    assert.equal(b, 0);
    // Half the nodes hold it: 250 MB effective, (250-23)/(1000-23) of 100.
    assert.equal(a, Math.trunc((100 * (250 * MB - 23 * MB)) / (977 * MB)));
  });
});
