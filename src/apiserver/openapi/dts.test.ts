import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModule, parseDeclarations } from './dts.ts';

const SOURCE = `import { ObjectMeta, Time } from "../meta/v1";
/** Thing is a test kind. */
export interface Thing {
    /** APIVersion. */
    apiVersion?: "things/v1";
    /**
     * Multi-line
     *
     * description.
     */
    count: number;
    labels?: {
        [name: string]: string;
    };
    readonly metadata?: ObjectMeta;
    port?: number | string;
    items?: Array<Time>;
    names: string[];
}
export type Alias = string;
`;

test('parses imports, interfaces, members and aliases', () => {
  const mod = parseDeclarations('things/v1', SOURCE);
  assert.equal(mod.imports.get('ObjectMeta'), 'meta/v1');
  const thing = mod.decls.get('Thing')!;
  assert.equal(thing.doc, 'Thing is a test kind.');
  const m = Object.fromEntries(thing.members!.map((x) => [x.name, x]));
  assert.deepEqual(m.apiVersion!.type, { k: 'lit', value: 'things/v1' });
  assert.equal(m.count!.optional, false);
  assert.equal(m.count!.doc, 'Multi-line\n\ndescription.');
  assert.deepEqual(m.labels!.type, { k: 'map', of: { k: 'prim', name: 'string' } });
  assert.deepEqual(m.metadata!.type, { k: 'ref', name: 'ObjectMeta' });
  assert.equal(m.port!.type.k, 'union');
  assert.deepEqual(m.items!.type, { k: 'array', of: { k: 'ref', name: 'Time' } });
  assert.deepEqual(m.names!.type, { k: 'array', of: { k: 'prim', name: 'string' } });
  assert.deepEqual(mod.decls.get('Alias')!.alias, { k: 'prim', name: 'string' });
});

test('reads the installed kubernetes-types modules', () => {
  const apps = loadModule('apps/v1');
  assert.ok(apps.decls.has('Deployment'));
  assert.equal(apps.imports.get('PodTemplateSpec'), 'core/v1');
  assert.equal(loadModule('apps/v1'), apps, 'modules are cached');
});
