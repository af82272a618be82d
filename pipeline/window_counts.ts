/**
 * Exactly-once window counting over an at-least-once log, as pure functions.
 *
 * Each aggregate cell (dimension, window, key, source partition) carries the
 * highest source offset it includes. A record whose offset is at or below that
 * is already counted and is skipped, so replaying a batch after a crash
 * changes nothing, whichever cells were written before the crash.
 */

import type { AggregateRow } from "./ports.ts";

/** One record's contribution to one cell. */
export interface Contribution {
  dimension: string;
  key: string;
  /** Event time, ms since the epoch; picks the window. */
  ts: number;
  /** Source offset of the record. */
  offset: number;
  /** A whole number (a safe integer); cells add it exactly, as a `bigint`. */
  amount: number;
  /** Window length of this cell, ms, when not the stream's; `ALL_TIME` for one cell over all time. */
  windowMs?: number;
}

/** A contribution's `windowMs` for a cell that covers all time (window start 0). */
export const ALL_TIME = 0;

/** Start of the tumbling window of `size` ms that holds `ts`. */
export function windowStart(ts: number, size: number): number {
  return Math.floor(ts / size) * size;
}

/** Start of the window of the cell a contribution counts into. */
export function cellWindowStart(c: Contribution, streamWindowMs: number): number {
  const size = c.windowMs ?? streamWindowMs;
  return size === ALL_TIME ? 0 : windowStart(c.ts, size);
}

/** The identity of a cell within one stream and partition. */
export function cellId(dimension: string, windowStartMs: number, key: string): string {
  return `${dimension}\u0000${windowStartMs}\u0000${key}`;
}

/**
 * Applies contributions (of one partition, in offset order) to the current
 * cells and returns the cells that changed, with their new absolute values.
 * `current` is not modified.
 */
export function applyContributions(
  stream: string,
  partition: number,
  windowMs: number,
  current: ReadonlyMap<string, AggregateRow>,
  contributions: readonly Contribution[],
): Map<string, AggregateRow> {
  const changed = new Map<string, AggregateRow>();
  for (const c of contributions) {
    const start = cellWindowStart(c, windowMs);
    const id = cellId(c.dimension, start, c.key);
    const cell = changed.get(id) ?? current.get(id);
    if (cell && c.offset <= cell.offset) continue;
    changed.set(id, {
      stream,
      dimension: c.dimension,
      windowStart: start,
      key: c.key,
      partition,
      value: (cell?.value ?? 0n) + BigInt(c.amount),
      offset: c.offset,
    });
  }
  return changed;
}
