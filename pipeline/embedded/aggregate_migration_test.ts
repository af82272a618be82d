import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteAggregateStore } from "./aggregate_store.ts";

/** The aggregates table as the code before exact values created it. */
const LEGACY_SCHEMA = `
  CREATE TABLE aggregates (
    stream TEXT NOT NULL,
    dimension TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    key TEXT NOT NULL,
    partition INTEGER NOT NULL,
    value NUMERIC NOT NULL,
    offset INTEGER NOT NULL,
    PRIMARY KEY (stream, dimension, window_start, key, partition)
  );`;

function legacyStore(path: string, rows: Array<[string, number, number, number]>): void {
  const db = new DatabaseSync(path);
  db.exec(LEGACY_SCHEMA);
  const insert = db.prepare(
    "INSERT INTO aggregates VALUES ('sales', 'all_revenue', 0, ?, ?, ?, ?)",
  );
  for (const row of rows) insert.run(...row);
  db.close();
}

Deno.test("a data directory written before exact values keeps its totals and counts on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-migration-" });
  try {
    const path = `${dir}/store.db`;
    // As the old code wrote them: a JS number into NUMERIC. 2^64 did not fit
    // SQLite's integers and was kept as a REAL.
    legacyStore(path, [["all", 0, 123_456, 41], ["all", 1, 2 ** 64, 7], ["other", 0, 5, 3]]);
    const store = new SqliteAggregateStore(path);
    try {
      assert.deepEqual(await store.totals("sales", "all_revenue"), [
        { key: "all", value: 123_456n + 2n ** 64n },
        { key: "other", value: 5n },
      ]);
      assert.deepEqual(
        (await store.read({
          stream: "sales",
          dimension: "all_revenue",
          partition: 0,
          windowStarts: [0],
        })).map((r) => [r.key, r.value, r.offset]),
        [["all", 123_456n, 41], ["other", 5n, 3]],
      );
      await store.write([{
        stream: "sales",
        dimension: "all_revenue",
        windowStart: 0,
        key: "all",
        partition: 0,
        value: 2n ** 70n,
        offset: 42,
      }]);
    } finally {
      await store.close();
    }
    // Opened again (as the web and each processor do): converted once, nothing lost.
    const again = new SqliteAggregateStore(path);
    try {
      assert.deepEqual(await again.totals("sales", "all_revenue"), [
        { key: "all", value: 2n ** 70n + 2n ** 64n },
        { key: "other", value: 5n },
      ]);
    } finally {
      await again.close();
    }
    const db = new DatabaseSync(path);
    const legacy = db.prepare("SELECT name FROM sqlite_master WHERE name = 'aggregates'").get();
    db.close();
    assert.equal(legacy, undefined, "the old table is gone");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a legacy total that had become Infinity stops the open with the row to fix", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-migration-" });
  try {
    const path = `${dir}/store.db`;
    legacyStore(path, [["all", 0, 1, 1], ["all", 1, Infinity, 2]]);
    assert.throws(
      () => new SqliteAggregateStore(path),
      /aggregate cell \(sales all_revenue 0 all 1\) .* holds Infinity/,
    );
    // Nothing was half-converted: the old table is still whole.
    const db = new DatabaseSync(path);
    const count = db.prepare("SELECT count(*) AS n FROM aggregates").get() as { n: number };
    db.close();
    assert.equal(count.n, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
