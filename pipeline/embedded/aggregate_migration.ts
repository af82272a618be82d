/**
 * Converts the aggregate cells of a data directory written before values were
 * exact: the old `aggregates` table kept them in a NUMERIC column, where a
 * value past 2^63 became an inexact REAL.
 */

import type { DatabaseSync } from "node:sqlite";
import { transaction } from "./sqlite.ts";

const LEGACY_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'aggregates'";

/**
 * Copies every row of the legacy `aggregates` table into `aggregate_cells`
 * (which must exist) as exact digits, then drops the legacy table, in one
 * transaction: processes opening the same file at once convert it once, and
 * a crash leaves it as it was. Integers are copied exactly; a REAL (a sum
 * that had passed 2^63) becomes the whole number it held, which is all that
 * is left of it. A no-op once converted.
 *
 * @throws {Error} naming the row when a legacy value is not finite (a total
 * that had turned into Infinity): no exact total can stand in for it.
 */
export function migrateNumericAggregates(db: DatabaseSync): void {
  if (!db.prepare(LEGACY_TABLE).get()) return;
  transaction(db, () => {
    if (!db.prepare(LEGACY_TABLE).get()) return;
    const rows = db.prepare(
      "SELECT stream, dimension, window_start, key, partition, value, offset FROM aggregates",
    );
    rows.setReadBigInts(true);
    const insert = db.prepare(
      `INSERT OR REPLACE INTO aggregate_cells
       (stream, dimension, window_start, key, partition, value, offset)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const row of rows.iterate()) {
      const { stream, dimension, window_start, key, partition, value, offset } = row as {
        stream: string;
        dimension: string;
        window_start: bigint;
        key: string;
        partition: bigint;
        value: bigint | number | string;
        offset: bigint;
      };
      const exact = legacyValue(
        value,
        `${stream} ${dimension} ${window_start} ${key} ${partition}`,
      );
      insert.run(stream, dimension, window_start, key, partition, exact.toString(), offset);
    }
    db.exec("DROP TABLE aggregates");
  });
}

function legacyValue(value: bigint | number | string, cell: string): bigint {
  if (typeof value === "bigint") return value;
  const number = Number(value);
  if (!Number.isFinite(number)) {
    throw new Error(
      `the aggregate cell (${cell}) of the old aggregates table holds ${value}, which cannot be ` +
        "converted to an exact total: delete that row from the aggregates table of store.db, " +
        "or start from a new data directory",
    );
  }
  return BigInt(Math.round(number));
}
