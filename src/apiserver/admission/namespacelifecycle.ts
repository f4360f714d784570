// The NamespaceLifecycle admission plugin: nothing new in a namespace that
// does not exist or is terminating (the REST layer's namespace check, which
// answers NotFound or Forbidden), and the namespaces every cluster relies on
// (default, kube-system, kube-public) may not be deleted.

import * as errors from '../../api/errors.ts';
import type { AdmissionPlugin } from './types.ts';

export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceLifecycle(): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    validate(a) {
      if (a.operation === 'DELETE' && !a.resource.group && a.resource.resource === 'namespaces' && IMMORTAL_NAMESPACES.has(a.name)) {
        throw errors.forbidden({ group: '', resource: 'namespaces' }, a.name, 'this namespace may not be deleted');
      }
    },
  };
}
