// Compute-resource lists (requests/limits, quota hard limits, limit ranges).

import { Quantity } from '../quantity.ts';
import { invalid, required, type FieldError, type Path } from './field.ts';
import { IS_NEGATIVE } from './meta.ts';
import { isQualifiedName } from './names.ts';

export interface Qty {
  cmp(other: Qty): number;
  sign(): number;
  isZero(): boolean;
  toString(): string;
}

/** The message resource.ParseQuantity fails with; a decode error in Kubernetes. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Parses a quantity, or returns undefined when it is malformed. */
export function parseQuantity(v: unknown): Qty | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return Quantity.parse(v) as unknown as Qty;
  } catch {
    return undefined;
  }
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (n: string): boolean => n.startsWith('hugepages-');
/** Only the native compressible/incompressible resources may have requests below limits. */
const overcommitAllowed = (n: string): boolean => (!n.includes('/') || n.includes('kubernetes.io/')) && !isHugePages(n);

export function validateContainerResourceName(name: string, path: Path): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
    errs.push(invalid(path, name, 'must be a standard resource for containers'));
  }
  return errs;
}

/** Parses and checks a single quantity; returns it when usable for comparisons. */
export function checkQuantity(raw: unknown, path: Path, errs: FieldError[]): Qty | undefined {
  const q = parseQuantity(raw);
  if (!q) {
    errs.push(invalid(path, raw, QUANTITY_FORMAT_ERROR));
    return undefined;
  }
  if (q.sign() < 0) errs.push(invalid(path, q.toString(), IS_NEGATIVE));
  return q;
}

export interface ResourceRequirementsLike {
  limits?: Record<string, unknown>;
  requests?: Record<string, unknown>;
}

export function validateResourceRequirements(req: ResourceRequirementsLike | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits = new Map<string, Qty>();
  for (const [name, raw] of Object.entries(req?.limits ?? {})) {
    const p = limPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    const q = checkQuantity(raw, p, errs);
    if (q) limits.set(name, q);
  }
  for (const [name, raw] of Object.entries(req?.requests ?? {})) {
    const p = reqPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    const q = checkQuantity(raw, p, errs);
    if (!q) continue;
    const lim = limits.get(name);
    if (lim) {
      if (q.cmp(lim) !== 0 && !overcommitAllowed(name)) {
        errs.push(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
      } else if (q.cmp(lim) > 0) {
        errs.push(invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
      }
    } else if (!overcommitAllowed(name) && !(name in (req?.limits ?? {}))) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}
