/**
 * Keeps a partition's window cells in memory between batches and writes the
 * cells a batch changes as absolute values (see `window_counts.ts`).
 */

import type { AggregateRow, AggregateStore } from "./ports.ts";
import { applyContributions, cellId, cellWindowStart, type Contribution } from "./window_counts.ts";

interface PartitionState {
  /** Offset the next batch must start at for this state to still be current. */
  next: number;
  cells: Map<string, AggregateRow>;
  /** `dimension\0windowStart` pairs whose cells were read from the store. */
  loaded: Set<string>;
}

/** Counts contributions into window cells of one stream, exactly once per source offset. */
export class WindowAggregator {
  readonly #store: AggregateStore;
  readonly #stream: string;
  readonly #windowMs: number;
  readonly #maxCells: number;
  readonly #partitions = new Map<number, PartitionState>();

  /**
   * @param maxCells cells kept in memory per partition; past it the state is
   * dropped and read again from the store when needed
   */
  constructor(store: AggregateStore, stream: string, windowMs: number, maxCells = 20_000) {
    this.#store = store;
    this.#stream = stream;
    this.#windowMs = windowMs;
    this.#maxCells = maxCells;
  }

  /**
   * Applies the contributions of one batch (offsets `first..last` of `partition`)
   * and writes the changed cells. State another member may have changed (the
   * batch does not follow the last one seen) is read again from the store.
   */
  async apply(
    partition: number,
    first: number,
    last: number,
    contributions: readonly Contribution[],
  ): Promise<void> {
    let state = this.#partitions.get(partition);
    if (!state || state.next !== first) {
      state = { next: first, cells: new Map(), loaded: new Set() };
    }
    this.#partitions.delete(partition);
    await this.#load(partition, state, contributions);
    const changed = applyContributions(
      this.#stream,
      partition,
      this.#windowMs,
      state.cells,
      contributions,
    );
    await this.#store.write([...changed.values()]);
    for (const [id, row] of changed) state.cells.set(id, row);
    state.next = last + 1;
    if (state.cells.size <= this.#maxCells) this.#partitions.set(partition, state);
  }

  async #load(partition: number, state: PartitionState, contributions: readonly Contribution[]) {
    const missing = new Map<string, Set<number>>();
    for (const c of contributions) {
      const start = cellWindowStart(c, this.#windowMs);
      if (state.loaded.has(`${c.dimension}\u0000${start}`)) continue;
      const set = missing.get(c.dimension) ?? new Set();
      set.add(start);
      missing.set(c.dimension, set);
    }
    for (const [dimension, starts] of missing) {
      const rows = await this.#store.read(this.#stream, dimension, partition, [...starts]);
      for (const row of rows) {
        state.cells.set(cellId(dimension, row.windowStart, row.key), row);
      }
      for (const start of starts) state.loaded.add(`${dimension}\u0000${start}`);
    }
  }
}
