import { findEtcd, launchEtcd, ETCD_INSTALL_HINT, type EtcdProcess } from './launch.ts';
import { EtcdStore } from './etcd.ts';
import { storeContract } from '../testsuite/suite.ts';
import { test } from 'node:test';

// One real etcd for the whole suite; each test gets its own key root, so tests
// never see each other's keys (revisions are shared, which the contract allows).
if (!findEtcd()) {
  test('Store contract: etcd', { skip: `${ETCD_INSTALL_HINT} (npm test installs it when run as root)` }, () => {});
} else {
  let etcd: EtcdProcess;
  let n = 0;
  storeContract('etcd', {
    setup: async () => {
      etcd = await launchEtcd();
    },
    teardown: async () => etcd.stop(),
    create: async (opts) => new EtcdStore({ endpoints: etcd.endpoints, root: `/t${n++}`, ...opts }),
  });
}
