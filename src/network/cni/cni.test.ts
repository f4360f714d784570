// The CNI network against the real plugins (Debian containernetworking-plugins)
// in network namespaces this test creates: two pods get addresses from the
// pod CIDR, reach each other and the gateway over the bridge, and lose their
// addresses on tear-down (also when the namespace is already gone).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CniNetwork, loadNetConfList, statusOf } from './cni.ts';
import { bridgeConflist } from './config.ts';
import { NetworkError } from '../network.ts';

const isRoot = process.getuid?.() === 0;
const hasPlugins = existsSync('/usr/lib/cni/bridge') || existsSync('/opt/cni/bin/bridge');
const skip = !isRoot ? 'needs root (network namespaces, bridges)' : !hasPlugins ? 'CNI plugins not installed (apt-get install containernetworking-plugins)' : !existsSync('/usr/bin/busybox') ? 'busybox-static not installed (ping inside the namespaces)' : false;

describe('CNI config loading', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'skiff-cni-conf-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an empty directory is a clear error', () => {
    assert.throws(() => loadNetConfList(dir), /no CNI network config in .*: expected a \.conflist file/);
  });
  test('a file that is not JSON names the file', () => {
    writeFileSync(join(dir, '05-bad.conflist'), '{ nope');
    assert.throws(() => loadNetConfList(dir), (e: Error) => e instanceof NetworkError && e.message.includes('05-bad.conflist') && /not valid JSON/.test(e.message));
    rmSync(join(dir, '05-bad.conflist'));
  });
  test('the first file by name wins; a single .conf is a list of one', () => {
    writeFileSync(join(dir, '20-b.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'b', plugins: [{ type: 'bridge' }] }));
    writeFileSync(join(dir, '10-a.conf'), JSON.stringify({ cniVersion: '0.4.0', name: 'a', type: 'ptp' }));
    const l = loadNetConfList(dir);
    assert.equal(l.name, 'a');
    assert.deepEqual(l.plugins.map((p) => p.type), ['ptp']);
  });
  test('addresses come from the pod side interface, IPv4 first', () => {
    const s = statusOf(
      {
        interfaces: [{ name: 'cni0' }, { name: 'veth1' }, { name: 'eth0', sandbox: '/run/netns/x' }],
        ips: [
          { address: 'fd00::5/64', interface: 2 },
          { address: '10.42.0.5/24', gateway: '10.42.0.1', interface: 2 },
        ],
      },
      'eth0',
    );
    assert.deepEqual(s, { ips: ['10.42.0.5', 'fd00::5'], interface: 'eth0', gateway: '10.42.0.1' });
  });
});

describe('CNI bridge network (real plugins)', { skip }, () => {
  const suffix = `${process.pid % 10000}`;
  const bridge = `sktest${suffix}`;
  const nsA = `skiff-cni-a-${suffix}`;
  const nsB = `skiff-cni-b-${suffix}`;
  // A /24 inside TEST-NET style private space that nothing else here uses.
  const cidr = `10.199.${process.pid % 200}.0/24`;
  let dir: string;
  let net: CniNetwork;
  const ref = (ns: string) => ({ id: `sb-${ns}`, netnsPath: `/run/netns/${ns}`, namespace: 'default', name: ns, uid: `uid-${ns}` });
  const inNs = (ns: string, ...cmd: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8' });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-cni-'));
    const confDir = join(dir, 'net.d');
    mkdirSync(confDir);
    writeFileSync(join(confDir, '10-skiff.conflist'), JSON.stringify(bridgeConflist({ podCIDR: cidr, bridge, ipamDataDir: join(dir, 'ipam') })));
    net = new CniNetwork({ confDir, cacheDir: join(dir, 'cache') });
    for (const ns of [nsA, nsB]) execFileSync('ip', ['netns', 'add', ns]);
  });
  after(() => {
    for (const ns of [nsA, nsB]) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('two pods get addresses in the pod CIDR, reach each other and the gateway', async () => {
    const a = await net.setUp(ref(nsA));
    const b = await net.setUp(ref(nsB));
    const prefix = cidr.split('.').slice(0, 3).join('.');
    assert.ok(a.ips[0]!.startsWith(`${prefix}.`), a.ips[0]);
    assert.ok(b.ips[0]!.startsWith(`${prefix}.`), b.ips[0]);
    assert.notEqual(a.ips[0], b.ips[0]);
    assert.equal(a.gateway, `${prefix}.1`);
    assert.match(inNs(nsA, 'ip', '-4', 'addr', 'show', 'eth0'), new RegExp(`inet ${a.ips[0]!.replace(/\./g, '\\.')}/24`));
    assert.match(inNs(nsA, 'ip', 'link', 'show', 'lo'), /state UNKNOWN|UP/);
    inNs(nsA, '/usr/bin/busybox', 'ping', '-c', '1', '-W', '2', b.ips[0]!);
    inNs(nsB, '/usr/bin/busybox', 'ping', '-c', '1', '-W', '2', a.gateway!);
    // The host routes the pod CIDR to the bridge, so nothing for it leaves the machine.
    assert.match(execFileSync('ip', ['route', 'show', cidr], { encoding: 'utf8' }), new RegExp(`dev ${bridge}`));
  });

  test('tear-down releases the address, and works again when the namespace is gone', async () => {
    const leases = () => readdirSync(join(dir, 'ipam', 'skiff')).filter((f) => /^\d/.test(f));
    assert.equal(leases().length, 2);
    await net.tearDown(ref(nsA));
    assert.equal(leases().length, 1);
    assert.throws(() => inNs(nsA, 'ip', 'link', 'show', 'eth0'));
    await net.tearDown(ref(nsA));
    execFileSync('ip', ['netns', 'del', nsB]);
    await net.tearDown(ref(nsB));
    assert.equal(leases().length, 0);
    execFileSync('ip', ['netns', 'add', nsB]);
  });

  test('a plugin that is not installed is a clear error and leaves nothing behind', async () => {
    const confDir = join(dir, 'bad.d');
    mkdirSync(confDir);
    writeFileSync(join(confDir, '10.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'x', plugins: [{ type: 'nosuchplugin' }] }));
    const bad = new CniNetwork({ confDir, cacheDir: join(dir, 'cache2') });
    await assert.rejects(bad.setUp(ref(nsA)), /CNI plugin "nosuchplugin" not found .*apt-get install containernetworking-plugins/);
  });
});
