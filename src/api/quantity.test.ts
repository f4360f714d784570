import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Quantity,
  QuantityError,
  parseQuantity,
  quantityCmp,
  QUANTITY_ERR_FORMAT,
  QUANTITY_ERR_NUMERIC,
  QUANTITY_ERR_SUFFIX,
} from './quantity.ts';
import type { QuantityFormat } from './quantity.ts';

// [row name, input, what Kubernetes' String() prints, format after parsing]
const printed: Array<[string, string, string, QuantityFormat]> = [
  // Zeros never carry a suffix.
  ['plain zero', '0', '0', 'DecimalSI'],
  ['zero with nano suffix prints bare', '0n', '0', 'DecimalSI'],
  ['zero with milli suffix prints bare', '0m', '0', 'DecimalSI'],
  ['zero Ki keeps BinarySI but prints bare', '0Ki', '0', 'BinarySI'],
  ['zero Ti keeps BinarySI', '0Ti', '0', 'BinarySI'],
  ['negative zero prints without sign', '-0', '0', 'DecimalSI'],
  ['zero with fraction digits', '0.000', '0', 'DecimalSI'],
  ['many leading zeros of zero', '000', '0', 'DecimalSI'],

  // Every binary suffix.
  ['Ki', '1Ki', '1Ki', 'BinarySI'],
  ['multiple of 8 Ki re-rendered to the same text', '8Ki', '8Ki', 'BinarySI'],
  ['Mi', '7Mi', '7Mi', 'BinarySI'],
  ['Gi', '6Gi', '6Gi', 'BinarySI'],
  ['Ti', '5Ti', '5Ti', 'BinarySI'],
  ['Pi', '4Pi', '4Pi', 'BinarySI'],
  ['Ei', '3Ei', '3Ei', 'BinarySI'],
  ['100Ti stays Ti', '100Ti', '100Ti', 'BinarySI'],
  ['1024Mi moves up to Gi', '1024Mi', '1Gi', 'BinarySI'],
  ['2048Ki moves up to Mi', '2048Ki', '2Mi', 'BinarySI'],
  ['1032Ki is not a whole Mi', '1032Ki', '1032Ki', 'BinarySI'],
  ['1025Ki is not a whole Mi', '1025Ki', '1025Ki', 'BinarySI'],
  ['1.5Gi becomes 1536Mi', '1.5Gi', '1536Mi', 'BinarySI'],
  ['0.5Mi becomes 512Ki', '0.5Mi', '512Ki', 'BinarySI'],
  ['binary below 1024 prints in DecimalSI', '0.5Ki', '512', 'BinarySI'],
  ['binary with no whole 1024 factor prints bare', '1.5Ki', '1536', 'BinarySI'],
  ['1025 bytes in binary prints bare', '1.0009765625Ki', '1025', 'BinarySI'],
  ['fractional bytes print in DecimalSI', '100.035Ki', '102435840m', 'BinarySI'],
  ['fractional Gi prints milli', '0.05Gi', '53687091200m', 'BinarySI'],
  ['fractional Ti prints milli', '0.025Ti', '27487790694400m', 'BinarySI'],
  ['1.024 bytes keeps BinarySI but prints milli', '.001Ki', '1024m', 'BinarySI'],
  ['sub-byte binary becomes DecimalSI', '.000001Ki', '1024u', 'DecimalSI'],
  ['sub-byte binary in nano becomes DecimalSI', '.000000001Ki', '1024n', 'DecimalSI'],
  ['negative binary', '-1Ki', '-1Ki', 'BinarySI'],
  ['negative fractional binary', '-1.5Gi', '-1536Mi', 'BinarySI'],
  ['negative binary just above -1024 prints decimal', '-0.5Ki', '-512', 'BinarySI'],

  // Every decimal suffix.
  ['nano', '5n', '5n', 'DecimalSI'],
  ['micro', '4u', '4u', 'DecimalSI'],
  ['milli', '3m', '3m', 'DecimalSI'],
  ['bare integer', '9', '9', 'DecimalSI'],
  ['kilo', '8k', '8k', 'DecimalSI'],
  ['50k keeps its suffix', '50k', '50k', 'DecimalSI'],
  ['mega', '7M', '7M', 'DecimalSI'],
  ['giga', '6G', '6G', 'DecimalSI'],
  ['tera', '5T', '5T', 'DecimalSI'],
  ['300T keeps its suffix', '300T', '300T', 'DecimalSI'],
  ['peta', '2P', '2P', 'DecimalSI'],
  ['exa', '1E', '1E', 'DecimalSI'],
  ['12 exa', '12E', '12E', 'DecimalSI'],
  ['1000m is 1', '1000m', '1', 'DecimalSI'],
  ['1000M is 1G', '1000M', '1G', 'DecimalSI'],
  ['1500m stays milli', '1500m', '1500m', 'DecimalSI'],
  ['0.1 is 100m', '0.1', '100m', 'DecimalSI'],
  ['1.5 is 1500m', '1.5', '1500m', 'DecimalSI'],
  ['9.01 is 9010m', '9.01', '9010m', 'DecimalSI'],
  ['0.001 is 1m', '0.001', '1m', 'DecimalSI'],
  ['leading point', '.001', '1m', 'DecimalSI'],
  ['leading point with kilo', '.0001k', '100m', 'DecimalSI'],
  ['0.0005k is 500m', '0.0005k', '500m', 'DecimalSI'],
  ['trailing zeros after the point do not matter', '0.50000', '500m', 'DecimalSI'],
  ['8.1k is 8100', '8.1k', '8100', 'DecimalSI'],
  ['2.5P is 2500T', '2.5P', '2500T', 'DecimalSI'],
  ['1.01E is 1010P', '1.01E', '1010P', 'DecimalSI'],
  ['fraction finer than milli uses micro', '1.0001', '1000100u', 'DecimalSI'],
  ['fraction finer than micro uses nano', '1.0000001', '1000000100n', 'DecimalSI'],
  ['negative integer', '-1', '-1', 'DecimalSI'],
  ['negative milli', '-100m', '-100m', 'DecimalSI'],
  ['negative fraction', '-1.5', '-1500m', 'DecimalSI'],
  ['leading plus dropped when re-rendered', '+1.5', '1500m', 'DecimalSI'],
  ['decimal is not capped at int64', '18446744073709551616', '18446744073709551616', 'DecimalSI'],
  ['decimal beyond E falls back to an exponent', '1000E', '1e21', 'DecimalSI'],
  ['5000E falls back to an exponent', '5000E', '5e21', 'DecimalSI'],

  // Exponents.
  ['e exponent', '1e3', '1e3', 'DecimalExponent'],
  ['2e3 stays 2e3', '2e3', '2e3', 'DecimalExponent'],
  ['E exponent with sign', '1E6', '1E6', 'DecimalExponent'],
  ['e9', '1e9', '1e9', 'DecimalExponent'],
  ['exponent not a multiple of 3 moves down', '1e14', '100e12', 'DecimalExponent'],
  ['e13 moves down', '1e13', '10e12', 'DecimalExponent'],
  ['fractional exponent value 1.5e3 is 1500', '1.5e3', '1500', 'DecimalExponent'],
  ['1.2e3 is 1200', '1.2e3', '1200', 'DecimalExponent'],
  ['1.3E+6 is 1300e3', '1.3E+6', '1300e3', 'DecimalExponent'],
  ['1.40e9 is 1400e6', '1.40e9', '1400e6', 'DecimalExponent'],
  ['1.53E12 is 1530e9', '1.53E12', '1530e9', 'DecimalExponent'],
  ['negative exponent', '1e-3', '1e-3', 'DecimalExponent'],
  ['0.5e0 is 500e-3', '0.5e0', '500e-3', 'DecimalExponent'],
  ['0.5e-2 is 5e-3', '0.5e-2', '5e-3', 'DecimalExponent'],
  ['0.08e0 is 80e-3', '0.08e0', '80e-3', 'DecimalExponent'],
  ['12e-1 is 1200e-3', '12e-1', '1200e-3', 'DecimalExponent'],
  ['300e6 stays', '300e6', '300e6', 'DecimalExponent'],
  ['exponent beyond E stays an exponent', '1e21', '1e21', 'DecimalExponent'],
  ['exponent of a whole number with no factor of 1000', '1.0010e3', '1001', 'DecimalExponent'],

  // Rounding to nano, away from zero.
  ['3.001n rounds up to 4n', '3.001n', '4n', 'DecimalSI'],
  ['1.1E-9 rounds up to 2e-9', '1.1E-9', '2e-9', 'DecimalExponent'],
  ['tenth of a nano rounds up to 1n', '0.0000000001', '1n', 'DecimalSI'],
  ['half a nano rounds up to 1n', '0.0000000005', '1n', 'DecimalSI'],
  ['0.5e-9 rounds up to 1e-9', '0.5e-9', '1e-9', 'DecimalExponent'],
  ['0.9n rounds up to 1n', '0.9n', '1n', 'DecimalSI'],
  ['0.00000012345 rounds up to 124n', '0.00000012345', '124n', 'DecimalSI'],
  ['0.00000012354 rounds up to 124n', '0.00000012354', '124n', 'DecimalSI'],
  ['negative sub-nano rounds away from zero', '-0.9n', '-1n', 'DecimalSI'],
  ['a huge negative exponent still rounds to 1e-9', '1e-9999', '1e-9', 'DecimalExponent'],
  ['1e-12 Ki is 2n and DecimalSI', '.000000000001Ki', '2n', 'DecimalSI'],

  // Binary quantities are capped at 2^63-1.
  ['9Ei is capped', '9Ei', '9223372036854775807', 'BinarySI'],
  ['8Ei is capped', '8Ei', '9223372036854775807', 'BinarySI'],
  ['int64-max Ki is capped', '9223372036854775807Ki', '9223372036854775807', 'BinarySI'],
  ['negative binary is capped too', '-9Ei', '-9223372036854775807', 'BinarySI'],
  ['7Ei is below the cap', '7Ei', '7Ei', 'BinarySI'],
];

describe('parse and print', () => {
  for (const [name, input, out, format] of printed) {
    test(`${name}: ${JSON.stringify(input)} -> ${JSON.stringify(out)}`, () => {
      const q = Quantity.parse(input);
      assert.equal(q.toString(), out);
      assert.equal(q.toJSON(), out);
      assert.equal(q.format, format);
    });
  }
});

describe('printed text re-parses to the same value and text', () => {
  for (const [name, input] of printed) {
    test(name, () => {
      const q = Quantity.parse(input);
      const again = Quantity.parse(q.toString());
      assert.equal(again.cmp(q), 0);
      assert.equal(again.toString(), q.toString());
      assert.equal(Quantity.parse(q.canonical()).canonical(), q.canonical());
    });
  }
});

// Kubernetes echoes the input instead of re-rendering it when its fast path
// judges the text canonical; the judgement lets some odd spellings through.
// [row name, input, String(), canonical()]
const remembered: Array<[string, string, string, string]> = [
  ['leading plus is echoed', '+1', '+1', '1'],
  ['leading zero is echoed', '01', '01', '1'],
  ['trailing point is echoed', '1.', '1.', '1'],
  ['trailing point before a suffix is echoed', '1.G', '1.G', '1G'],
  ['fraction that fills the suffix is echoed', '1.500k', '1.500k', '1500'],
  ['10.035M is echoed', '10.035M', '10.035M', '10035k'],
  ['100.035k is echoed', '100.035k', '100.035k', '100035'],
  ['5.444T is echoed', '5.444T', '5.444T', '5444G'],
  ['fraction that fills the exponent is echoed', '1.001e3', '1.001e3', '1001'],
  ['explicit plus in the exponent is echoed', '1e+3', '1e+3', '1e3'],
  ['capital E exponent is echoed', '1E-3', '1E-3', '1e-3'],
  ['leading plus on binary is echoed', '+1Ki', '+1Ki', '1Ki'],
  ['leading zero on binary is echoed', '01Ki', '01Ki', '1Ki'],
  ['trailing 000 is re-rendered', '1000', '1k', '1k'],
  ['multiple-of-8 binary is re-rendered', '+8Ki', '8Ki', '8Ki'],
  ['leading zero fraction is re-rendered', '0.5', '500m', '500m'],
  ['fraction below nano is re-rendered', '1.5n', '2n', '2n'],
];

describe('input text Kubernetes echoes back', () => {
  for (const [name, input, str, canonical] of remembered) {
    test(`${name}: ${JSON.stringify(input)}`, () => {
      const q = Quantity.parse(input);
      assert.equal(q.toString(), str);
      assert.equal(q.canonical(), canonical);
      assert.equal(JSON.stringify({ q }), JSON.stringify({ q: str }));
    });
  }

  test('arithmetic forgets the echoed text', () => {
    assert.equal(Quantity.parse('+1').add(Quantity.parse('0')).toString(), '1');
    assert.equal(Quantity.parse('+1').neg().toString(), '-1');
  });
});

// [row name, input, Kubernetes' reason]
const rejected: Array<[string, string, string]> = [
  ['empty string', '', QUANTITY_ERR_FORMAT],
  ['two decimal points', '1.2.3', QUANTITY_ERR_FORMAT],
  ['unknown suffix letter', '1Qi', QUANTITY_ERR_FORMAT],
  ['letters only', 'abc', QUANTITY_ERR_FORMAT],
  ['letters only (Kubernetes test)', 'aoeu', QUANTITY_ERR_FORMAT],
  ['space before the suffix', '1 Gi', QUANTITY_ERR_FORMAT],
  ['leading whitespace', ' 1', QUANTITY_ERR_FORMAT],
  ['trailing whitespace', '1 ', QUANTITY_ERR_FORMAT],
  ['double sign', '--1', QUANTITY_ERR_SUFFIX],
  ['suffix with no number', 'Ki', QUANTITY_ERR_FORMAT],
  ['lone point', '.', QUANTITY_ERR_FORMAT],
  ['lone sign', '-', QUANTITY_ERR_FORMAT],
  ['exponent with no number', 'e3', QUANTITY_ERR_FORMAT],
  ['point after a suffix', '1.1.M', QUANTITY_ERR_FORMAT],
  ['sum expression', '1+1.0M', QUANTITY_ERR_FORMAT],
  ['milli plus binary marker', '0.1mi', QUANTITY_ERR_SUFFIX],
  ['unknown letter before a suffix', '0.1am', QUANTITY_ERR_FORMAT],
  ['bare binary marker', '1i', QUANTITY_ERR_SUFFIX],
  ['bare binary marker after a point', '.5i', QUANTITY_ERR_SUFFIX],
  ['negative bare binary marker', '-3.01i', QUANTITY_ERR_SUFFIX],
  ['exponent sign without digits', '-3.01e-', QUANTITY_ERR_SUFFIX],
  ['bare e', '1e', QUANTITY_ERR_SUFFIX],
  ['lower-case ki', '1ki', QUANTITY_ERR_SUFFIX],
  ['byte unit', '1KiB', QUANTITY_ERR_FORMAT],
  ['doubled suffix', '1mm', QUANTITY_ERR_SUFFIX],
  ['fractional exponent', '1e1.5', QUANTITY_ERR_FORMAT],
  ['exponent too large for int64', '1e9223372036854775808', QUANTITY_ERR_SUFFIX],
  ['exponent too large to compute with', '1e99999', QUANTITY_ERR_SUFFIX],
  ['comma as decimal point', '1,5', QUANTITY_ERR_FORMAT],
  ['hex literal', '0x10', QUANTITY_ERR_FORMAT],
  ['digit separator', '1_000', QUANTITY_ERR_FORMAT],
  ['Infinity as text', 'Infinity', QUANTITY_ERR_FORMAT],
  ['full-width digit', '\uff11', QUANTITY_ERR_FORMAT],
];

describe('bad input', () => {
  for (const [name, input, reason] of rejected) {
    test(`${name}: ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => Quantity.parse(input),
        (err: unknown) => {
          assert.ok(err instanceof QuantityError);
          assert.equal(err.input, input);
          assert.equal(err.reason, reason);
          assert.ok(err.message.includes(JSON.stringify(input)), err.message);
          assert.ok(err.message.includes(reason), err.message);
          return true;
        },
      );
    });
  }
});

// [row name, number, String()]
const numbers: Array<[string, number, string]> = [
  ['integer number', 1024, '1024'],
  ['fractional number', 1.5, '1500m'],
  ['one tenth', 0.1, '100m'],
  ['negative number', -2, '-2'],
  ['zero', 0, '0'],
  ['negative zero', -0, '0'],
  ['number JS prints with e+', 1e21, '1e21'],
  ['number JS prints with e-', 1e-7, '100e-9'],
];

describe('number input', () => {
  for (const [name, n, out] of numbers) {
    test(`${name}: ${n}`, () => {
      assert.equal(Quantity.parse(n).toString(), out);
      assert.equal(parseQuantity(n).toString(), out);
    });
  }
  for (const n of [NaN, Infinity, -Infinity]) {
    test(`non-finite ${n} is refused`, () => {
      assert.throws(() => Quantity.parse(n), (err: unknown) => {
        assert.ok(err instanceof QuantityError);
        assert.equal(err.reason, QUANTITY_ERR_NUMERIC);
        return true;
      });
    });
  }
});

// Plain unary minus turns 0 into -0, which strict assertions tell apart.
const negate = (n: -1 | 0 | 1): -1 | 0 | 1 => (n === 0 ? 0 : n === 1 ? -1 : 1);

// [row name, a, b, a.cmp(b)]
const comparisons: Array<[string, string, string, -1 | 0 | 1]> = [
  ['zero equals zero', '0', '0', 0],
  ['zero equals zero in another suffix', '0Ki', '0m', 0],
  ['more milli', '100m', '50m', 1],
  ['fewer milli', '50m', '100m', -1],
  ['10000T is more than 100Gi', '10000T', '100Gi', 1],
  ['0.1 equals 100m', '0.1', '100m', 0],
  ['1Ki equals 1024', '1Ki', '1024', 0],
  ['1k is less than 1Ki', '1k', '1Ki', -1],
  ['1Gi is more than 1G', '1Gi', '1G', 1],
  ['1e3 equals 1k', '1e3', '1k', 0],
  ['negative is less than positive', '-1', '1', -1],
  ['one nano is more than zero', '1n', '0', 1],
  ['minus one nano is less than zero', '-1n', '0', -1],
  ['1E is less than 1Ei', '1E', '1Ei', -1],
  ['capped binary values are equal', '9Ei', '8Ei', 0],
  ['uncapped decimal exceeds capped binary', '18446744073709551616', '9Ei', 1],
  ['sub-nano inputs round to the same nano', '0.1n', '1n', 0],
  ['more negative is less', '-2Gi', '-1Gi', -1],
  ['1.5Gi equals 1536Mi', '1.5Gi', '1536Mi', 0],
  ['1e21 equals 1000E', '1e21', '1000E', 0],
];

describe('cmp', () => {
  for (const [name, a, b, want] of comparisons) {
    test(`${name}: ${a} vs ${b}`, () => {
      assert.equal(Quantity.parse(a).cmp(Quantity.parse(b)), want);
      assert.equal(Quantity.parse(b).cmp(Quantity.parse(a)), negate(want));
      assert.equal(quantityCmp(a, b), want);
      assert.equal(Quantity.parse(a).equals(Quantity.parse(b)), want === 0);
    });
  }
});

// [row name, a, operator, b, String() of the result, format of the result]
const arithmetic: Array<[string, string, 'add' | 'sub', string, string, QuantityFormat]> = [
  ['1Ki+1Ki keeps BinarySI', '1Ki', 'add', '1Ki', '2Ki', 'BinarySI'],
  ['decimal plus decimal', '10', 'add', '1e1', '20', 'DecimalSI'],
  ['decimal receiver keeps DecimalSI', '10', 'add', '1Ki', '1034', 'DecimalSI'],
  ['binary receiver keeps BinarySI', '1Ki', 'add', '10', '1034', 'BinarySI'],
  ['zero receiver takes the other format (milli)', '0', 'add', '100m', '100m', 'DecimalSI'],
  ['zero receiver takes the other format (binary)', '0', 'add', '1Gi', '1Gi', 'BinarySI'],
  ['adding zero keeps the suffix', '1Gi', 'add', '0', '1Gi', 'BinarySI'],
  ['subtracting zero keeps the suffix', '100m', 'sub', '0', '100m', 'DecimalSI'],
  ['zero minus binary is negative binary', '0', 'sub', '1Gi', '-1Gi', 'BinarySI'],
  ['zero minus milli is negative milli', '0', 'sub', '100m', '-100m', 'DecimalSI'],
  ['decimal plus binary prints milli', '100m', 'add', '1Gi', '1073741824100m', 'DecimalSI'],
  ['binary with a fraction prints milli but stays BinarySI', '1Gi', 'add', '100m', '1073741824100m', 'BinarySI'],
  ['equal values cancel', '1', 'sub', '1', '0', 'DecimalSI'],
  ['subtraction goes negative', '1', 'sub', '2', '-1', 'DecimalSI'],
  ['two halves make one', '500m', 'add', '500m', '1', 'DecimalSI'],
  ['fractional binary sums to a whole Gi', '1.5Gi', 'add', '512Mi', '2Gi', 'BinarySI'],
  ['exponent format kept', '1e3', 'add', '1', '1001', 'DecimalExponent'],
  ['exponent plus exponent', '1e3', 'add', '1e3', '2e3', 'DecimalExponent'],
  ['nano precision survives addition', '1n', 'add', '1', '1000000001n', 'DecimalSI'],
  ['sums may exceed the binary cap', '9Ei', 'add', '9Ei', '18446744073709551614', 'BinarySI'],
  ['binary subtraction', '1Gi', 'sub', '512Mi', '512Mi', 'BinarySI'],
  ['negative result below -1024 stays binary', '1Ki', 'sub', '3Ki', '-2Ki', 'BinarySI'],
];

describe('add and sub', () => {
  for (const [name, a, op, b, out, format] of arithmetic) {
    test(`${name}: ${a} ${op} ${b}`, () => {
      const qa = Quantity.parse(a);
      const qb = Quantity.parse(b);
      const r = op === 'add' ? qa.add(qb) : qa.sub(qb);
      assert.equal(r.toString(), out);
      assert.equal(r.format, format);
      // Operands are values, not accumulators.
      assert.equal(qa.toString(), Quantity.parse(a).toString());
      assert.equal(qb.toString(), Quantity.parse(b).toString());
    });
  }
});

// [row name, input, String() after neg(), format]
const negations: Array<[string, string, string, QuantityFormat]> = [
  ['binary negates to binary', '1Ki', '-1Ki', 'BinarySI'],
  ['fraction negates', '9.01', '-9010m', 'DecimalSI'],
  ['negative negates to positive', '-10', '10', 'DecimalSI'],
  ['zero stays zero', '0', '0', 'DecimalSI'],
  ['exponent format kept', '2e3', '-2e3', 'DecimalExponent'],
];

describe('neg', () => {
  for (const [name, input, out, format] of negations) {
    test(`${name}: ${input}`, () => {
      const q = Quantity.parse(input).neg();
      assert.equal(q.toString(), out);
      assert.equal(q.format, format);
      assert.equal(q.neg().cmp(Quantity.parse(input)), 0);
    });
  }
});

// [row name, input, sign(), isZero()]
const signs: Array<[string, string, -1 | 0 | 1, boolean]> = [
  ['zero', '0', 0, true],
  ['zero binary', '0Ki', 0, true],
  ['negative zero', '-0.0', 0, true],
  ['tiny positive', '1n', 1, false],
  ['rounded-up sub-nano is not zero', '0.0000000001', 1, false],
  ['negative binary', '-1Ki', -1, false],
];

describe('sign and isZero', () => {
  for (const [name, input, sign, zero] of signs) {
    test(`${name}: ${input}`, () => {
      const q = Quantity.parse(input);
      assert.equal(q.sign(), sign);
      assert.equal(q.isZero(), zero);
    });
  }
});

// [row name, input, value(), milliValue()]
const integers: Array<[string, string, number, number]> = [
  ['whole number', '1', 1, 1000],
  ['fraction rounds up', '1.5', 2, 1500],
  ['100m is 1 whole unit', '100m', 1, 100],
  ['a nano is 1 unit and 1 milli', '1n', 1, 1],
  ['zero', '0', 0, 0],
  ['Ki', '1Ki', 1024, 1024000],
  ['Gi', '1Gi', 1073741824, 1073741824000],
  ['exponent', '1e3', 1000, 1000000],
  ['half a Ki', '0.5Ki', 512, 512000],
  ['9.01 rounds up', '9.01', 10, 9010],
  ['just over a milli rounds milli up', '1.0001m', 1, 2],
  ['negative fraction rounds away from zero', '-1.5', -2, -1500],
  ['negative milli rounds away from zero', '-100m', -1, -100],
  ['negative nano rounds away from zero', '-1n', -1, -1],
];

describe('value and milliValue', () => {
  for (const [name, input, value, milli] of integers) {
    test(`${name}: ${input}`, () => {
      const q = Quantity.parse(input);
      assert.equal(q.value(), value);
      assert.equal(q.milliValue(), milli);
    });
  }
});

// [row name, input, scale, scaledValue(scale)]
const scaled: Array<[string, string, number, bigint]> = [
  ['one in nanos', '1', -9, 1_000_000_000n],
  ['a nano in whole units', '1n', 0, 1n],
  ['1.5k in thousands rounds up', '1.5k', 3, 2n],
  ['1G in millions', '1G', 6, 1000n],
  ['capped binary in milli is exact as a bigint', '9Ei', -3, 9_223_372_036_854_775_807_000n],
];

describe('scaledValue', () => {
  for (const [name, input, scale, want] of scaled) {
    test(`${name}: ${input} at 10^${scale}`, () => {
      const q = Quantity.parse(input);
      assert.equal(q.scaledBigInt(scale), want);
      assert.equal(q.scaledValue(scale), Number(want));
    });
  }
});

// [row name, input, asApproximateFloat64()]
const floats: Array<[string, string, number]> = [
  ['2Ki', '2Ki', 2048],
  ['1.1Ki', '1.1Ki', 1126.4],
  ['1Mi', '1Mi', 1048576],
  ['2Gi', '2Gi', 2147483648],
  ['100m', '100m', 0.1],
  ['negative fraction', '-1.5', -1.5],
  ['zero', '0', 0],
  ['beyond float range is infinite', '12e500', Infinity],
  ['beyond float range negative', '-12e500', -Infinity],
  ['capped binary', '9Ei', 9223372036854775807],
];

describe('asApproximateFloat64', () => {
  for (const [name, input, want] of floats) {
    test(`${name}: ${input}`, () => {
      assert.equal(Quantity.parse(input).asApproximateFloat64(), want);
    });
  }
});

// [row name, value, scale, format, String()]
const constructed: Array<[string, bigint | number, number, QuantityFormat, string]> = [
  ['NewQuantity 1000 DecimalSI', 1000, 0, 'DecimalSI', '1k'],
  ['NewQuantity 1234000 DecimalSI', 1234000, 0, 'DecimalSI', '1234k'],
  ['NewQuantity 1024 BinarySI', 1024, 0, 'BinarySI', '1Ki'],
  ['NewQuantity 1Mi BinarySI', 1024 * 1024, 0, 'BinarySI', '1Mi'],
  ['NewQuantity 1e6 DecimalExponent', 1000000, 0, 'DecimalExponent', '1e6'],
  ['NewMilliQuantity 1', 1, -3, 'DecimalSI', '1m'],
  ['NewMilliQuantity 1000', 1000, -3, 'DecimalSI', '1'],
  ['NewMilliQuantity 1024 binary prints milli', 1024, -3, 'BinarySI', '1024m'],
  ['NewScaledQuantity 1000 nano', 1000, -9, 'DecimalSI', '1u'],
  ['NewScaledQuantity zero', 0, -9, 'DecimalSI', '0'],
  ['below nano is not rounded, printed as an exponent', 1, -12, 'DecimalSI', '1e-12'],
  // Kubernetes has no suffix past Ei and would print "1"; Skiff stays truthful.
  ['2^70 binary stays in Ei', 2n ** 70n, 0, 'BinarySI', '1024Ei'],
];

describe('fromScaled', () => {
  for (const [name, value, scale, format, out] of constructed) {
    test(name, () => {
      const q = Quantity.fromScaled(value, scale, format);
      assert.equal(q.toString(), out);
      assert.equal(q.format, format);
    });
  }
  test('refuses an unsafe integer', () => {
    assert.throws(() => Quantity.fromScaled(2 ** 60), RangeError);
  });
});

describe('examples from the Kubernetes documentation', () => {
  // "Resource Management for Pods and Containers": these are roughly the same memory.
  const memory = ['128974848', '129e6', '129M', '128974848000m', '123Mi'];

  test('the five memory spellings print as Kubernetes prints them', () => {
    assert.deepEqual(
      memory.map((s) => Quantity.parse(s).toString()),
      ['128974848', '129e6', '129M', '128974848', '123Mi'],
    );
  });

  test('128974848, 128974848000m and 123Mi are exactly equal', () => {
    assert.equal(quantityCmp('128974848', '123Mi'), 0);
    assert.equal(quantityCmp('128974848000m', '123Mi'), 0);
  });

  test('129e6 and 129M are exactly equal and a little more than 123Mi', () => {
    assert.equal(quantityCmp('129e6', '129M'), 0);
    assert.equal(quantityCmp('129M', '123Mi'), 1);
  });

  test('all five are within 0.1% of each other', () => {
    const values = memory.map((s) => Quantity.parse(s).asApproximateFloat64());
    assert.ok(Math.max(...values) / Math.min(...values) < 1.001);
  });

  test('0.1 cpu is the same as 100m', () => {
    assert.equal(quantityCmp('0.1', '100m'), 0);
    assert.equal(Quantity.parse('0.1').toString(), '100m');
  });

  test('400m of memory is 0.4 bytes, which Value() rounds up to 1', () => {
    const q = Quantity.parse('400m');
    assert.equal(q.toString(), '400m');
    assert.equal(q.asApproximateFloat64(), 0.4);
    assert.equal(q.value(), 1);
  });

  test('1Gi is 2^30 bytes and 1G is 10^9', () => {
    assert.equal(Quantity.parse('1Gi').value(), 2 ** 30);
    assert.equal(Quantity.parse('1G').value(), 1e9);
  });

  test('the example requests and limits round-trip unchanged', () => {
    for (const s of ['64Mi', '128Mi', '250m', '500m', '1Gi', '2', '1.5Gi']) {
      const q = Quantity.parse(s);
      assert.equal(Quantity.parse(q.toString()).toString(), q.toString());
    }
    assert.equal(Quantity.parse('1.5Gi').toString(), '1536Mi');
  });
});

describe('properties', () => {
  const formats: QuantityFormat[] = ['DecimalSI', 'BinarySI', 'DecimalExponent'];
  const quantity = fc
    .tuple(
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
      fc.integer({ min: -9, max: 30 }),
      fc.constantFrom(...formats),
    )
    // Keep binary values under the parse cap so re-parsing cannot change them.
    .filter(([m, e, f]) => f !== 'BinarySI' || (e <= 0 && (m < 0n ? -m : m) < 1n << 62n))
    .map(([m, e, f]) => Quantity.fromScaled(m, e, f));

  test('printing then parsing preserves the value and the text', () => {
    fc.assert(
      fc.property(quantity, (q) => {
        const again = Quantity.parse(q.toString());
        assert.equal(again.cmp(q), 0);
        assert.equal(again.toString(), q.toString());
      }),
    );
  });

  test('add then sub returns the original value', () => {
    fc.assert(
      fc.property(quantity, quantity, (a, b) => {
        assert.equal(a.add(b).sub(b).cmp(a), 0);
      }),
    );
  });

  test('cmp is antisymmetric and agrees with sub', () => {
    fc.assert(
      fc.property(quantity, quantity, (a, b) => {
        assert.equal(a.cmp(b), negate(b.cmp(a)));
        assert.equal(a.cmp(b), a.sub(b).sign());
      }),
    );
  });
});
