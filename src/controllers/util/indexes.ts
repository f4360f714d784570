// The informer indexes the workload controllers read their caches by: objects
// per namespace (orphans a selector may adopt) and children per controller
// uid (what a controller owns), pods per node. Shared informers get each
// index once.

import type { Informer } from '../../client/informer.ts';
import type { KubeObject } from '../../client/rest.ts';
import { getControllerOf } from './controllerref.ts';

export const BY_NAMESPACE = 'namespace';
export const BY_CONTROLLER_UID = 'controller-uid';
/** Pods by spec.nodeName. */
export const BY_NODE = 'nodeName';

export function namespaceIndex(obj: KubeObject): string[] {
  return [obj.metadata?.namespace ?? ''];
}

export function controllerUIDIndex(obj: KubeObject): string[] {
  const ref = getControllerOf(obj);
  return ref ? [ref.uid] : [];
}

export function nodeNameIndex(obj: KubeObject & { spec?: { nodeName?: string } }): string[] {
  return obj.spec?.nodeName ? [obj.spec.nodeName] : [];
}

const INDEX_FUNCS = { [BY_NAMESPACE]: namespaceIndex, [BY_CONTROLLER_UID]: controllerUIDIndex, [BY_NODE]: nodeNameIndex };

/** Adds the named indexes the informer lacks (an informer shared between controllers may have them). */
export function addIndexes<T extends KubeObject>(informer: Informer<T>, ...names: (keyof typeof INDEX_FUNCS)[]): Informer<T> {
  for (const name of names) {
    try {
      informer.addIndex(name, INDEX_FUNCS[name]);
    } catch {
      // already there
    }
  }
  return informer;
}
