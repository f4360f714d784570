import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import {
  everything,
  labelSelectorToString,
  newRequirement,
  nothing,
  parseSelector,
  Selector,
  SelectorError,
  selectorFromLabelSelector,
  selectorFromSet,
  validateLabelKey,
  validateLabelValue,
  type Operator,
} from './labels.ts';

// Kubernetes' validation messages, assembled once so the rows stay readable.
const NAME_RULE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const TOO_MANY_SLASHES =
  "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') " +
  "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const x64 = 'x'.repeat(64);

describe('parseSelector: canonical string form', () => {
  const rows: Array<[name: string, input: string, canonical: string]> = [
    ['docs: equality with spaces around =', 'environment = production', 'environment=production'],
    ['docs: inequality with spaces around !=', 'tier != frontend', 'tier!=frontend'],
    ['docs: in with a space after the comma', 'environment in (production, qa)', 'environment in (production,qa)'],
    ['docs: notin sorts its values', 'tier notin (frontend, backend)', 'tier notin (backend,frontend)'],
    ['docs: bare key means exists', 'partition', 'partition'],
    ['docs: !key means does-not-exist', '!partition', '!partition'],
    ['docs: comma is AND', 'environment=production,tier!=frontend', 'environment=production,tier!=frontend'],
    ['docs: exists combined with notin', 'partition,environment notin (qa)', 'environment notin (qa),partition'],
    ['== keeps its spelling', 'a==b', 'a==b'],
    ['gt prints as >', 'replicas>3', 'replicas>3'],
    ['lt prints as <', 'replicas<3', 'replicas<3'],
    ['gt keeps leading zeros as written', 'a>007', 'a>007'],
    ['requirements are sorted by key', 'z=1,a=2,m', 'a=2,m,z=1'],
    ['requirements on the same key keep their order', 'a!=2,a!=1', 'a!=2,a!=1'],
    ['in values are de-duplicated and sorted', 'x in (b,a,b)', 'x in (a,b)'],
    ['empty in list is the empty value', 'x in ()', 'x in ()'],
    ['empty items inside a list are the empty value', 'x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['leading comma inside a list is the empty value', 'x in (,a)', 'x in (,a)'],
    ['trailing comma inside a list is the empty value', 'x in (a,)', 'x in (,a)'],
    ['= with nothing after it is the empty value', 'a=', 'a='],
    ['= followed by a comma is the empty value', 'a=,b', 'a=,b'],
    ['in and notin are plain words as key and values', 'in in (in,notin)', 'in in (in,notin)'],
    ['notin as a value of =', 'a=notin', 'a=notin'],
    ['tabs and newlines are whitespace', '\ta\n=\r\nb ,\tc', 'a=b,c'],
    ['no whitespace needed around in', 'x in(a)', 'x in (a)'],
    ['prefixed keys', 'example.com/app=web,!kubernetes.io/os', 'example.com/app=web,!kubernetes.io/os'],
    ['sorting is by key, not by the printed requirement', '!b,a=1', 'a=1,!b'],
    ['empty string is the empty selector', '', ''],
    ['blank string is the empty selector', '   ', ''],
  ];
  for (const [name, input, canonical] of rows) {
    test(name, () => {
      const sel = parseSelector(input);
      assert.equal(sel.toString(), canonical);
      assert.equal(parseSelector(sel.toString()).toString(), canonical, 'canonical form re-parses to itself');
    });
  }
});

describe('parseSelector: requirements', () => {
  const rows: Array<[name: string, input: string, key: string, operator: Operator, values: string[]]> = [
    ['= operator', 'a=b', 'a', '=', ['b']],
    ['== operator', 'a==b', 'a', '==', ['b']],
    ['!= operator', 'a!=b', 'a', '!=', ['b']],
    ['in operator', 'a in (c,b)', 'a', 'in', ['b', 'c']],
    ['notin operator', 'a notin (c,b)', 'a', 'notin', ['b', 'c']],
    ['exists operator', 'a', 'a', 'exists', []],
    ['does-not-exist operator', '!a', 'a', '!', []],
    ['gt operator', 'a>1', 'a', 'gt', ['1']],
    ['lt operator', 'a<1', 'a', 'lt', ['1']],
  ];
  for (const [name, input, key, operator, values] of rows) {
    test(name, () => {
      assert.deepEqual(parseSelector(input).requirements, [{ key, operator, values }]);
    });
  }
});

describe('Selector.matches', () => {
  const rows: Array<[name: string, selector: string, labels: Record<string, string> | null | undefined, want: boolean]> = [
    ['docs: = matches the value', 'environment = production', { environment: 'production' }, true],
    ['docs: = rejects another value', 'environment = production', { environment: 'qa' }, false],
    ['= rejects a missing key', 'environment = production', {}, false],
    ['== matches like =', 'a==b', { a: 'b' }, true],
    ['docs: != rejects the value', 'tier != frontend', { tier: 'frontend' }, false],
    ['docs: != accepts another value', 'tier != frontend', { tier: 'backend' }, true],
    ['docs: != accepts a missing key', 'tier != frontend', {}, true],
    ['docs: in accepts a listed value', 'environment in (production, qa)', { environment: 'qa' }, true],
    ['docs: in rejects an unlisted value', 'environment in (production, qa)', { environment: 'dev' }, false],
    ['in rejects a missing key', 'environment in (production, qa)', {}, false],
    ['docs: notin rejects a listed value', 'tier notin (frontend, backend)', { tier: 'backend' }, false],
    ['docs: notin accepts an unlisted value', 'tier notin (frontend, backend)', { tier: 'cache' }, true],
    ['docs: notin accepts a missing key', 'tier notin (frontend, backend)', {}, true],
    ['docs: exists accepts any value', 'partition', { partition: 'customerA' }, true],
    ['exists accepts the empty value', 'partition', { partition: '' }, true],
    ['docs: exists rejects a missing key', 'partition', {}, false],
    ['docs: !key rejects a present key', '!partition', { partition: 'customerA' }, false],
    ['docs: !key accepts a missing key', '!partition', {}, true],
    ['docs: AND of two requirements, both hold', 'environment=production,tier!=frontend', { environment: 'production', tier: 'backend' }, true],
    ['docs: AND of two requirements, one fails', 'environment=production,tier!=frontend', { environment: 'production', tier: 'frontend' }, false],
    ['a=  matches the empty value', 'a=', { a: '' }, true],
    ['a=  does not match a missing key', 'a=', {}, false],
    ['in () matches the empty value', 'a in ()', { a: '' }, true],
    ['gt compares as integers, not strings', 'a>9', { a: '10' }, true],
    ['gt is strict', 'a>10', { a: '10' }, false],
    ['lt compares as integers', 'a<10', { a: '9' }, true],
    ['lt handles negative label values', 'a<0', { a: '-1' }, true],
    ['gt rejects a non-integer label value', 'a>1', { a: 'x' }, false],
    ['gt rejects a missing key', 'a>1', {}, false],
    ['gt handles int64 beyond double precision', 'a>9007199254740992', { a: '9007199254740993' }, true],
    ['gt rejects a label value beyond int64', 'a>1', { a: '9223372036854775808' }, false],
    ['empty selector matches no labels', '', {}, true],
    ['empty selector matches undefined labels', '', undefined, true],
    ['null labels are no labels', '!a', null, true],
    ['a key named like an Object.prototype member is not present', 'constructor', {}, false],
  ];
  for (const [name, selector, labels, want] of rows) {
    test(name, () => {
      assert.equal(parseSelector(selector).matches(labels), want);
    });
  }
});

describe('parseSelector: errors', () => {
  const rows: Array<[name: string, input: string, message: string, position: number]> = [
    ['operator where a value belongs', 'a=(', "unable to parse requirement: found '(', expected: identifier", 2],
    ['two identifiers without an operator', 'a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt", 2],
    ['! is not a binary operator', 'a!', "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt", 1],
    ['in without a list', 'a in', "unable to parse requirement: found '' expected: '('", 4],
    ['in followed by a word', 'a in b', "unable to parse requirement: found 'b' expected: '('", 5],
    ['unclosed list', 'x in (a', "unable to parse requirement: found '', expected: ',' or ')'", 7],
    ['list items without a comma', 'x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'", 8],
    ['operator inside a list', 'x in (a,=)', "unable to parse requirement: found '=', expected: ',', or identifier", 8],
    ['list opened with an operator', 'x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier", 6],
    ['lone !', '!', "unable to parse requirement: found '', expected: identifier", 1],
    ['! before an operator', '!=a', "found '!=', expected: !, identifier, or 'end of string'", 0],
    ['!key cannot take a value', '!a=b', "found '=', expected: ',' or 'end of string'", 2],
    ['value followed by a word', 'a=b c', "found 'c', expected: ',' or 'end of string'", 4],
    ['trailing comma', 'a=b,', "found '', expected: identifier after ','", 4],
    ['double comma', 'a,,b', "found ',', expected: identifier after ','", 2],
    ['leading comma', ',a', "found ',', expected: !, identifier, or 'end of string'", 0],
    ['leading operator', '=a', "found '=', expected: !, identifier, or 'end of string'", 0],
    ['=== is == followed by =', 'a===b', "unable to parse requirement: found '=', expected: identifier", 3],
    ['gt needs an integer', 'a>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer", 0],
    ['gt needs a value', 'a>', "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer", 0],
    ['bad key: empty prefix', '/a=b', `unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty`, 0],
    ['bad key: upper-case prefix and no name', 'Foo/', `unable to parse requirement: <nil>: Invalid value: "Foo/": prefix part ${SUBDOMAIN_RULE}; name part must be non-empty; name part ${NAME_RULE}`, 0],
    ['bad key: two slashes', 'a/b/c', `unable to parse requirement: <nil>: Invalid value: "a/b/c": ${TOO_MANY_SLASHES}`, 0],
    ['bad key: too long', `${x64}=a`, `unable to parse requirement: <nil>: Invalid value: "${x64}": name part must be no more than 63 characters`, 0],
    ['bad value: leading dash', 'env=-prod', `unable to parse requirement: values[0][env]: Invalid value: "-prod": ${VALUE_RULE}`, 0],
    ['bad value inside a list', 'env in (ok,no/pe)', `unable to parse requirement: values[0][env]: Invalid value: "no/pe": ${VALUE_RULE}`, 0],
    ['gt accepts Go\'s + sign but + is not a label value character', 'a>+3', `unable to parse requirement: values[0][a]: Invalid value: "+3": ${VALUE_RULE}`, 0],
    ['bad value: too long', `a=${x64}`, `unable to parse requirement: values[0][a]: Invalid value: "${x64}": must be no more than 63 characters`, 0],
  ];
  for (const [name, input, message, position] of rows) {
    test(name, () => {
      assert.throws(
        () => parseSelector(input),
        (e: unknown) => {
          assert.ok(e instanceof SelectorError);
          assert.equal(e.message, message);
          assert.equal(e.position, position);
          return true;
        },
      );
    });
  }
});

describe('selectorFromLabelSelector: metav1 semantics', () => {
  const web = { app: 'web', tier: 'frontend' };
  const rows: Array<[name: string, ls: LabelSelector | null | undefined, canonical: string, empty: boolean, matchesWeb: boolean, matchesNone: boolean]> = [
    ['null selects nothing', null, '', false, false, false],
    ['undefined selects nothing', undefined, '', false, false, false],
    ['{} selects everything', {}, '', true, true, true],
    ['empty matchLabels and matchExpressions select everything', { matchLabels: {}, matchExpressions: [] }, '', true, true, true],
    ['matchLabels is equality on each pair', { matchLabels: { tier: 'frontend', app: 'web' } }, 'app=web,tier=frontend', false, true, false],
    ['In', { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, 'app in (api,web)', false, true, false],
    ['NotIn', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, 'app notin (web)', false, false, true],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, 'tier', false, true, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, '!tier', false, false, true],
    ['Exists with an empty values list', { matchExpressions: [{ key: 'tier', operator: 'Exists', values: [] }] }, 'tier', false, true, false],
    [
      'matchLabels and expressions combine with AND, sorted by key',
      { matchLabels: { tier: 'frontend' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
      'app in (web),tier=frontend',
      false,
      true,
      false,
    ],
  ];
  for (const [name, ls, canonical, empty, matchesWeb, matchesNone] of rows) {
    test(name, () => {
      const sel = selectorFromLabelSelector(ls);
      assert.equal(sel.toString(), canonical);
      assert.equal(labelSelectorToString(ls), canonical);
      assert.equal(sel.isEmpty(), empty);
      assert.equal(sel.matches(web), matchesWeb);
      assert.equal(sel.matches({}), matchesNone);
    });
  }
});

describe('selectorFromLabelSelector: errors', () => {
  const rows: Array<[name: string, ls: LabelSelector, message: string]> = [
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }, '"Equals" is not a valid label selector operator'],
    ['operators are case-sensitive', { matchExpressions: [{ key: 'a', operator: 'in', values: ['b'] }] }, '"in" is not a valid label selector operator'],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    ['NotIn with an empty list', { matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'],
    ['DoesNotExist with values', { matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x', 'y'] }] }, 'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist'],
    ['bad matchLabels key', { matchLabels: { 'a b': 'c' } }, `key: Invalid value: "a b": name part ${NAME_RULE}`],
    ['bad matchLabels value', { matchLabels: { a: 'b c' } }, `values[0][a]: Invalid value: "b c": ${VALUE_RULE}`],
    [
      'several problems are reported together in brackets',
      { matchExpressions: [{ key: 'a b', operator: 'Exists', values: ['x y'] }] },
      `[key: Invalid value: "a b": name part ${NAME_RULE}, values: Invalid value: []string{"x y"}: values set must be empty for exists and does not exist, values[0][a b]: Invalid value: "x y": ${VALUE_RULE}]`,
    ],
  ];
  for (const [name, ls, message] of rows) {
    test(name, () => {
      assert.throws(() => selectorFromLabelSelector(ls), (e: unknown) => e instanceof SelectorError && e.message === message);
      assert.throws(() => labelSelectorToString(ls), SelectorError);
    });
  }
});

describe('newRequirement', () => {
  const rows: Array<[name: string, key: string, op: Operator, values: string[], error: string | undefined]> = [
    ['= with one value is valid', 'a', '=', ['b'], undefined],
    ['= needs exactly one value', 'a', '=', ['b', 'c'], 'values: Invalid value: []string{"b", "c"}: exact-match compatibility requires one single value'],
    ['!= needs a value', 'a', '!=', [], 'values: Invalid value: []string(nil): exact-match compatibility requires one single value'],
    ['gt needs exactly one value', 'a', 'gt', ['1', '2'], "values: Invalid value: []string{\"1\", \"2\"}: for 'Gt', 'Lt' operators, exactly one value is required"],
    ['lt needs an integer', 'a', 'lt', ['1.5'], "values[0]: Invalid value: \"1.5\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['lt rejects an integer beyond int64', 'a', 'lt', ['9223372036854775808'], "values[0]: Invalid value: \"9223372036854775808\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['unknown operator', 'a', 'like' as Operator, [], 'operator: Unsupported value: "like": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"'],
    ['bad key uses Go quoting', 'a"b', 'exists', [], `key: Invalid value: "a\\"b": name part ${NAME_RULE}`],
  ];
  for (const [name, key, op, values, error] of rows) {
    test(name, () => {
      if (error === undefined) assert.deepEqual(newRequirement(key, op, values), { key, operator: op, values });
      else assert.throws(() => newRequirement(key, op, values), (e: unknown) => e instanceof SelectorError && e.message === error);
    });
  }
});

describe('selectorFromSet', () => {
  const rows: Array<[name: string, set: Record<string, string> | null | undefined, canonical: string, empty: boolean]> = [
    ['undefined is everything', undefined, '', true],
    ['null is everything', null, '', true],
    ['{} is everything', {}, '', true],
    ['pairs become sorted equality requirements', { b: '2', a: '1' }, 'a=1,b=2', false],
    ['no validation, as in Kubernetes', { 'not a key': 'x y' }, 'not a key=x y', false],
  ];
  for (const [name, set, canonical, empty] of rows) {
    test(name, () => {
      const sel = selectorFromSet(set);
      assert.equal(sel.toString(), canonical);
      assert.equal(sel.isEmpty(), empty);
      assert.equal(sel.matches(set ?? {}), true);
    });
  }
  test('a missing pair fails the match', () => {
    assert.equal(selectorFromSet({ a: '1', b: '2' }).matches({ a: '1' }), false);
  });
});

describe('everything and nothing', () => {
  const rows: Array<[name: string, sel: Selector, empty: boolean, matchesSome: boolean, matchesNone: boolean]> = [
    ['everything is empty and matches all', everything, true, true, true],
    ['nothing is not empty and matches none', nothing, false, false, false],
    ['a fresh Selector with no requirements is everything', new Selector(), true, true, true],
  ];
  for (const [name, sel, empty, matchesSome, matchesNone] of rows) {
    test(name, () => {
      assert.equal(sel.isEmpty(), empty);
      assert.equal(sel.matches({ a: 'b' }), matchesSome);
      assert.equal(sel.matches(undefined), matchesNone);
      assert.equal(sel.toString(), '');
      assert.equal(sel.equalityRequirements(), undefined);
    });
  }
});

describe('equalityRequirements and requiresExactMatch', () => {
  const rows: Array<[name: string, selector: string, equality: Record<string, string> | undefined, exactKey: string, exact: string | undefined]> = [
    ['= and == are collected', 'a=1,b==2,c!=3,d in (4),e', { a: '1', b: '2' }, 'a', '1'],
    ['!= is not exact', 'c!=3', undefined, 'c', undefined],
    ['set-based only gives no map', 'd in (4),e,!f', undefined, 'd', '4'],
    ['in with two values is not exact', 'd in (4,5)', undefined, 'd', undefined],
    ['the empty value is still exact', 'a=', { a: '' }, 'a', ''],
    ['only the first requirement on a key counts for requiresExactMatch', 'a!=1,a=2', { a: '2' }, 'a', undefined],
    ['an absent key is not exact', 'a=1', { a: '1' }, 'z', undefined],
  ];
  for (const [name, selector, equality, exactKey, exact] of rows) {
    test(name, () => {
      const sel = parseSelector(selector);
      assert.deepEqual(sel.equalityRequirements(), equality);
      assert.equal(sel.requiresExactMatch(exactKey), exact);
    });
  }
});

describe('validateLabelKey', () => {
  const rows: Array<[name: string, key: string, problems: string[]]> = [
    ['simple name', 'app', []],
    ['dots, dashes and underscores inside', 'my_app.v-1', []],
    ['upper case is allowed in the name', 'MyName', []],
    ['DNS subdomain prefix', 'app.kubernetes.io/name', []],
    ['63-character name', 'a'.repeat(63), []],
    ['253-character prefix', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}/n`, []],
    ['empty key', '', ['name part must be non-empty', `name part ${NAME_RULE}`]],
    ['64-character name', x64, ['name part must be no more than 63 characters']],
    ['name starting with a dash', '-app', [`name part ${NAME_RULE}`]],
    ['name ending with a dot', 'app.', [`name part ${NAME_RULE}`]],
    ['empty prefix', '/app', ['prefix part must be non-empty']],
    ['empty name after a prefix', 'example.com/', ['name part must be non-empty', `name part ${NAME_RULE}`]],
    ['upper-case prefix', 'Example.com/app', [`prefix part ${SUBDOMAIN_RULE}`]],
    ['254-character prefix', `${'a'.repeat(254)}/n`, ['prefix part must be no more than 253 characters']],
    ['two slashes', 'a/b/c', [TOO_MANY_SLASHES]],
  ];
  for (const [name, key, problems] of rows) {
    test(name, () => assert.deepEqual(validateLabelKey(key), problems));
  }
});

describe('validateLabelValue', () => {
  const rows: Array<[name: string, value: string, problems: string[]]> = [
    ['empty value is valid', '', []],
    ['simple value', 'production', []],
    ['single character', 'a', []],
    ['63 characters', 'a'.repeat(63), []],
    ['64 characters', x64, ['must be no more than 63 characters']],
    ['slash is not allowed', 'a/b', [VALUE_RULE]],
    ['space is not allowed', 'a b', [VALUE_RULE]],
    ['must end alphanumeric', 'a_', [VALUE_RULE]],
    ['length counts UTF-8 bytes', 'é'.repeat(32), ['must be no more than 63 characters', VALUE_RULE]],
  ];
  for (const [name, value, problems] of rows) {
    test(name, () => assert.deepEqual(validateLabelValue(value), problems));
  }
});
