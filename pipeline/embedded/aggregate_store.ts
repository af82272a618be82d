/** The embedded aggregate store: absolute window values in a SQLite table. */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AggregatePoint, AggregateRow, AggregateStore, AggregateTotal } from "../ports.ts";
import { openDatabase, transaction } from "./sqlite.ts";

/** An `AggregateStore` on a SQLite file. */
export class SqliteAggregateStore implements AggregateStore {
  readonly #db: DatabaseSync;
  readonly #write: StatementSync;
  readonly #read: StatementSync;
  readonly #totals: StatementSync;
  readonly #series: StatementSync;
  readonly #prune: StatementSync;

  constructor(path: string) {
    this.#db = openDatabase(path);
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS aggregates (
        stream TEXT NOT NULL,
        dimension TEXT NOT NULL,
        window_start INTEGER NOT NULL,
        key TEXT NOT NULL,
        partition INTEGER NOT NULL,
        value NUMERIC NOT NULL,
        offset INTEGER NOT NULL,
        PRIMARY KEY (stream, dimension, window_start, key, partition)
      );
    `);
    this.#write = this.#db.prepare(
      `INSERT INTO aggregates (stream, dimension, window_start, key, partition, value, offset)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (stream, dimension, window_start, key, partition)
       DO UPDATE SET value = excluded.value, offset = excluded.offset`,
    );
    this.#read = this.#db.prepare(
      `SELECT stream, dimension, window_start AS windowStart, key, partition, value, offset
       FROM aggregates WHERE stream = ? AND dimension = ? AND partition = ?
       AND window_start IN (SELECT value FROM json_each(?))`,
    );
    this.#totals = this.#db.prepare(
      `SELECT key, SUM(value) AS value FROM aggregates WHERE stream = ? AND dimension = ?
       GROUP BY key ORDER BY key`,
    );
    this.#series = this.#db.prepare(
      `SELECT window_start AS windowStart, key, SUM(value) AS value FROM aggregates
       WHERE stream = ? AND dimension = ? AND window_start >= ? AND window_start < ?
       GROUP BY window_start, key ORDER BY window_start, key`,
    );
    this.#prune = this.#db.prepare(
      "DELETE FROM aggregates WHERE stream = ? AND dimension = ? AND window_start < ?",
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
            r.value,
            r.offset,
          );
        }
      })
    );
  }

  read(
    stream: string,
    dimension: string,
    partition: number,
    windowStarts: number[],
  ): Promise<AggregateRow[]> {
    return Promise.try(() =>
      (this.#read.all(
        stream,
        dimension,
        partition,
        JSON.stringify(windowStarts),
      ) as unknown as AggregateRow[]).map((r) => ({
        ...r,
        value: Number(r.value),
        offset: Number(r.offset),
      }))
    );
  }

  totals(stream: string, dimension: string): Promise<AggregateTotal[]> {
    return Promise.try(() =>
      (this.#totals.all(stream, dimension) as unknown as AggregateTotal[])
        .map((t) => ({ key: t.key, value: Number(t.value) }))
    );
  }

  series(stream: string, dimension: string, from: number, to: number): Promise<AggregatePoint[]> {
    return Promise.try(() =>
      (this.#series.all(stream, dimension, from, to) as unknown as AggregatePoint[])
        .map((p) => ({ windowStart: p.windowStart, key: p.key, value: Number(p.value) }))
    );
  }

  prune(stream: string, dimension: string, before: number): Promise<void> {
    return Promise.try(() => void this.#prune.run(stream, dimension, before));
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}
