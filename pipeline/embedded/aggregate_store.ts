/** The embedded aggregate store: absolute window values in a SQLite table. */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type {
  AggregatePoint,
  AggregateRow,
  AggregateRowsQuery,
  AggregateSeriesQuery,
  AggregateStore,
  AggregateTotal,
} from "../ports.ts";
import { parseAggregateValue, sumSeries, sumTotals } from "../aggregate_sums.ts";
import { transaction } from "./sqlite.ts";
import { type StoreFile, storeFile, type StoreSource } from "./store_file.ts";
import { migrateNumericAggregates } from "./aggregate_migration.ts";

/**
 * The table of cells. Values are decimal digits in a TEXT column: SQLite's
 * integers stop at 64 bits and its NUMERIC affinity turns anything larger
 * into an inexact REAL, so sums are made in JS with `bigint`.
 */
const CELLS_TABLE = `
  CREATE TABLE IF NOT EXISTS aggregate_cells (
    stream TEXT NOT NULL,
    dimension TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    key TEXT NOT NULL,
    partition INTEGER NOT NULL,
    value TEXT NOT NULL,
    offset INTEGER NOT NULL,
    PRIMARY KEY (stream, dimension, window_start, key, partition)
  );
`;

interface StoredCell {
  windowStart: number;
  key: string;
  value: string;
}

/** An `AggregateStore` on a SQLite file. */
export class SqliteAggregateStore implements AggregateStore {
  readonly #file: StoreFile;
  readonly #db: DatabaseSync;
  readonly #write: StatementSync;
  readonly #read: StatementSync;
  readonly #totals: StatementSync;
  readonly #series: StatementSync;
  readonly #prune: StatementSync;

  /**
   * Opens the store, converting the cells of a data directory written before
   * values were exact (see `aggregate_migration.ts`).
   */
  constructor(source: StoreSource) {
    this.#file = storeFile(source);
    this.#db = this.#file.hold();
    try {
      this.#db.exec(CELLS_TABLE);
      migrateNumericAggregates(this.#db);
    } catch (error) {
      this.#file.release();
      throw error;
    }
    this.#write = this.#db.prepare(
      `INSERT INTO aggregate_cells (stream, dimension, window_start, key, partition, value, offset)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (stream, dimension, window_start, key, partition)
       DO UPDATE SET value = excluded.value, offset = excluded.offset`,
    );
    this.#read = this.#db.prepare(
      `SELECT window_start AS windowStart, key, value, offset
       FROM aggregate_cells WHERE stream = ? AND dimension = ? AND partition = ?
       AND window_start IN (SELECT value FROM json_each(?))`,
    );
    this.#totals = this.#db.prepare(
      `SELECT key, value FROM aggregate_cells WHERE stream = ? AND dimension = ?`,
    );
    this.#series = this.#db.prepare(
      `SELECT window_start AS windowStart, key, value FROM aggregate_cells
       WHERE stream = ? AND dimension = ? AND window_start >= ? AND window_start < ?`,
    );
    this.#prune = this.#db.prepare(
      "DELETE FROM aggregate_cells WHERE stream = ? AND dimension = ? AND window_start < ?",
    );
  }

  write(rows: AggregateRow[]): Promise<void> {
    return Promise.try(() =>
      transaction(this.#db, () => {
        for (const r of rows) {
          this.#write.run(
            r.stream,
            r.dimension,
            r.windowStart,
            r.key,
            r.partition,
            r.value.toString(),
            r.offset,
          );
        }
      })
    );
  }

  read(
    { stream, dimension, partition, windowStarts }: AggregateRowsQuery,
  ): Promise<AggregateRow[]> {
    return Promise.try(() =>
      (this.#read.all(
        stream,
        dimension,
        partition,
        JSON.stringify(windowStarts),
      ) as unknown as Array<
        StoredCell & { offset: number }
      >).map((r) => ({
        stream,
        dimension,
        windowStart: r.windowStart,
        key: r.key,
        partition,
        value: parseAggregateValue(r.value),
        offset: r.offset,
      }))
    );
  }

  totals(stream: string, dimension: string): Promise<AggregateTotal[]> {
    return Promise.try(() =>
      sumTotals(
        (this.#totals.all(stream, dimension) as unknown as StoredCell[])
          .map((c) => ({ key: c.key, value: parseAggregateValue(c.value) })),
      )
    );
  }

  series({ stream, dimension, from, to }: AggregateSeriesQuery): Promise<AggregatePoint[]> {
    return Promise.try(() =>
      sumSeries(
        (this.#series.all(stream, dimension, from, to) as unknown as StoredCell[]).map((c) => ({
          windowStart: c.windowStart,
          key: c.key,
          value: parseAggregateValue(c.value),
        })),
      )
    );
  }

  prune(stream: string, dimension: string, before: number): Promise<void> {
    return Promise.try(() => void this.#prune.run(stream, dimension, before));
  }

  close(): Promise<void> {
    this.#file.release();
    return Promise.resolve();
  }
}
