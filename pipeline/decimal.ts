/**
 * Exact decimal arithmetic for money: a value is an integer number of units
 * at a decimal scale (`19.99` is 1999 at scale 2), held in a `bigint`, so
 * sums and products never pick up binary floating-point drift.
 */

import { InvalidFieldError } from "./validation.ts";

/** `units / 10^scale`. */
export interface Decimal {
  units: bigint;
  scale: number;
}

/** Most significant digits a decimal field may carry (a double has at most 17). */
export const MAX_SIGNIFICANT_DIGITS = 18;
/** Most decimals a decimal field may carry. */
export const MAX_SCALE = 18;
/** Every decimal field's value is below 10^15 in magnitude, whatever its own bounds. */
export const MAX_INTEGER_DIGITS = 15;

/** The documented range of a decimal field: whole numbers within ±10^15. */
export interface DecimalBounds {
  /** Smallest value allowed. */
  min: number;
  /** Largest value allowed. */
  max: number;
}

/** What `String(number)` writes for a finite number: plain, or with an exponent. */
const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;
/** What a record may write as numeric text: plain decimal notation only. */
const PLAIN_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;
/** Longest numeric text read (18 digits, a point, a sign and leading zeros to spare). */
const MAX_TEXT = 40;

/**
 * Reads a decimal field from a JSON number or numeric text, within `bounds`
 * and with a bounded count of digits, so what comes out is cheap to compute
 * with and to store whatever came in.
 *
 * A number is taken as its shortest round-trip text (`19.99`, not
 * 19.989999999999998…), which is what the record said for any amount of up
 * to 15 significant digits; `1e-7` is 0.0000001. Text must be plain decimal
 * notation (`"19.99"`, `"-0.5"`, `"007"`): no exponent, sign `+`, spaces or
 * separators, since an exponent in text (`"1e999999"`) says nothing a plain
 * decimal cannot and would expand to megabytes of digits.
 *
 * @throws {InvalidFieldError} naming `path` for anything that is not such a
 * number, has more than 18 significant digits or 18 decimals, or lies
 * outside `bounds`
 */
export function parseDecimal(value: unknown, path: string, bounds: DecimalBounds): Decimal {
  const match = typeof value === "number" && Number.isFinite(value)
    ? NUMBER_TEXT.exec(String(value))
    : typeof value === "string" && value.length <= MAX_TEXT
    ? PLAIN_TEXT.exec(value)
    : null;
  if (match === null) {
    throw new InvalidFieldError({
      path,
      expected: 'a decimal number (a JSON number or plain decimal text such as "19.99")',
      got: value,
    });
  }
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  const digits = (whole + fraction).replace(/^0+/, "");
  const scale = fraction.length - Number(exponent);
  if (
    digits.length > MAX_SIGNIFICANT_DIGITS || scale > MAX_SCALE ||
    digits.length - scale > MAX_INTEGER_DIGITS
  ) {
    throw new InvalidFieldError({
      path,
      expected:
        `a decimal number below 10^${MAX_INTEGER_DIGITS} with at most ${MAX_SIGNIFICANT_DIGITS} ` +
        `significant digits and ${MAX_SCALE} decimals`,
      got: value,
    });
  }
  const magnitude = BigInt(digits === "" ? "0" : digits) * 10n ** BigInt(Math.max(0, -scale));
  const d = { units: sign === "-" ? -magnitude : magnitude, scale: Math.max(0, scale) };
  if (
    d.units < BigInt(bounds.min) * 10n ** BigInt(d.scale) ||
    d.units > BigInt(bounds.max) * 10n ** BigInt(d.scale)
  ) {
    throw new InvalidFieldError({
      path,
      expected: `a decimal number from ${bounds.min} to ${bounds.max}`,
      got: value,
    });
  }
  return d;
}

/**
 * Reads decimal text that `format` wrote (our own running sums, never a
 * record's field), of any length.
 *
 * @throws {Error} when the text is not what `format` writes: a bug, not bad input
 */
export function parseFormatted(text: string): Decimal {
  const match = PLAIN_TEXT.exec(text);
  if (match === null) throw new Error(`not decimal text written by format(): ${text.slice(0, 60)}`);
  const [, sign, whole, fraction = ""] = match;
  const magnitude = BigInt(whole + fraction);
  return { units: sign === "-" ? -magnitude : magnitude, scale: fraction.length };
}

function rescale(d: Decimal, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

/** `a + b`, exact. */
export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

/** `a × b`, exact. */
export function multiply(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** `d` rounded to `places` decimals, halves away from zero (2.345 → 2.35, -2.345 → -2.35). */
export function round(d: Decimal, places: number): Decimal {
  if (d.scale <= places) return { units: rescale(d, places), scale: places };
  const divisor = 10n ** BigInt(d.scale - places);
  const negative = d.units < 0n;
  const magnitude = negative ? -d.units : d.units;
  let units = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) units += 1n;
  return { units: negative ? -units : units, scale: places };
}

/** Plain decimal text with exactly `scale` decimals (`21240.00`). */
export function format(d: Decimal): string {
  const negative = d.units < 0n;
  const digits = (negative ? -d.units : d.units).toString().padStart(d.scale + 1, "0");
  const whole = digits.slice(0, digits.length - d.scale);
  const fraction = digits.slice(digits.length - d.scale);
  return `${negative ? "-" : ""}${whole}${d.scale > 0 ? `.${fraction}` : ""}`;
}

/** The nearest JS number (for charts; never for further arithmetic). */
export function toNumber(d: Decimal): number {
  return Number(format(d));
}

/** Zero at scale 0. */
export const ZERO: Decimal = { units: 0n, scale: 0 };

/** One at scale 0. */
export const ONE: Decimal = { units: 1n, scale: 0 };
