import assert from "node:assert/strict";
import { SqliteRawStore } from "./embedded/raw_store.ts";
import { READ_MODELS, readModel, readModelDocument, readModels } from "./read_models.ts";

Deno.test("a partition's read model replaces the one before it and is read back by stream", async () => {
  const raw = new SqliteRawStore(":memory:");
  await raw.upsert(READ_MODELS, [
    readModelDocument("clicks", { partition: 0, model: { watermark: 1 } }, 10),
    readModelDocument("clicks", { partition: 1, model: { watermark: 5 } }, 10),
    readModelDocument("views", { partition: 0, model: { watermark: 7 } }, 10),
  ]);
  // Written again after the next batch (or again after a crash): the newest wins.
  await raw.upsert(READ_MODELS, [
    readModelDocument("clicks", { partition: 0, model: { watermark: 3 } }, 20),
  ]);
  assert.deepEqual(await readModel(raw, "clicks", 0), { watermark: 3 });
  assert.equal(await readModel(raw, "clicks", 2), undefined);
  const models = await readModels(raw, ["clicks", "ratings"]);
  assert.deepEqual(
    models.get("clicks")?.sort((a, b) => a.partition - b.partition),
    [{ partition: 0, model: { watermark: 3 } }, { partition: 1, model: { watermark: 5 } }],
  );
  assert.deepEqual(models.get("ratings"), [], "a stream with no read model yet");
  assert.equal(models.has("views"), false, "only the streams asked for");
  await raw.close();
});
