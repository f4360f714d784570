// What admission plugins see and implement: Kubernetes' admission.Attributes
// and the mutating (admit) / validating (validate) interfaces.

import type { ResourceInfo } from '../registry/resources.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyObject = Record<string, any> & { metadata?: Record<string, any> };

export interface Attributes {
  operation: Operation;
  resource: ResourceInfo;
  subresource: string;
  namespace: string;
  name: string;
  object: AnyObject;
  oldObject?: AnyObject;
  dryRun: boolean;
  warn(message: string): void;
  annotate(key: string, value: string): void;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** Mutating: may change the object. Runs before validation. */
  admit?(a: Attributes): void | Promise<void>;
  /** Validating: may only refuse. Runs after the object's own validation. */
  validate?(a: Attributes): void | Promise<void>;
}
