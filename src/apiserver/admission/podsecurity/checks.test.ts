import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePod, formatFailures } from './checks.ts';

const restrictedOK = { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] };

test('a pod that meets restricted passes every level', () => {
  for (const level of ['privileged', 'baseline', 'restricted'] as const) assert.deepEqual(evaluatePod(level, {}, restrictedOK), [], level);
});

test('baseline: host namespaces, privileged, capabilities, hostPath, hostPorts, sysctls', () => {
  const spec = {
    hostNetwork: true,
    hostIPC: true,
    securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }, { name: 'net.ipv4.tcp_syncookies', value: '1' }] },
    volumes: [{ name: 'h', hostPath: { path: '/' } }],
    containers: [
      { name: 'a', securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'CHOWN'] } }, ports: [{ containerPort: 80, hostPort: 8080 }] },
      { name: 'b', securityContext: { privileged: true } },
    ],
  };
  assert.equal(
    formatFailures(evaluatePod('baseline', {}, spec)),
    'non-default capabilities (container "a" must not include "NET_ADMIN" in securityContext.capabilities.add), host namespaces (hostIPC=true, hostNetwork=true), hostPath volumes (volume "h"), hostPort (container "a" uses hostPort 8080), privileged (containers "a", "b" must not set securityContext.privileged=true), forbidden sysctls (kernel.msgmax)',
  );
});

test('restricted replaces the baseline capability, volume and seccomp checks with its own', () => {
  const spec = { volumes: [{ name: 'h', hostPath: { path: '/' } }], securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'c', securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } }] };
  assert.equal(
    formatFailures(evaluatePod('restricted', {}, spec)),
    'unrestricted capabilities (container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add), restricted volume types (volume "h" uses restricted volume type "hostPath"), runAsUser=0 (container "c" must not set runAsUser=0), seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
  );
});
