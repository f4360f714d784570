// Shared pieces of the Table printers: the column/row types, the Name and Age
// columns every printer starts and ends with, and the cell formatters
// Kubernetes' printers share (container lists, label sets and selectors).

import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { labelSelectorToString } from '../labels.ts';
import { DOC } from './descriptions.ts';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** metav1.TableRowCondition; Kubernetes only ever sets Completed, on finished pods. */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  /** Omitted when empty, as Kubernetes' omitempty does. */
  conditions?: TableRowCondition[];
  object?: unknown;
}

/** A kind's printer: its column definitions and a function computing one row's cells. */
export interface Printer {
  columns: TableColumnDefinition[];
  /** apiVersion is the object's own, for printers that serve several versions of a kind. */
  cells(obj: any, now: Date, apiVersion: string): unknown[];
  /** Row conditions, for the kinds that have any. */
  conditions?(obj: any): TableRowCondition[] | undefined;
}

/** A column definition; format and priority default to Kubernetes' zero values. */
export function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** The Name column every built-in printer starts with. */
export const NAME_COLUMN: TableColumnDefinition = col('Name', 'string', DOC.name, 0, 'name');
/** The Age column built-in printers use: a string cell holding HumanDuration. */
export const AGE_COLUMN: TableColumnDefinition = col('Age', 'string', DOC.creationTimestamp);

export const CONTAINERS_DESC = 'Names of each container in the template.';
export const IMAGES_DESC = 'Images referenced by each container in the template.';
/** The wide columns every workload with a pod template shows. */
export const CONTAINERS_COLUMN = col('Containers', 'string', CONTAINERS_DESC, 1);
export const IMAGES_COLUMN = col('Images', 'string', IMAGES_DESC, 1);

/** layoutContainerCells: container names and images, each comma-joined. */
export function containerCells(containers: readonly { name?: string; image?: string }[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** labels.FormatLabels: "k=v" pairs sorted by key, "<none>" for an empty set. */
export function formatLabels(set: Record<string, string> | undefined | null): string {
  const keys = Object.keys(set ?? {}).sort(compareStrings);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(set as Record<string, string>)[k]}`).join(',');
}

/** The canonical string of a LabelSelector, or null when it is invalid. */
export function selectorString(ls: LabelSelector | null | undefined): string | null {
  try {
    return labelSelectorToString(ls);
  } catch {
    return null;
  }
}

/** metav1.FormatLabelSelector: "<none>" for a nil or empty selector, "<error>" for an invalid one. */
export function formatLabelSelector(ls: LabelSelector | null | undefined): string {
  const s = selectorString(ls);
  if (s === null) return '<error>';
  return s === '' ? '<none>' : s;
}

/** Go's sort.Strings order (bytewise), not localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kubernetes prints absent int32/int64 fields as their zero value. */
export function int(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : 0;
}

/** The "x + N more..." suffix the list formatters (endpoints, ports) share; "<unset>" when empty. */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** IntOrString.String(): the number in decimal or the string as is. */
export function intOrString(v: unknown): string {
  if (typeof v === 'number') return String(Math.trunc(v));
  return typeof v === 'string' ? v : '';
}
