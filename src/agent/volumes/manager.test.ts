// The VolumeManager's fsGroup ownership: which volumes get it, when, and that
// it survives re-syncs and atomic updates (chown needs root).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, PodSecurityContext, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { ObjectNotFound, type ObjectSource } from '../objects.ts';
import { VolumeManager } from './manager.ts';

const skip = process.getuid?.() !== 0 ? 'needs root (chown to another group)' : false;
const mode = (p: string) => statSync(p).mode & 0o7777;

class FakeObjects implements ObjectSource {
  secrets = new Map<string, Secret>();
  cms = new Map<string, ConfigMap>();
  pvcs = new Map<string, PersistentVolumeClaim>();
  pvs = new Map<string, PersistentVolume>();
  private get<T>(m: Map<string, T>, kind: string, name: string): Promise<T> {
    const v = m.get(name);
    return v ? Promise.resolve(v) : Promise.reject(new ObjectNotFound(kind, name));
  }
  configMap(_ns: string, name: string) {
    return this.get(this.cms, 'configmap', name);
  }
  secret(_ns: string, name: string) {
    return this.get(this.secrets, 'secret', name);
  }
  pvc(_ns: string, name: string) {
    return this.get(this.pvcs, 'persistentvolumeclaim', name);
  }
  pv(name: string) {
    return this.get(this.pvs, 'persistentvolume', name);
  }
}

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'volmgr-'));
  const objects = new FakeObjects();
  objects.secrets.set('s', { metadata: { name: 's' }, data: { key: Buffer.from('v1').toString('base64') } });
  objects.cms.set('cm', { metadata: { name: 'cm' }, data: { conf: 'x' } });
  const tokens = { token: async () => 'a.b.c' };
  const mgr = new VolumeManager(root, () => ({ objects, runtime: {}, nodeAllocatable: {}, tokens }));
  return { root, objects, mgr };
}

let n = 0;
function pod(volumes: Volume[], sc?: PodSecurityContext): Pod {
  n++;
  return { metadata: { name: `p${n}`, namespace: 'default', uid: `uid-${n}` }, spec: { securityContext: sc, containers: [{ name: 'c' }], volumes } };
}

test('emptyDir with fsGroup: group fsGroup, 2777; set up once, so what containers did is kept', { skip }, async () => {
  const { mgr } = setup();
  const p = pod([{ name: 'e', emptyDir: {} }], { fsGroup: 2000 });
  const dir = (await mgr.setUp(p)).get('e')!.hostPath;
  assert.equal(statSync(dir).gid, 2000);
  assert.equal(mode(dir), 0o2777);
  // A container's change is not undone by the next sync (the kubelet sets an emptyDir up once).
  chmodSync(dir, 0o2770);
  writeFileSync(join(dir, 'f'), 'x');
  assert.equal(statSync(join(dir, 'f')).gid, 2000, 'setgid: new files get the group');
  await mgr.setUp(p);
  assert.equal(mode(dir), 0o2770);
});

test('emptyDir without fsGroup: root-owned 0777, no setgid', { skip }, async () => {
  const { mgr } = setup();
  const dir = (await mgr.setUp(pod([{ name: 'e', emptyDir: {} }]))).get('e')!.hostPath;
  assert.equal(statSync(dir).gid, 0);
  assert.equal(mode(dir), 0o777);
});

test('emptyDir medium Memory: the tmpfs options carry the ownership (3777, gid fsGroup) only with fsGroup', async () => {
  const { mgr } = setup();
  const vol: Volume = { name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };
  assert.deepEqual((await mgr.setUp(pod([vol], { fsGroup: 2000 }))).get('m')!.tmpfs, { sizeBytes: 1 << 20, mode: 0o3777, gid: 2000 });
  assert.deepEqual((await mgr.setUp(pod([vol]))).get('m')!.tmpfs, { sizeBytes: 1 << 20 });
});

test('secret and configMap with fsGroup: files group-readable by fsGroup (0400 -> 0440), directories setgid', { skip }, async () => {
  const { mgr } = setup();
  const p = pod(
    [
      { name: 's', secret: { secretName: 's', defaultMode: 0o400 } },
      { name: 'cm', configMap: { name: 'cm' } },
    ],
    { fsGroup: 2000 },
  );
  const vols = await mgr.setUp(p);
  const sdir = vols.get('s')!.hostPath;
  const key = realpathSync(join(sdir, 'key'));
  assert.equal(statSync(key).gid, 2000);
  assert.equal(mode(key), 0o440);
  assert.equal(statSync(sdir).gid, 2000);
  assert.equal(mode(sdir) & 0o2000, 0o2000);
  assert.equal(mode(realpathSync(join(sdir, '..data'))), 0o2755);
  const conf = realpathSync(join(vols.get('cm')!.hostPath, 'conf'));
  assert.equal(mode(conf), 0o644);
  assert.equal(statSync(conf).gid, 2000);
});

test('secret without fsGroup: root-owned, the defaultMode as is', { skip }, async () => {
  const { mgr } = setup();
  const dir = (await mgr.setUp(pod([{ name: 's', secret: { secretName: 's', defaultMode: 0o400 } }]))).get('s')!.hostPath;
  const key = realpathSync(join(dir, 'key'));
  assert.equal(statSync(key).gid, 0);
  assert.equal(mode(key), 0o400);
});

test('a secret with fsGroup is not rewritten on every sync, and an update is owned too', { skip }, async () => {
  const { mgr, objects } = setup();
  const p = pod([{ name: 's', secret: { secretName: 's', defaultMode: 0o400 } }], { fsGroup: 2000 });
  const dir = (await mgr.setUp(p)).get('s')!.hostPath;
  const gen = readlinkSync(join(dir, '..data'));
  await mgr.setUp(p);
  assert.equal(readlinkSync(join(dir, '..data')), gen, 'unchanged payload: same generation');
  objects.secrets.set('s', { metadata: { name: 's' }, data: { key: Buffer.from('v2').toString('base64'), more: Buffer.from('m').toString('base64') } });
  await mgr.setUp(p);
  assert.notEqual(readlinkSync(join(dir, '..data')), gen);
  for (const f of ['key', 'more']) {
    const real = realpathSync(join(dir, f));
    assert.equal(statSync(real).gid, 2000, f);
    assert.equal(mode(real), 0o440, f);
  }
  assert.equal(readFileSync(join(dir, 'key'), 'utf8'), 'v2');
});

test('projected ServiceAccount token: 0600 then 0640 with fsGroup; the volume mode without', { skip }, async () => {
  const vol: Volume = { name: 'kube-api-access', projected: { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }, { configMap: { name: 'cm', items: [{ key: 'conf', path: 'ca.crt' }] } }] } };
  const { mgr } = setup();
  let dir = (await mgr.setUp(pod([vol], { fsGroup: 2000 }))).get('kube-api-access')!.hostPath;
  assert.equal(mode(realpathSync(join(dir, 'token'))), 0o640);
  assert.equal(statSync(realpathSync(join(dir, 'token'))).gid, 2000);
  assert.equal(mode(realpathSync(join(dir, 'ca.crt'))), 0o644);
  dir = (await mgr.setUp(pod([vol]))).get('kube-api-access')!.hostPath;
  assert.equal(mode(realpathSync(join(dir, 'token'))), 0o644);
  assert.equal(statSync(realpathSync(join(dir, 'token'))).gid, 0);
});

function bindClaim(objects: FakeObjects, name: string, pv: PersistentVolume['spec']) {
  objects.pvs.set(`pv-${name}`, { metadata: { name: `pv-${name}` }, spec: pv });
  objects.pvcs.set(name, { metadata: { name }, spec: { volumeName: `pv-${name}` }, status: { phase: 'Bound' } });
}

test('PVCs: a local PV is handed to fsGroup (not when mounted readOnly); a hostPath PV is not', { skip }, async () => {
  const { root, objects, mgr } = setup();
  const paths: Record<string, string> = {};
  for (const name of ['local', 'localro', 'hostpath']) {
    paths[name] = join(root, 'disk', name);
    mkdirSync(paths[name], { recursive: true, mode: 0o755 });
    chmodSync(paths[name], 0o755);
    writeFileSync(join(paths[name], 'data'), 'd', { mode: 0o644 });
  }
  bindClaim(objects, 'local', { local: { path: paths.local! } });
  bindClaim(objects, 'localro', { local: { path: paths.localro! } });
  bindClaim(objects, 'hostpath', { hostPath: { path: paths.hostpath! } });
  await mgr.setUp(
    pod(
      [
        { name: 'l', persistentVolumeClaim: { claimName: 'local' } },
        { name: 'r', persistentVolumeClaim: { claimName: 'localro', readOnly: true } },
        { name: 'h', persistentVolumeClaim: { claimName: 'hostpath' } },
      ],
      { fsGroup: 2000 },
    ),
  );
  assert.equal(statSync(paths.local!).gid, 2000);
  assert.equal(mode(paths.local!), 0o2775);
  assert.equal(mode(join(paths.local!, 'data')), 0o664);
  for (const name of ['localro', 'hostpath']) {
    assert.equal(statSync(paths[name]!).gid, 0, name);
    assert.equal(mode(paths[name]!), 0o755, name);
  }
});

test('PVC on a local PV with OnRootMismatch: a second pod finding the root right does not walk', { skip }, async () => {
  const { root, objects, mgr } = setup();
  const path = join(root, 'disk', 'l');
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'data'), 'd', { mode: 0o600 });
  bindClaim(objects, 'l', { local: { path } });
  const vols: Volume[] = [{ name: 'l', persistentVolumeClaim: { claimName: 'l' } }];
  await mgr.setUp(pod(vols, { fsGroup: 2000, fsGroupChangePolicy: 'OnRootMismatch' }));
  assert.equal(mode(join(path, 'data')), 0o660);
  chmodSync(join(path, 'data'), 0o600);
  await mgr.setUp(pod(vols, { fsGroup: 2000, fsGroupChangePolicy: 'OnRootMismatch' }));
  assert.equal(mode(join(path, 'data')), 0o600, 'the root matched: no walk');
  await mgr.setUp(pod(vols, { fsGroup: 2000 }));
  assert.equal(mode(join(path, 'data')), 0o660, 'the default policy (Always) walks');
});
