import assert from "node:assert/strict";
import cassandra from "cassandra-driver";
import { CassandraAggregateStore } from "./cassandra_aggregate_store.ts";
import { runAggregateStoreContract } from "../testing/store_contracts.ts";
import {
  CASSANDRA_CONTACT_POINTS,
  CASSANDRA_DC,
  withPort,
  withService,
} from "../testing/services.ts";
import type { AggregateRow } from "../ports.ts";

const KEYSPACE = "streamboard_test";
const connect = () =>
  CassandraAggregateStore.connect({
    contactPoints: CASSANDRA_CONTACT_POINTS,
    localDataCenter: CASSANDRA_DC,
    keyspace: KEYSPACE,
  });
const unique = () => `cassandra_test_${crypto.randomUUID().slice(0, 8)}`;

await withService(
  { name: "Cassandra", address: withPort(CASSANDRA_CONTACT_POINTS[0], 9042) },
  () => {
    runAggregateStoreContract("cassandra aggregate store", connect);

    Deno.test("cassandra aggregate store: reads return exact values and plain offsets, also past one page", async () => {
      const store = await connect();
      try {
        const s = unique();
        // More rows than the driver's page (5000): windows x partitions x keys.
        const rows: AggregateRow[] = [];
        for (let w = 0; w < 30; w++) {
          for (let p = 0; p < 4; p++) {
            for (let k = 0; k < 50; k++) {
              rows.push({
                stream: s,
                dimension: "country",
                windowStart: 1_700_000_000_000 + w * 60_000,
                partition: p,
                key: `k${String(k).padStart(2, "0")}`,
                value: 3n,
                offset: 2 ** 40 + w,
              });
            }
          }
        }
        await store.write(rows);
        const totals = await store.totals(s, "country");
        assert.equal(totals.length, 50);
        assert.deepEqual(totals[0], { key: "k00", value: 360n });
        const series = await store.series({
          stream: s,
          dimension: "country",
          from: 1_700_000_000_000,
          to: 1_700_000_000_000 + 2 * 60_000,
        });
        assert.equal(series.length, 100);
        assert.deepEqual(series[0], {
          windowStart: 1_700_000_000_000,
          key: "k00",
          value: 12n,
        });
        const read = await store.read({
          stream: s,
          dimension: "country",
          partition: 3,
          windowStarts: [
            1_700_000_000_000 + 29 * 60_000,
            42,
          ],
        });
        assert.equal(read.length, 50);
        assert.deepEqual(read[0], {
          ...rows[rows.length - 1 - 49],
          partition: 3,
        });
        assert.equal(typeof read[0].offset, "number");
      } finally {
        await store.close();
      }
    });

    Deno.test("cassandra aggregate store: a row written before exact values is read from its double", async () => {
      const store = await connect();
      const client = new cassandra.Client({
        contactPoints: CASSANDRA_CONTACT_POINTS,
        localDataCenter: CASSANDRA_DC,
      });
      try {
        const s = unique();
        // What the previous code wrote: `value` only, no `exact_value`.
        await client.execute(
          `INSERT INTO ${KEYSPACE}.aggregates (stream, dimension, window_start, partition, key,
            value, source_offset) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [s, "all_revenue", new Date(0), 0, "all", 2 ** 53, cassandra.types.Long.fromNumber(4)],
          { prepare: true },
        );
        await store.write([{
          stream: s,
          dimension: "all_revenue",
          windowStart: 0,
          key: "all",
          partition: 1,
          value: 2n ** 64n + 1n,
          offset: 9,
        }]);
        assert.deepEqual(await store.totals(s, "all_revenue"), [
          { key: "all", value: 2n ** 53n + 2n ** 64n + 1n },
        ]);
        const [legacy] = await store.read({
          stream: s,
          dimension: "all_revenue",
          partition: 0,
          windowStarts: [0],
        });
        assert.deepEqual([legacy.value, legacy.offset], [2n ** 53n, 4]);
      } finally {
        await client.shutdown();
        await store.close();
      }
    });

    Deno.test("cassandra aggregate store: reading no windows returns no rows", async () => {
      const store = await connect();
      try {
        assert.deepEqual(
          await store.read({
            stream: unique(),
            dimension: "gender",
            partition: 0,
            windowStarts: [],
          }),
          [],
        );
      } finally {
        await store.close();
      }
    });
  },
);

Deno.test("cassandra aggregate store: a keyspace that is not a plain identifier is refused", async () => {
  await assert.rejects(
    CassandraAggregateStore.connect({
      contactPoints: CASSANDRA_CONTACT_POINTS,
      localDataCenter: CASSANDRA_DC,
      keyspace: "x; DROP KEYSPACE y",
    }),
    RangeError,
  );
});

Deno.test("cassandra aggregate store: an unreachable node fails with an error naming it", async () => {
  await assert.rejects(
    CassandraAggregateStore.connect({
      contactPoints: ["127.0.0.1:1"],
      localDataCenter: CASSANDRA_DC,
      keyspace: KEYSPACE,
      connectTimeoutMs: 500,
    }),
    (error: Error) =>
      error.message ===
        "cannot connect to Cassandra at 127.0.0.1:1: " +
          "127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1",
  );
});
