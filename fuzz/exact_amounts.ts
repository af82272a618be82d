/**
 * The fuzzers' own exact arithmetic, independent of `pipeline/decimal.ts`:
 * amounts read from the JSON text as it was sent (not from the parsed
 * double), so a total the pipeline rounded through floating point or lost
 * past 2^53 does not match.
 */

/** An exact decimal: `units / 10^scale`. */
export interface Exact {
  units: bigint;
  scale: number;
}

/** Longest exponent the oracle expands; anything larger is itself a finding. */
export const MAX_EXPONENT = 5000;

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Reads decimal text exactly.
 * @throws {RangeError} when the text is not a decimal or expands past `MAX_EXPONENT` digits.
 */
export function exact(text: string): Exact {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new RangeError(`"${text.slice(0, 60)}" is not a decimal number`);
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  const shift = Number(exponent);
  if (!Number.isSafeInteger(shift) || Math.abs(shift) > MAX_EXPONENT) {
    throw new RangeError(`"${text.slice(0, 60)}" expands to more than ${MAX_EXPONENT} digits`);
  }
  let units = BigInt(whole + fraction);
  let scale = fraction.length - shift;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === "-" ? -units : units, scale };
}

/** `a × b`. */
export function times(a: Exact, b: Exact): Exact {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** `a + b`. */
export function plus(a: Exact, b: Exact): Exact {
  const scale = Math.max(a.scale, b.scale);
  return {
    units: a.units * 10n ** BigInt(scale - a.scale) + b.units * 10n ** BigInt(scale - b.scale),
    scale,
  };
}

/** Whole cents of `d`, halves rounded away from zero. */
export function cents(d: Exact): bigint {
  if (d.scale <= 2) return d.units * 10n ** BigInt(2 - d.scale);
  const divisor = 10n ** BigInt(d.scale - 2);
  const magnitude = d.units < 0n ? -d.units : d.units;
  let whole = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) whole += 1n;
  return d.units < 0n ? -whole : whole;
}

/**
 * The source text of each top-level field of a JSON object, as sent: numbers
 * as written (`1e2`, `19.990`), strings as their value.
 */
export function fieldTexts(json: string): Map<string, string> {
  const texts = new Map<string, string>();
  JSON.parse(
    json,
    function (this: unknown, key, value, context?: { source?: string }) {
      if (typeof value === "string") texts.set(key, value);
      else if (typeof value === "number" && context?.source !== undefined) {
        texts.set(key, context.source);
      }
      return value;
    } as (this: unknown, key: string, value: unknown) => unknown,
  );
  return texts;
}

/** An aggregate value as an exact integer, or `undefined` when it cannot be one exactly. */
export function exactInteger(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}
