// In-cluster API access through the agent: the projected ServiceAccount token
// (requested from the TokenRequest API, bound to the pod, accepted by the API
// server under RBAC, refreshed before it expires, FailedMount when it cannot
// be had), the service environment variables and the managed /etc/hosts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod, Service, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { ApiError, Client } from '../../src/client/rest.ts';
import { createPod, podEvents, podSpec, running, startAgentEnv, waitPod, type AgentEnv } from './support.ts';
import { waitFor } from '../support/wait.ts';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('agent: ServiceAccount tokens, service env, /etc/hosts', () => {
  let env: AgentEnv;
  /** How far the agent's token clock is ahead of the real one (ms). */
  let skew = 0;
  const accounts = () => env.client.resource<ServiceAccount>('v1', 'serviceaccounts');
  const services = () => env.client.resource<Service>('v1', 'services');

  const latest = async (p: Pod, name = 'c') => {
    const all = await env.runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata!.uid!, 'io.kubernetes.container.name': name } });
    return all.sort((a, b) => b.createdAt - a.createdAt)[0]!.id;
  };
  /** A file as the container sees it (the fake engine resolves its mounts). */
  const catIn = async (p: Pod, path: string): Promise<string> => {
    const out: Buffer[] = [];
    const r = await env.runtime.exec(await latest(p), { cmd: ['cat', path], stdout: { write: (b: Buffer | string) => out.push(Buffer.from(b)) } as never });
    assert.equal(r.exitCode, 0, `cat ${path}`);
    return Buffer.concat(out).toString();
  };
  const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, any>;
  const envOf = async (p: Pod) => new Map(env.runtime.containerConfig(await latest(p)).envs!.map((e) => [e.name, e.value]));
  const tokenClient = (token: string) => new Client({ server: env.cluster.url, ca: readFileSync(join(env.cluster.pkiDir, 'ca.crt')), token });
  const sleeper = { name: 'c', image: 'busybox:1.36', command: ['sleep', 'infinity'] };
  /** A pod whose only token is a 600 s one at /var/run/secrets/tokens/token. */
  const shortTokenPod = (name: string, sa: string) =>
    podSpec(name, {
      serviceAccountName: sa,
      automountServiceAccountToken: false,
      volumes: [{ name: 'short', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 600 } }] } }],
      containers: [{ ...sleeper, volumeMounts: [{ name: 'short', mountPath: '/var/run/secrets/tokens', readOnly: true }] }],
    });
  /** Creates a pod as soon as admission's account cache has the account. */
  const createWithAccount = (pod: Pod) =>
    waitFor(
      async () => {
        try {
          return await createPod(env, pod);
        } catch (e) {
          if (e instanceof ApiError && e.code === 403 && /error looking up service account/.test(e.message)) return undefined;
          throw e;
        }
      },
      `create ${pod.metadata!.name}`,
    );
  const makeAccount = (name: string) => accounts().create('default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });

  before(async () => {
    env = await startAgentEnv({ agent: { now: () => Date.now() + skew } });
  });
  after(async () => {
    await env?.stop();
  });

  test('the projected token names the pod, and the API server accepts it as RBAC allows', async () => {
    await makeAccount('reader');
    await createWithAccount(podSpec('sa-pod', { serviceAccountName: 'reader', containers: [sleeper] }));
    const p = await waitPod(env, 'sa-pod', running, 'Running');
    const vol = p.spec!.volumes!.find((v) => v.name.startsWith('kube-api-access-'))!;
    const mount = env.runtime.containerConfig(await latest(p)).mounts!.find((m) => m.containerPath === SA_DIR)!;
    assert.equal(mount.readonly, true);
    assert.equal(mount.hostPath, join(env.dataDir, 'pods', p.metadata!.uid!, 'volumes', 'kubernetes.io~projected', vol.name));

    const token = (await catIn(p, `${SA_DIR}/token`)).trim();
    const c = claims(token);
    assert.equal(c.sub, 'system:serviceaccount:default:reader');
    assert.deepEqual(c.aud, ['https://kubernetes.default.svc.cluster.local']);
    assert.equal(c.exp - c.iat, 3607);
    assert.equal(c['kubernetes.io'].namespace, 'default');
    assert.equal(c['kubernetes.io'].serviceaccount.name, 'reader');
    assert.deepEqual(c['kubernetes.io'].pod, { name: 'sa-pod', uid: p.metadata!.uid });
    assert.equal((await catIn(p, `${SA_DIR}/namespace`)).trim(), 'default');
    assert.equal((await catIn(p, `${SA_DIR}/ca.crt`)).trim(), readFileSync(join(env.cluster.pkiDir, 'ca.crt'), 'utf8').trim());
    assert.equal(readFileSync(join(mount.hostPath, 'token'), 'utf8'), token, 'the file holds exactly the token');

    const asPod = tokenClient(token).resource<Pod>('v1', 'pods');
    try {
      await assert.rejects(asPod.list('default'), (e: unknown) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.code, 403);
        assert.equal(e.message, 'pods is forbidden: User "system:serviceaccount:default:reader" cannot list resource "pods" in API group "" in the namespace "default"');
        return true;
      });
      await env.client.resource<Role>('rbac.authorization.k8s.io/v1', 'roles').create('default', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-lister' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] });
      await env.client.resource<RoleBinding>('rbac.authorization.k8s.io/v1', 'rolebindings').create('default', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'reader-lists-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-lister' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'default' }],
      });
      const list = await waitFor(() => asPod.list('default').catch(() => undefined), 'the bound role lets the token list pods');
      assert.ok(list.items.some((x) => x.metadata?.name === 'sa-pod'));
      await assert.rejects(asPod.delete('default', 'sa-pod'), (e: unknown) => e instanceof ApiError && e.code === 403, 'list only');
    } finally {
      asPod.client.close();
    }
  });

  test('the token is requested again once 80% of its lifetime has passed', async () => {
    await makeAccount('refresher');
    await createWithAccount(shortTokenPod('refresh-pod', 'refresher'));
    const p = await waitPod(env, 'refresh-pod', running, 'Running');
    const first = (await catIn(p, '/var/run/secrets/tokens/token')).trim();
    assert.equal(claims(first).exp - claims(first).iat, 600);
    assert.deepEqual(claims(first)['kubernetes.io'].pod, { name: 'refresh-pod', uid: p.metadata!.uid });
    try {
      // 500 s of 600: past the refresh point (480 s, less up to 10 s of jitter), not yet expired.
      skew = 500_000;
      const second = await waitFor(
        async () => {
          const t = (await catIn(p, '/var/run/secrets/tokens/token')).trim();
          return t !== first ? t : undefined;
        },
        'a refreshed token in the volume',
      );
      assert.ok(claims(second).iat >= claims(first).iat && claims(second).jti !== claims(first).jti);
      assert.deepEqual(claims(second)['kubernetes.io'].pod, { name: 'refresh-pod', uid: p.metadata!.uid });
      const c = tokenClient(second);
      try {
        // Accepted (authenticated) by the server: without a role it is a 403, never a 401.
        await assert.rejects(c.resource<Pod>('v1', 'pods').list('default'), (e: unknown) => e instanceof ApiError && e.code === 403);
      } finally {
        c.close();
      }
    } finally {
      skew = 0;
    }
  });

  test('no token to be had: FailedMount with the kubelet\'s wording and a retry, not a crash', async () => {
    await makeAccount('temp');
    await createWithAccount(shortTokenPod('lost-sa-pod', 'temp'));
    const p = await waitPod(env, 'lost-sa-pod', running, 'Running');
    const first = (await catIn(p, '/var/run/secrets/tokens/token')).trim();
    await accounts().delete('default', 'temp');
    try {
      // The cached token has expired by the agent's clock and the account is gone.
      skew = 700_000;
      const msg = 'MountVolume.SetUp failed for volume "short" : failed to fetch token: serviceaccounts "temp" not found';
      await waitFor(async () => (await podEvents(env, 'lost-sa-pod')).find((e) => e.reason === 'FailedMount' && e.type === 'Warning' && e.message === msg), `FailedMount: ${msg}`);
      assert.ok(running(await waitPod(env, 'lost-sa-pod', running, 'still Running')), 'the running container is left alone');
      assert.equal((await catIn(p, '/var/run/secrets/tokens/token')).trim(), first, 'the old token stays in place');
      assert.ok(!env.log.some((l) => l.includes('sync failed')), env.log.join('\n'));
      // The account is back: the next retry gets a token.
      await makeAccount('temp');
      await waitFor(async () => (await catIn(p, '/var/run/secrets/tokens/token')).trim() !== first, 'a new token once the account exists again');
    } finally {
      skew = 0;
    }
  });

  test('service environment variables: a service with two named ports, the kubernetes service, user env wins', async () => {
    await services().create('default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web-front' },
      spec: {
        selector: { app: 'web' },
        ports: [
          { name: 'http', port: 80, targetPort: 8080 },
          { name: 'metrics', port: 9090, protocol: 'UDP' },
        ],
      },
    });
    await waitFor(() => env.agent.services.has('default', 'web-front'), 'the agent sees the service');
    const ip = (await services().get('default', 'web-front')).spec!.clusterIP!;
    const kip = (await services().get('default', 'kubernetes')).spec!.clusterIP!;
    await createPod(
      env,
      podSpec('env-pod', {
        containers: [
          {
            ...sleeper,
            env: [
              { name: 'WEB_FRONT_SERVICE_HOST', value: 'overridden' },
              { name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)/$(WEB_FRONT_SERVICE_PORT_METRICS)' },
            ],
          },
        ],
      }),
    );
    const p = await waitPod(env, 'env-pod', running, 'Running');
    const e = await envOf(p);
    const pick = (prefix: string) => Object.fromEntries([...e].filter(([k]) => k.startsWith(prefix)));
    assert.deepEqual(pick('WEB_FRONT_'), {
      WEB_FRONT_SERVICE_HOST: 'overridden',
      WEB_FRONT_SERVICE_PORT: '80',
      WEB_FRONT_SERVICE_PORT_HTTP: '80',
      WEB_FRONT_SERVICE_PORT_METRICS: '9090',
      WEB_FRONT_PORT: `tcp://${ip}:80`,
      WEB_FRONT_PORT_80_TCP: `tcp://${ip}:80`,
      WEB_FRONT_PORT_80_TCP_PROTO: 'tcp',
      WEB_FRONT_PORT_80_TCP_PORT: '80',
      WEB_FRONT_PORT_80_TCP_ADDR: ip,
      WEB_FRONT_PORT_9090_UDP: `udp://${ip}:9090`,
      WEB_FRONT_PORT_9090_UDP_PROTO: 'udp',
      WEB_FRONT_PORT_9090_UDP_PORT: '9090',
      WEB_FRONT_PORT_9090_UDP_ADDR: ip,
    });
    assert.deepEqual(pick('KUBERNETES_'), {
      KUBERNETES_SERVICE_HOST: kip,
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: `tcp://${kip}:443`,
      KUBERNETES_PORT_443_TCP: `tcp://${kip}:443`,
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: kip,
    });
    assert.equal(e.get('API'), `https://${kip}:443/9090`, '$(VAR) sees the service variables');
    // The container sees them too.
    const out: Buffer[] = [];
    await env.runtime.exec(await latest(p), { cmd: ['printenv', 'WEB_FRONT_PORT_80_TCP'], stdout: { write: (b: Buffer | string) => out.push(Buffer.from(b)) } as never });
    assert.equal(Buffer.concat(out).toString().trim(), `tcp://${ip}:80`);

    // enableServiceLinks: false keeps only the kubernetes service's.
    await createPod(env, podSpec('nolinks-pod', { enableServiceLinks: false, containers: [sleeper] }));
    const q = await waitPod(env, 'nolinks-pod', running, 'Running');
    const names = [...(await envOf(q)).keys()];
    assert.deepEqual(names.filter((k) => k.startsWith('WEB_FRONT_')), []);
    assert.deepEqual(names.filter((k) => k.startsWith('KUBERNETES_')).sort(), Object.keys(pick('KUBERNETES_')).sort());
  });

  test('/etc/hosts: the pod IP with the FQDN of hostname.subdomain, then hostAliases', async () => {
    await createPod(
      env,
      podSpec('hosts-pod', {
        hostname: 'web-0',
        subdomain: 'web',
        hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }],
        containers: [sleeper],
      }),
    );
    const p = await waitPod(env, 'hosts-pod', (x) => running(x) && !!x.status?.podIP, 'Running with an IP');
    const ip = p.status!.podIP!;
    const want =
      '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n' +
      `${ip}\tweb-0.web.default.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n`;
    const mount = env.runtime.containerConfig(await latest(p)).mounts!.find((m) => m.containerPath === '/etc/hosts')!;
    assert.equal(mount.hostPath, join(env.dataDir, 'pods', p.metadata!.uid!, 'etc-hosts'));
    assert.equal(readFileSync(mount.hostPath, 'utf8'), want);
    assert.equal(await catIn(p, '/etc/hosts'), want.endsWith('\n') ? want : `${want}\n`);

    await createPod(env, podSpec('plain-pod', { containers: [sleeper] }));
    const q = await waitPod(env, 'plain-pod', (x) => running(x) && !!x.status?.podIP, 'Running with an IP');
    const lines = (await catIn(q, '/etc/hosts')).trimEnd().split('\n');
    assert.equal(lines.at(-1), `${q.status!.podIP}\tplain-pod`);
  });
});
