import assert from "node:assert/strict";
import { SqliteRawStore } from "../pipeline/embedded/raw_store.ts";
import { READ_MODELS, readModelDocument } from "../pipeline/read_models.ts";
import { topicWatermarks } from "./clicks_data.ts";

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
