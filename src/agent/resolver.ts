// How the agent's streaming API finds a pod's containers: by the pod's uid
// label in the runtime, the current instance of a container or the one
// before it (logs --previous), and the pod's ready sandbox (port-forward).

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../engine/runtime.ts';
import type { ContainerResolver } from './server/types.ts';
import { currentSandbox, podRuntimeState } from './runtimestate.ts';

export function containerResolver(runtime: Runtime, podByName: (namespace: string, name: string) => Pod | undefined): ContainerResolver {
  return async (namespace, name, container, previous) => {
    const uid = podByName(namespace, name)?.metadata?.uid;
    if (!uid) return undefined;
    const state = await podRuntimeState(runtime, uid);
    if (container === '') {
      const sb = currentSandbox(state);
      return sb ? { containerId: '', logPath: '', sandboxId: sb.id } : undefined;
    }
    const instances = state.containers.get(container) ?? [];
    const c = previous ? instances[1] : instances[0];
    return c ? { containerId: c.id, logPath: c.logPath, sandboxId: c.podSandboxId } : undefined;
  };
}
