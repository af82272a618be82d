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

const PLAIN = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Reads a decimal from a JSON number or numeric text. A number is taken as
 * its shortest round-trip text (`19.99`, not 19.989999999999998…), which is
 * what the record said for any amount of up to 15 significant digits.
 *
 * @throws {InvalidFieldError} (a `TypeError`) naming `path` for anything else
 */
export function parseDecimal(value: unknown, path: string): Decimal {
  const text = typeof value === "number" && Number.isFinite(value)
    ? String(value)
    : typeof value === "string"
    ? value.trim()
    : "";
  const match = PLAIN.exec(text);
  if (!match || text.length > 40) throw new InvalidFieldError(path, "a decimal number", value);
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  let units = BigInt(whole + fraction);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === "-" ? -units : units, scale };
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
