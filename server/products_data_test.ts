import assert from "node:assert/strict";
import { SqliteRawStore } from "../pipeline/embedded/raw_store.ts";
import { SqliteAggregateStore } from "../pipeline/embedded/aggregate_store.ts";
import { READ_MODELS, readModelDocument } from "../pipeline/read_models.ts";
import { PRODUCTS, productsReadModel } from "../pipeline/products/products_stream.ts";
import type { JsonObject } from "../pipeline/ports.ts";
import { productsSnapshot } from "./products_data.ts";

const T0 = Date.UTC(2025, 1, 16, 7, 28, 0);

Deno.test("the products page shows open windows and the watermark from the read model", async () => {
  const raw = new SqliteRawStore(":memory:");
  const aggregates = new SqliteAggregateStore(":memory:");
  const before = await productsSnapshot(raw, aggregates);
  assert.deepEqual([before.open, before.watermark], [[], null], "nothing before a read model");
  // What the processor writes beside the checkpoint of a partition with one open window.
  const model = productsReadModel({
    offset: 4,
    maxEventTime: T0 + 75_000,
    watermark: T0 + 70_000,
    windows: [{ start: T0, value: { records: 5, sumPrice: "100.00", sumTotal: "118.00" } }],
  }, 120_000);
  await raw.upsert(READ_MODELS, [
    readModelDocument(PRODUCTS.name, { partition: 0, model: model as unknown as JsonObject }, T0),
  ]);
  const snapshot = await productsSnapshot(raw, aggregates);
  assert.deepEqual(snapshot.open, [{
    start: "2025-02-16 07:28:00",
    end: "2025-02-16 07:30:00",
    records: 5,
    sumPrice: "100.00",
    sumTotal: "118.00",
  }]);
  assert.equal(snapshot.watermark, "2025-02-16 07:29:10");
  await Promise.all([raw.close(), aggregates.close()]);
});
