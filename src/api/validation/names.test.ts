import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  isConfigMapKey, isCIdentifier, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName,
  isRelaxedEnvVarName, isValidLabelValue, isValidPercent, isValidPortName, nameIsDNSSubdomain,
} from './names.ts';

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const KEY_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('name formats', () => {
  const rows: [string, () => string[], string[]][] = [
    ['label accepts my-name', () => isDNS1123Label('my-name'), []],
    ['label rejects capitals with the double-space example list', () => isDNS1123Label('Foo'), [LABEL_MSG]],
    ['label with dots says only that', () => isDNS1123Label('a.b'), ['must not contain dots']],
    ['label of 64 bytes is too long', () => isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']],
    ['subdomain accepts example.com', () => isDNS1123Subdomain('example.com'), []],
    ['subdomain rejects underscores', () => isDNS1123Subdomain('a_b'), [SUBDOMAIN_MSG]],
    ['subdomain of 254 bytes is too long', () => isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']],
    ['DNS-1035 rejects a leading digit', () => isDNS1035Label('1abc'), [DNS1035_MSG]],
    ['C identifier rejects a dash', () => isCIdentifier('a-b'), [
      "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')",
    ]],
    ['relaxed env names allow dashes and leading digits', () => isRelaxedEnvVarName('1-A.b'), []],
    ['relaxed env names reject =', () => isRelaxedEnvVarName('A=B'), ["a valid environment variable name must consist only of printable ASCII characters other than '='"]],
    ['strict env names reject a leading digit', () => isEnvVarName('1A'), [
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ]],
    ['qualified name accepts a prefix', () => isQualifiedName('example.com/MyName'), []],
    ['qualified name rejects a bad name part', () => isQualifiedName('a b'), [KEY_NAME_MSG]],
    ['qualified name rejects an empty prefix', () => isQualifiedName('/a'), ['prefix part must be non-empty']],
    ['qualified name rejects two slashes', () => isQualifiedName('a/b/c'), [
      "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]],
    ['label value may be empty', () => isValidLabelValue(''), []],
    ['label value of 64 bytes is too long', () => isValidLabelValue('a'.repeat(64)), ['must be no more than 63 characters']],
    ['config key rejects slashes', () => isConfigMapKey('a/b'), [
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]],
    ['config key rejects ..', () => isConfigMapKey('..a'), ["must not start with '..'"]],
    ['port names need a letter', () => isValidPortName('80'), ['must contain at least one letter (a-z)']],
    ['port names are at most 15 chars', () => isValidPortName('a'.repeat(16)), ['must be no more than 15 characters']],
    ['percent needs a % sign', () => isValidPercent('25'), [
      "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ]],
    ['generateName may end with a dash', () => nameIsDNSSubdomain('web-', true), []],
    ['a name may not end with a dash', () => nameIsDNSSubdomain('web-', false), [SUBDOMAIN_MSG]],
  ];
  for (const [name, fn, want] of rows) test(name, () => assert.deepEqual(fn(), want));
});
