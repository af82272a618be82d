import assert from "node:assert/strict";
import { SqliteRawStore } from "../pipeline/embedded/raw_store.ts";
import { READ_MODELS, readModelDocument } from "../pipeline/read_models.ts";
import { SqliteAggregateStore } from "../pipeline/embedded/aggregate_store.ts";
import { override } from "../pipeline/testing/crashing.ts";
import { clicksSnapshot, seriesEnd, topicWatermarks } from "./clicks_data.ts";

Deno.test("a topic's watermark is the lowest of its partitions' read models", async () => {
  const raw = new SqliteRawStore(":memory:");
  await raw.upsert(READ_MODELS, [
    readModelDocument("clicks", { partition: 0, model: { watermark: 9_000 } }, 0),
    readModelDocument("clicks", { partition: 1, model: { watermark: 4_000 } }, 0),
    readModelDocument("clicks", { partition: 2, model: { watermark: null } }, 0),
    readModelDocument("views", { partition: 0, model: { watermark: 7_000 } }, 0),
    readModelDocument("products", { partition: 0, model: { watermark: 1 } }, 0),
  ]);
  assert.deepEqual(await topicWatermarks(raw), { clicks: 4_000, views: 7_000 });
  await raw.close();
});

Deno.test("average ratings come from counts and sums of one moment, even while batches land between reads", async () => {
  const raw = new SqliteRawStore(":memory:");
  const store = new SqliteAggregateStore(":memory:");
  const cell = (dimension: string, value: bigint, offset: number) => ({
    stream: "ratings",
    dimension,
    windowStart: 0,
    key: "8",
    partition: 0,
    value,
    offset,
  });
  await store.write([cell("item", 1n, 0), cell("rating_sum", 5n, 0)]);
  let landed = 0;
  // A batch of two more ratings (4 and 5) is stored right after each of the first two sum reads.
  const racing = override(store, {
    totals: async (stream: string, dimension: string) => {
      const read = await store.totals(stream, dimension);
      if (stream === "ratings" && dimension === "rating_sum" && landed < 2) {
        landed++;
        const n = 1 + 2 * landed;
        await store.write([
          cell("item", BigInt(n), n),
          cell("rating_sum", BigInt(5 + 9 * landed), n),
        ]);
      }
      return read;
    },
  });
  const { ratings } = await clicksSnapshot(raw, racing, Date.now());
  assert.deepEqual(ratings.find((r) => r.item === 8), { item: 8, average: 4.6, count: 5 });
  await Promise.all([raw.close(), store.close()]);
});

Deno.test("the page's sessions per device add up every partition's read model of the sessions stream", async () => {
  const raw = new SqliteRawStore(":memory:");
  const aggregates = new SqliteAggregateStore(":memory:");
  const none = { sessions: 0, events: 0, durationMs: 0 };
  await raw.upsert(READ_MODELS, [
    readModelDocument("sessions", {
      partition: 0,
      model: {
        mobile: { sessions: 2, events: 5, durationMs: 180_000 },
        desktop: { sessions: 1, events: 1, durationMs: 0 },
        tablet: none,
        none: { sessions: 1, events: 2, durationMs: 30_000 },
      },
    }, 0),
    readModelDocument("sessions", {
      partition: 1,
      model: {
        mobile: { sessions: 1, events: 4, durationMs: 60_000 },
        desktop: none,
        tablet: none,
        none: none,
      },
    }, 0),
    // Another stream's read model is not a session total.
    readModelDocument("clicks", { partition: 0, model: { watermark: 9_000 } }, 0),
  ]);
  const { sessions } = await clicksSnapshot(raw, aggregates, Date.now());
  assert.deepEqual(sessions, {
    mobile: { sessions: 3, meanDurationMs: 80_000, eventsPerSession: 3 },
    desktop: { sessions: 1, meanDurationMs: 0, eventsPerSession: 1 },
    tablet: { sessions: 0, meanDurationMs: 0, eventsPerSession: 0 },
    none: { sessions: 1, meanDurationMs: 30_000, eventsPerSession: 2 },
  });
  await Promise.all([raw.close(), aggregates.close()]);
});

Deno.test("the rate line ends at the newest second every live topic's watermark has passed", () => {
  const now = 100_400;
  assert.equal(seriesEnd(now, []), 100_000, "no watermark yet: up to now");
  assert.equal(seriesEnd(now, [94_999, 97_000]), 95_000, "second 94 is passed at 94.999");
  assert.equal(seriesEnd(now, [94_998]), 94_000);
  assert.equal(
    seriesEnd(now, [30_000, 97_000]),
    97_000,
    "a topic quiet for a minute does not hold it",
  );
  assert.equal(seriesEnd(now, [200_000]), 100_000, "never past now");
});
