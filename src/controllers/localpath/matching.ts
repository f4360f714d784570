// Which pre-created PersistentVolume a claim binds to (the PV controller's
// findBestMatchForClaim, in small): same class, same volume mode, every
// access mode the claim asks for, enough capacity, free or reserved for this
// claim, matching the claim's selector, and fitting the node when one is
// chosen; the smallest such volume wins.

import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector } from '../../api/labels.ts';
import { parseQuantity, type Quantity } from '../../api/quantity.ts';
import { termMatches } from '../daemonset/predicates.ts';

export function requested(pvc: PersistentVolumeClaim): Quantity {
  return parseQuantity(pvc.spec?.resources?.requests?.storage ?? '0');
}

export function capacity(pv: PersistentVolume): Quantity {
  return parseQuantity(pv.spec?.capacity?.storage ?? '0');
}

/** Whether the volume's node affinity admits the node (no affinity admits every node). */
export function volumeFitsNode(pv: PersistentVolume, node: Node | undefined): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms || !node) return true;
  return terms.some((t) => termMatches(t, node));
}

export function findBestMatch(pvc: PersistentVolumeClaim, volumes: PersistentVolume[], node?: Node): PersistentVolume | undefined {
  const want = requested(pvc);
  const cls = pvc.spec?.storageClassName ?? '';
  const modes = pvc.spec?.accessModes ?? [];
  const mode = pvc.spec?.volumeMode ?? 'Filesystem';
  const selector = pvc.spec?.selector ? selectorFromLabelSelector(pvc.spec.selector) : undefined;
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    const ref = pv.spec?.claimRef;
    if (ref) {
      // Reserved for a claim: only that one (by name, and by uid when set).
      if (ref.namespace !== pvc.metadata?.namespace || ref.name !== pvc.metadata?.name) continue;
      if (ref.uid && ref.uid !== pvc.metadata?.uid) continue;
    }
    if (pv.metadata?.deletionTimestamp) continue;
    if (ref === undefined && pv.status?.phase && pv.status.phase !== 'Available' && pv.status.phase !== 'Pending') continue;
    if ((pv.spec?.storageClassName ?? '') !== cls) continue;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
    const has = pv.spec?.accessModes ?? [];
    if (!modes.every((m) => has.includes(m))) continue;
    if (selector && !selector.matches(pv.metadata?.labels)) continue;
    if (!volumeFitsNode(pv, node)) continue;
    const cap = capacity(pv);
    if (cap.cmp(want) < 0) continue;
    if (ref) return pv;
    if (!best || cap.cmp(capacity(best)) < 0) best = pv;
  }
  return best;
}
