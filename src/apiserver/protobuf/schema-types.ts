// The shape of the field tables in schema-*.ts.

/**
 * One protobuf field of a message: `[number, JSON name, type, flags?]`.
 *
 * - JSON name: the Go struct's `json` tag name; `''` for a field the Go type inlines
 *   (`json:",inline"`), whose JSON keys are merged into the parent object.
 * - type: a scalar (`string`, `int32`, `int64`, `uint32`, `uint64`, `bool`, `bytes`,
 *   `double`, `float`), a built-in with its own JSON form (`time`, `microtime`,
 *   `duration`, `quantity`, `intorstring`, `rawextension`, `fieldsv1`, `stringlist`),
 *   `map:<value type>` for `map<string, V>`, or a message: a bare name in the same
 *   package, or `pkg.version.Name` (`meta.v1.ObjectMeta`) in another.
 * - flags: `r` repeated, `o` the JSON tag has omitempty, `p` the Go field is a pointer
 *   (so a zero value that is present is meaningful), `i` inlined.
 */
export type FieldEntry = readonly [number: number, json: string, type: string, flags?: string];

/** The messages of one protobuf package, by short name. `pkg` is `group.version` (`apps.v1`, `core.v1`, `meta.v1`). */
export interface PackageSchema {
  readonly pkg: string;
  readonly messages: Readonly<Record<string, readonly FieldEntry[]>>;
}
