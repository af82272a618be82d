/**
 * Money of the sales page from exact cents: decimal text for what people
 * read, and a lossy number only for charts and sizes.
 */

/**
 * Cents as exact decimal text with two places, without going through a float:
 * `123456n` → `"1234.56"`, `-5n` → `"-0.05"`.
 */
export function centsText(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const digits = (cents < 0n ? -cents : cents).toString().padStart(3, "0");
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Cents as currency units in a number: exact up to 2^53 cents, close enough for a chart beyond. */
export function centsAmount(cents: bigint): number {
  return Number(cents) / 100;
}

/** `cents / count` rounded half up to the cent (half away from zero); 0 when `count` is 0. */
export function averageCents(cents: bigint, count: bigint): bigint {
  if (count === 0n) return 0n;
  const negative = (cents < 0n) !== (count < 0n);
  const n = cents < 0n ? -cents : cents;
  const d = count < 0n ? -count : count;
  const rounded = (2n * n + d) / (2n * d);
  return negative ? -rounded : rounded;
}
