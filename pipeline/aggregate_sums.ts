/**
 * Exact sums of aggregate cells over partitions (and windows), shared by the
 * stores: neither SQLite nor CQL can sum integers past 64 bits exactly, so
 * the stores read the cells and add them here with `bigint`.
 */

import type { AggregatePoint, AggregateTotal } from "./ports.ts";

/** Sums values per key; keys in code-unit order. */
export function sumTotals(cells: Iterable<AggregateTotal>): AggregateTotal[] {
  const sums = new Map<string, bigint>();
  for (const { key, value } of cells) sums.set(key, (sums.get(key) ?? 0n) + value);
  return [...sums]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([key, value]) => ({ key, value }));
}

/** Sums values per window and key; oldest window first, then keys in code-unit order. */
export function sumSeries(cells: Iterable<AggregatePoint>): AggregatePoint[] {
  const points = new Map<string, AggregatePoint>();
  for (const { windowStart, key, value } of cells) {
    const id = `${windowStart}\u0000${key}`;
    const point = points.get(id);
    if (point) point.value += value;
    else points.set(id, { windowStart, key, value });
  }
  return [...points.values()]
    .sort((a, b) => a.windowStart - b.windowStart || compareKeys(a.key, b.key));
}

/**
 * A count as a plain number, for JSON and pages: exact below 2^53 records,
 * which no stream reaches in centuries at any rate it can sustain.
 */
export function countOf(value: bigint): number {
  return Number(value);
}

/** The sum of every key's value: the exact total of a dimension. */
export function grandTotal(totals: Iterable<AggregateTotal>): bigint {
  let sum = 0n;
  for (const { value } of totals) sum += value;
  return sum;
}

/**
 * An exact aggregate value from its stored decimal digits.
 *
 * @throws {Error} when the text is not a whole number: the store holds something
 * this code never writes, which must not be counted as a guess.
 */
export function parseAggregateValue(text: string): bigint {
  if (!/^-?\d+$/.test(text)) {
    throw new Error(`an aggregate value must be a whole number, the store holds "${text}"`);
  }
  return BigInt(text);
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
