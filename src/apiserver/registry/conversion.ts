// Versions of one resource that differ in shape share one stored form (the
// storage version); a served version converts at the edge. Only
// HorizontalPodAutoscaler needs it today: v1 is converted to and from v2.

import { hpaV1ToV2, hpaV2ToV1 } from '../../api/conversion/autoscaling.ts';
import type { ResourceInfo } from './resources.ts';

type Obj = Record<string, any>;

export interface Converter {
  /** apiVersion of the stored form. */
  storageVersion: string;
  /** The served object in storage form; `stored` is the current stored object on updates. */
  toStorage(obj: Obj, stored?: Obj): Obj;
  fromStorage(obj: Obj): Obj;
}

const hpaV1: Converter = { storageVersion: 'autoscaling/v2', toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 };

export function converterFor(info: ResourceInfo): Converter | undefined {
  if (info.group === 'autoscaling' && info.version === 'v1' && info.resource === 'horizontalpodautoscalers') return hpaV1;
  return undefined;
}
