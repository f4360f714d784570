// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity).
//
// A quantity is held exactly as a BigInt mantissa times a power of ten, so no
// value ever passes through a float on its way from text to text. The parsing
// and printing rules follow apimachinery's observable behaviour; where that
// behaviour is surprising the comment next to the code says so.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** Kubernetes' own wording for the three ways parsing can fail. */
export const QUANTITY_ERR_FORMAT =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const QUANTITY_ERR_SUFFIX = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  /** The text that failed to parse. */
  readonly input: string;
  /** Kubernetes' reason, without the input: one of the QUANTITY_ERR_* strings. */
  readonly reason: string;

  constructor(input: string, reason: string) {
    super(`cannot parse quantity ${JSON.stringify(input)}: ${reason}`);
    this.name = 'QuantityError';
    this.input = input;
    this.reason = reason;
  }
}

// Kubernetes keeps nothing finer than 10^-9; anything smaller is rounded away
// from zero so that asking for a sliver of a resource still asks for some.
const NANO = -9;

// Kubernetes accepts any int64 exponent, but aligning 10^huge for a compare or
// an add would stall the process, so absurd exponents are refused up front.
const MAX_EXPONENT = 10_000;

const MAX_INT64 = (1n << 63n) - 1n;

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const DECIMAL_SUFFIX_BY_EXPONENT: ReadonlyMap<number, string> = new Map(
  [...DECIMAL_SUFFIXES].map(([suffix, exp]) => [exp, suffix]),
);

// Index i is 1024^i; index 0 is the bare number.
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

const SUFFIX_LETTERS = 'eEinumkKMGTP';

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function signOf(n: bigint): -1 | 0 | 1 {
  return n < 0n ? -1 : n > 0n ? 1 : 0;
}

/** Strips trailing decimal zeros into the exponent so equal values share one form. */
function normalize(mant: bigint, exp: number): [bigint, number] {
  if (mant === 0n) return [0n, 0];
  while (mant % 10n === 0n) {
    mant /= 10n;
    exp++;
  }
  return [mant, exp];
}

/** mant * 10^exp rounded away from zero to a multiple of 10^scale, as a multiple of 10^scale. */
function roundAwayToScale(mant: bigint, exp: number, scale: number): bigint {
  if (exp >= scale) return mant * pow10(exp - scale);
  const shift = scale - exp;
  // When every digit is below the target scale the answer is a single unit;
  // checking first avoids building 10^shift for something like "1e-9000".
  if (abs(mant).toString().length < shift) return BigInt(signOf(mant));
  const divisor = pow10(shift);
  const q = mant / divisor;
  return mant % divisor === 0n ? q : q + BigInt(signOf(mant));
}

interface Scanned {
  negative: boolean;
  intDigits: string;
  fracDigits: string;
  sawPoint: boolean;
  suffix: string;
}

/** Splits text into sign, number and suffix using Kubernetes' scanner grammar; null if malformed. */
function scan(s: string): Scanned | null {
  let i = 0;
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    i++;
  }
  const intStart = i;
  while (isDigit(s[i])) i++;
  const intDigits = s.slice(intStart, i);
  let fracDigits = '';
  let sawPoint = false;
  if (s[i] === '.') {
    sawPoint = true;
    const fracStart = ++i;
    while (isDigit(s[i])) i++;
    fracDigits = s.slice(fracStart, i);
  }
  const suffixStart = i;
  while (i < s.length && SUFFIX_LETTERS.includes(s[i]!)) i++;
  if (s[i] === '+' || s[i] === '-') i++;
  while (isDigit(s[i])) i++;
  if (i !== s.length) return null;
  return { negative, intDigits, fracDigits, sawPoint, suffix: s.slice(suffixStart) };
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(suffix: string): Suffix | null {
  const dec = DECIMAL_SUFFIXES.get(suffix);
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES.indexOf(suffix as (typeof BINARY_SUFFIXES)[number]);
  if (bin > 0) return { base: 2, exponent: bin * 10, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    // The scanner has already guaranteed the shape [+-]?[0-9]* after the letter,
    // so only a missing digit or an out-of-range value can fail here.
    const rest = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return null;
    const exponent = Number(rest);
    if (Math.abs(exponent) > MAX_EXPONENT) return null;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return null;
}

/**
 * Kubernetes remembers the input text instead of re-rendering it when its
 * int64 fast path judges the text already canonical. The judgement is loose,
 * so "+1", "01" or "1.500k" come back verbatim from String() and MarshalJSON;
 * this reproduces exactly that decision so that what Skiff serves back matches
 * what a real API server would.
 */
function keepsInputText(sc: Scanned, sfx: Suffix): boolean {
  const num = sc.intDigits.replace(/^0+/, '') || '0';
  const denom = sc.fracDigits;
  if (sfx.base === 10) {
    if (18 - num.length - denom.length < 0) return false;
    const scale = sfx.exponent - denom.length;
    if (scale < NANO) return false;
    const shifted = num + denom;
    return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  }
  if (denom.length > 0) return false;
  if (14 - num.length - Math.trunc((sfx.exponent * 3) / 10) < 0) return false;
  const value = BigInt(num);
  if (value << BigInt(sfx.exponent) > MAX_INT64) return false;
  return (value & 7n) !== 0n;
}

function numberToText(n: number): string {
  // Number#toString writes "1e+21" where a JSON document would say "1e21".
  return String(n).replace('e+', 'e');
}

export class Quantity {
  // The value is mant * 10^exp, normalized so mant has no trailing zeros.
  readonly #mant: bigint;
  readonly #exp: number;
  /** The input text Kubernetes would echo back instead of a canonical rendering. */
  readonly #text: string | undefined;
  readonly format: QuantityFormat;

  private constructor(mant: bigint, exp: number, format: QuantityFormat, text?: string) {
    [this.#mant, this.#exp] = normalize(mant, exp);
    this.format = format;
    this.#text = text;
  }

  static parse(input: string | number): Quantity {
    if (typeof input === 'number') {
      if (!Number.isFinite(input)) throw new QuantityError(String(input), QUANTITY_ERR_NUMERIC);
      return Quantity.parse(numberToText(input));
    }
    const s = input;
    if (s === '') throw new QuantityError(s, QUANTITY_ERR_FORMAT);

    const sc = scan(s);
    if (sc === null) throw new QuantityError(s, QUANTITY_ERR_FORMAT);
    const sfx = interpretSuffix(sc.suffix);
    if (sfx === null) throw new QuantityError(s, QUANTITY_ERR_SUFFIX);
    // Kubernetes reads a number-less string such as "Ki", "." or "-" as zero;
    // the documented grammar needs a digit, and so does Skiff.
    if (sc.intDigits === '' && sc.fracDigits === '') throw new QuantityError(s, QUANTITY_ERR_FORMAT);

    let mant = BigInt(sc.intDigits + sc.fracDigits);
    let exp = -sc.fracDigits.length;
    if (sfx.base === 10) exp += sfx.exponent;
    else mant <<= BigInt(sfx.exponent);

    if (exp < NANO) {
      mant = roundAwayToScale(mant, exp, NANO);
      exp = NANO;
    }

    let format = sfx.format;
    if (format === 'BinarySI') {
      // Kubernetes caps binary quantities, and only those, at int64 max.
      if (exp >= 0 ? mant * pow10(exp) > MAX_INT64 : mant > MAX_INT64 * pow10(-exp)) {
        mant = MAX_INT64;
        exp = 0;
      }
      // Below one unit a binary suffix could only be printed by rounding, so
      // Kubernetes gives such a value DecimalSI for good.
      if (mant !== 0n && exp < 0 && mant < pow10(-exp)) format = 'DecimalSI';
    }
    if (sc.negative) mant = -mant;

    return new Quantity(mant, exp, format, keepsInputText(sc, sfx) ? s : undefined);
  }

  /**
   * value * 10^scale, like Kubernetes' NewQuantity (scale 0), NewMilliQuantity
   * (scale -3) and NewScaledQuantity. Like them it does not round to nano.
   */
  static fromScaled(value: bigint | number, scale = 0, format: QuantityFormat = 'DecimalSI'): Quantity {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new RangeError(`quantity value must be a safe integer, got ${value}`);
    }
    if (!Number.isInteger(scale) || Math.abs(scale) > MAX_EXPONENT) {
      throw new RangeError(`quantity scale must be an integer within ±${MAX_EXPONENT}, got ${scale}`);
    }
    return new Quantity(BigInt(value), scale, format);
  }

  /** What Kubernetes' String() and MarshalJSON produce for this quantity. */
  toString(): string {
    return this.#text ?? this.canonical();
  }

  toJSON(): string {
    return this.toString();
  }

  /** The canonical rendering (CanonicalizeBytes), ignoring any remembered input text. */
  canonical(): string {
    const mant = this.#mant;
    if (mant === 0n) return '0';
    // Binary suffixes are kept for whole numbers of bytes from 1Ki up; smaller or
    // fractional binary quantities print as DecimalSI rather than lose precision.
    if (this.format === 'BinarySI' && this.#exp >= 0 && abs(mant) * pow10(this.#exp) >= 1024n) {
      let n = mant * pow10(this.#exp);
      let power = 0;
      // Kubernetes has no suffix beyond Ei and would drop the magnitude; stopping
      // at Ei keeps a sum of many Ei quantities truthful.
      while (power < BINARY_SUFFIXES.length - 1 && n % 1024n === 0n) {
        n /= 1024n;
        power++;
      }
      return `${n}${BINARY_SUFFIXES[power]}`;
    }
    // The exponent is lowered to a multiple of three so SI suffixes apply.
    const exp3 = Math.floor(this.#exp / 3) * 3;
    const digits = (mant * pow10(this.#exp - exp3)).toString();
    if (this.format !== 'DecimalExponent') {
      const suffix = DECIMAL_SUFFIX_BY_EXPONENT.get(exp3);
      if (suffix !== undefined) return digits + suffix;
      // Beyond E (10^18) Kubernetes falls back to exponent notation.
    }
    return exp3 === 0 ? digits : `${digits}e${exp3}`;
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    const [a, b] = this.#aligned(other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Quantity): boolean {
    return this.cmp(other) === 0;
  }

  /** Kubernetes keeps the receiver's format, except that a zero receiver takes the other's. */
  add(other: Quantity): Quantity {
    const [a, b] = this.#aligned(other);
    return new Quantity(a + b, Math.min(this.#exp, other.#exp), this.#resultFormat(other));
  }

  sub(other: Quantity): Quantity {
    const [a, b] = this.#aligned(other);
    return new Quantity(a - b, Math.min(this.#exp, other.#exp), this.#resultFormat(other));
  }

  neg(): Quantity {
    return new Quantity(-this.#mant, this.#exp, this.format);
  }

  isZero(): boolean {
    return this.#mant === 0n;
  }

  sign(): -1 | 0 | 1 {
    return signOf(this.#mant);
  }

  /**
   * The value in units of 10^scale rounded away from zero, like Kubernetes'
   * ScaledValue: a ceiling for positive quantities. Beyond 2^53 the number is
   * approximate; use scaledBigInt for an exact answer.
   */
  scaledValue(scale: number): number {
    return Number(this.scaledBigInt(scale));
  }

  scaledBigInt(scale: number): bigint {
    return roundAwayToScale(this.#mant, this.#exp, scale);
  }

  /** Kubernetes' Value(): whole units, rounded away from zero. */
  value(): number {
    return this.scaledValue(0);
  }

  /** Kubernetes' MilliValue(): thousandths, rounded away from zero. */
  milliValue(): number {
    return this.scaledValue(-3);
  }

  asApproximateFloat64(): number {
    return Number(`${this.#mant}e${this.#exp}`);
  }

  #resultFormat(other: Quantity): QuantityFormat {
    return this.isZero() ? other.format : this.format;
  }

  /** Both mantissas expressed at the smaller of the two exponents. */
  #aligned(other: Quantity): [bigint, bigint] {
    const exp = Math.min(this.#exp, other.#exp);
    return [this.#mant * pow10(this.#exp - exp), other.#mant * pow10(other.#exp - exp)];
  }
}

export function parseQuantity(s: string | number): Quantity {
  return Quantity.parse(s);
}

export function quantityCmp(a: string, b: string): -1 | 0 | 1 {
  return Quantity.parse(a).cmp(Quantity.parse(b));
}
