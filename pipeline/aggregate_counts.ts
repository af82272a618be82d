/**
 * All-time aggregate counts (users per gender, sales totals, clickstream
 * totals, rejections), written exactly once per source offset over an
 * at-least-once log. Windowed figures are the window engine's
 * (`windowing/windows.ts`); these cells have no window.
 *
 * Each cell (dimension, key, source partition) carries the highest source
 * offset it includes. A record whose offset is at or below that is already
 * counted and is skipped, so replaying a batch after a crash changes nothing,
 * whichever cells were written before the crash.
 */

import type { AggregateRow, AggregateStore } from "./ports.ts";

/** One record's contribution to one cell. */
export interface Count {
  dimension: string;
  key: string;
  /** Source offset of the record. */
  offset: number;
  /** A whole number (a safe integer); cells add it exactly, as a `bigint`. */
  amount: number;
}

/**
 * The `windowStart` of every all-time cell: 0, as the cells of data dirs
 * written when these cells were one window length among others hold.
 */
export const ALL_TIME_START = 0;

/** The identity of a cell within one stream and partition. */
export function cellId(dimension: string, key: string): string {
  return `${dimension}\u0000${key}`;
}

/** What `applyCounts` folds: counts of one partition onto its current cells. */
export interface CountsToApply {
  /** Name of the stream the cells belong to. */
  stream: string;
  /** The partition the counts come from. */
  partition: number;
  /** The partition's cells as they stand, by `cellId`; not modified. */
  current: ReadonlyMap<string, AggregateRow>;
  /** Counts of the partition, in offset order. */
  counts: readonly Count[];
}

/**
 * Applies counts (of one partition, in offset order) to the current cells
 * and returns the cells that changed, with their new absolute values.
 * `current` is not modified.
 */
export function applyCounts(
  { stream, partition, current, counts }: CountsToApply,
): Map<string, AggregateRow> {
  const changed = new Map<string, AggregateRow>();
  for (const c of counts) {
    const id = cellId(c.dimension, c.key);
    const cell = changed.get(id) ?? current.get(id);
    if (cell && c.offset <= cell.offset) continue;
    changed.set(id, {
      stream,
      dimension: c.dimension,
      windowStart: ALL_TIME_START,
      key: c.key,
      partition,
      value: (cell?.value ?? 0n) + BigInt(c.amount),
      offset: c.offset,
    });
  }
  return changed;
}

interface PartitionCells {
  /** Offset the next batch must start at for these cells to still be current. */
  next: number;
  cells: Map<string, AggregateRow>;
  /** Dimensions whose cells were read from the store. */
  loaded: Set<string>;
}

/** Counts into the all-time cells of one stream, exactly once per source offset. */
export class AggregateCounter {
  readonly #store: AggregateStore;
  readonly #stream: string;
  readonly #maxCells: number;
  readonly #partitions = new Map<number, PartitionCells>();

  /**
   * @param maxCells cells kept in memory per partition; past it they are
   * dropped and read again from the store when needed
   */
  constructor(store: AggregateStore, stream: string, maxCells = 20_000) {
    this.#store = store;
    this.#stream = stream;
    this.#maxCells = maxCells;
  }

  /**
   * Applies the counts of one batch (offsets `first..last` of `partition`)
   * and writes the changed cells. Cells another member may have changed (the
   * batch does not follow the last one seen) are read again from the store.
   */
  async apply(
    partition: number,
    batch: { first: number; last: number },
    counts: readonly Count[],
  ): Promise<void> {
    let state = this.#partitions.get(partition);
    if (!state || state.next !== batch.first) {
      state = { next: batch.first, cells: new Map(), loaded: new Set() };
    }
    this.#partitions.delete(partition);
    for (const dimension of new Set(counts.map((c) => c.dimension))) {
      if (state.loaded.has(dimension)) continue;
      const rows = await this.#store.read({
        stream: this.#stream,
        dimension,
        partition,
        windowStarts: [ALL_TIME_START],
      });
      for (const row of rows) state.cells.set(cellId(dimension, row.key), row);
      state.loaded.add(dimension);
    }
    const changed = applyCounts({
      stream: this.#stream,
      partition,
      current: state.cells,
      counts,
    });
    await this.#store.write([...changed.values()]);
    for (const [id, row] of changed) state.cells.set(id, row);
    state.next = batch.last + 1;
    if (state.cells.size <= this.#maxCells) this.#partitions.set(partition, state);
  }
}
