import assert from "node:assert/strict";
import { SqliteRawStore } from "../pipeline/embedded/raw_store.ts";
import { READ_MODELS, readModelDocument } from "../pipeline/read_models.ts";
import { newestCollection, newestEntry } from "../pipeline/newest_documents.ts";
import type { RawStore, StoredDocument } from "../pipeline/ports.ts";
import { USERS } from "../pipeline/users/users_stream.ts";
import { lastUser, newestUserPage } from "./users_data.ts";
import { decodeCursor } from "../pipeline/cursor.ts";
import { withoutNewestIndex } from "../pipeline/testing/unindexed_raw_store.ts";

const user = (id: string, ts: number): StoredDocument => ({ id, ts, doc: { fullName: id } });

/** A raw store that counts the queries of the users collection (a scan on FerretDB). */
function counting(raw: RawStore): { raw: RawStore; userQueries: () => number } {
  let queries = 0;
  const counted: RawStore = Object.create(raw);
  counted.list = (collection, options) => {
    if (collection === USERS.collection) queries++;
    return raw.list(collection, options);
  };
  counted.all = (collection) => {
    if (collection === USERS.collection) queries++;
    return raw.all(collection);
  };
  counted.find = (collection, query) => {
    if (collection === USERS.collection) queries++;
    return raw.find(collection, query);
  };
  counted.latest = (collection) => {
    if (collection === USERS.collection) queries++;
    return raw.latest(collection);
  };
  return { raw: counted, userQueries: () => queries };
}

Deno.test("the newest users and the last user come from the kept newest entries, not a query of every user", async () => {
  const store = new SqliteRawStore(":memory:");
  const stored = [user("a", 1), user("b", 5), user("c", 3), user("d", 4)];
  await store.upsert(USERS.collection, stored);
  await store.upsert(newestCollection(USERS.name), [
    ...[user("b", 5), user("a", 1)].map((d) => newestEntry(0, d)),
    ...[user("d", 4), user("c", 3)].map((d) => newestEntry(1, d)),
  ]);
  const { raw, userQueries } = counting(withoutNewestIndex(store));
  const page = await newestUserPage(raw, 3);
  assert.deepEqual(page.items.map((d) => d.id), ["b", "d", "c"]);
  assert.deepEqual(
    decodeCursor(page.next!),
    { ts: 3, id: "c" },
    "the raw store reads on from there",
  );
  const rest = await store.list(USERS.collection, { limit: 3, cursor: page.next! });
  assert.deepEqual(rest.items.map((d) => d.id), ["a"]);
  assert.equal((await newestUserPage(raw, 10)).next, null, "every user fits in the page");
  assert.equal((await lastUser(raw))?.id, "b");
  assert.equal(userQueries(), 0);
  await store.close();
});

Deno.test("without kept newest entries (none saved yet) the raw store is read", async () => {
  const store = new SqliteRawStore(":memory:");
  await store.upsert(USERS.collection, [user("a", 1), user("b", 2)]);
  await store.upsert(READ_MODELS, [readModelDocument(USERS.name, { partition: 0, model: {} }, 9)]);
  const { raw, userQueries } = counting(withoutNewestIndex(store));
  assert.equal((await lastUser(raw))?.id, "b");
  assert.deepEqual((await newestUserPage(raw, 5)).items.map((d) => d.id), ["b", "a"]);
  assert.equal(userQueries(), 2);
  await store.close();
});

Deno.test("a raw store that lists newest first from an index is read, not entries an earlier version kept", async () => {
  const store = new SqliteRawStore(":memory:");
  await store.upsert(USERS.collection, [user("a", 1), user("b", 5), user("c", 3)]);
  // Left by a version that kept entries on this store: no longer updated, so not read.
  await store.upsert(newestCollection(USERS.name), [newestEntry(0, user("stale", 9))]);
  const page = await newestUserPage(store, 2);
  assert.deepEqual(page.items.map((d) => d.id), ["b", "c"]);
  assert.deepEqual(decodeCursor(page.next!), { ts: 3, id: "c" });
  assert.equal((await lastUser(store))?.id, "b");
  await store.close();
});
