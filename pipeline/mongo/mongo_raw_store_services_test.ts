import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import { MongoRawStore } from "./mongo_raw_store.ts";
import { runRawStoreContract } from "../testing/store_contracts.ts";
import { mongoAddress, MONGODB_URL, withService } from "../testing/services.ts";

const DB = "streamboard_test";
const unique = () => `mongo_test_${crypto.randomUUID().slice(0, 8)}`;
const docs = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => ({ id: `id-${i}`, ts: 1_000 + i, doc: { n: i } }),
  );

await withService(
  { name: "MongoDB", address: mongoAddress(MONGODB_URL) },
  () => {
    runRawStoreContract(
      "mongo raw store",
      () => MongoRawStore.connect(MONGODB_URL, DB),
    );

    Deno.test("mongo raw store: replaying and changing hundreds of stored documents completes", async () => {
      const store = await MongoRawStore.connect(MONGODB_URL, DB);
      try {
        const c = unique();
        const first = docs(300);
        await store.upsert(c, first);
        const changed = first.map((d, i) => i < 150 ? d : { ...d, doc: { n: -d.doc.n } });
        await store.upsert(c, changed);
        assert.equal(await store.count(c), 300);
        const all = [];
        for await (const d of store.all(c)) all.push(d);
        const byId = new Map(all.map((d) => [d.id, d.doc.n]));
        assert.equal(byId.get("id-10"), 10, "a replayed document is kept");
        assert.equal(byId.get("id-200"), -200, "a changed document is replaced");
      } finally {
        await store.close();
      }
    });

    Deno.test("mongo raw store: one new document is written as fast into a large collection as into an empty one", async () => {
      // FerretDB's updates by _id slow down with the collection (0.5-1 s at
      // 30,000 profiles): a processor's single-record batches must not update.
      const store = await MongoRawStore.connect(MONGODB_URL, DB);
      try {
        const c = unique();
        // Shaped like a user profile: ten nested objects of five fields.
        const padding = Object.fromEntries(
          Array.from({ length: 10 }, (_, o) => [
            `part${o}`,
            Object.fromEntries(
              Array.from({ length: 5 }, (_, f) => [`field${f}`, `value ${o}.${f}`]),
            ),
          ]),
        );
        const large = Array.from(
          { length: 20_000 },
          (_, i) => ({ id: `big-${i}`, ts: i, doc: { n: i, padding } }),
        );
        for (let i = 0; i < large.length; i += 2000) {
          await store.upsert(c, large.slice(i, i + 2000));
        }
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const started = performance.now();
          await store.upsert(c, [{ id: `one-${i}`, ts: 1e9 + i, doc: { n: i, padding } }]);
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        assert.ok(times[2] < 200, `median single upsert took ${times[2].toFixed(0)} ms`);
        assert.deepEqual((await store.get(c, "one-4"))?.doc, { n: 4, padding });
        assert.deepEqual((await store.get(c, "big-0"))?.doc, { n: 0, padding });
      } finally {
        await store.close();
      }
    });

    Deno.test("mongo raw store: documents are { _id, ts, doc } with a newest-first index", async () => {
      const store = await MongoRawStore.connect(MONGODB_URL, DB);
      const client = new MongoClient(MONGODB_URL);
      try {
        const c = unique();
        await store.upsert(c, docs(2));
        const raw = await client.db(DB).collection(c).find({}, {
          sort: { _id: 1 },
        }).toArray();
        assert.deepEqual(raw, [{ _id: "id-0", ts: 1000, doc: { n: 0 } }, {
          _id: "id-1",
          ts: 1001,
          doc: { n: 1 },
        }]);
        const indexes = await client.db(DB).collection(c).listIndexes()
          .toArray();
        assert.deepEqual(
          indexes.find((i) => i.name === "newest_first")?.key,
          { ts: -1, _id: -1 },
        );
      } finally {
        await Promise.all([store.close(), client.close()]);
      }
    });

    Deno.test("mongo raw store: all() reads page by page, and stopping early releases the cursor", async () => {
      const store = await MongoRawStore.connect(MONGODB_URL, DB, {
        pageSize: 3,
      });
      try {
        const c = unique();
        await store.upsert(c, docs(10));
        const ids: string[] = [];
        for await (const d of store.all(c)) {
          ids.push(d.id);
        }
        // Storage order (as inserted), not sorted: see `all`.
        assert.deepEqual(ids, docs(10).map((d) => d.id));
        for await (const d of store.all(c)) if (d.id === "id-8") break;
      } finally {
        await store.close();
      }
    });
  },
);

Deno.test("mongo raw store: an unreachable server fails in time with an error naming it", async () => {
  const started = Date.now();
  await assert.rejects(
    MongoRawStore.connect("mongodb://user:secret@127.0.0.1:1/", DB, {
      serverSelectionTimeoutMS: 300,
    }),
    (error: Error) =>
      error.message.startsWith(
        "cannot connect to MongoDB at mongodb://127.0.0.1:1/: ",
      ) &&
      !error.message.includes("secret"),
  );
  assert.ok(Date.now() - started < 3000);
});
