import assert from "node:assert/strict";
import { DEFAULTS } from "../config.ts";
import type { BrokerRecord, RecordBatch } from "./ports.ts";
import { EmbeddedLog } from "./embedded/log_broker.ts";
import { SqliteRawStore } from "./embedded/raw_store.ts";
import { SqliteAggregateStore } from "./embedded/aggregate_store.ts";
import { SqliteEventIdStore } from "./embedded/event_id_store.ts";
import { StreamProcessor } from "./processor.ts";
import { NEWEST_KEPT, USERS, usersStream } from "./users/users_stream.ts";
import { generateUser } from "./users/generator.ts";
import { seededRandom } from "./random.ts";
import { silentLogger } from "./logger.ts";
import { newestDocuments, READ_MODELS, readModelDocument, readModelId } from "./read_models.ts";
import { newestCollection, newestEntry } from "./newest_documents.ts";
import type { RawStore, StoredDocument } from "./ports.ts";
import { withoutNewestIndex } from "./testing/unindexed_raw_store.ts";

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const encoder = new TextEncoder();
const random = seededRandom(11);

/** `count` users of one partition from `offset` on, produced a second apart (partitions interleave). */
function batch(partition: number, offset: number, count: number): RecordBatch {
  const records: BrokerRecord[] = Array.from({ length: count }, (_, i) => {
    const user = generateUser(random, NOW);
    return {
      topic: USERS.topic,
      partition,
      offset: offset + i,
      key: user.login.uuid,
      value: encoder.encode(JSON.stringify(user)),
      headers: {},
      timestamp: NOW + (offset + i) * 1000 + partition * 10,
    };
  });
  return { topic: USERS.topic, partition, records };
}

/**
 * A processor's stores in a temporary folder, the users topics with
 * `partitions` each; `wrap` may stand in front of the raw store (by default
 * one that does not list from an index, so the processor keeps its newest).
 */
async function openStores(partitions: number, wrap = withoutNewestIndex) {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-newest-" });
  const broker = new EmbeddedLog({ path: `${dir}/log.db`, pollMs: 5 });
  await broker.createTopics([USERS.topic, USERS.dlqTopic, USERS.liveTopic].map((name) => ({
    name,
    partitions,
  })));
  const store = new SqliteRawStore(`${dir}/store.db`);
  const stores = {
    broker,
    raw: wrap(store),
    aggregates: new SqliteAggregateStore(`${dir}/store.db`),
    eventIds: new SqliteEventIdStore(`${dir}/store.db`),
    log: silentLogger,
    now: () => NOW + 3_600_000,
  };
  const close = async () => {
    await store.close();
    await stores.aggregates.close();
    await stores.eventIds.close();
    await broker.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { store, stores, close };
}

Deno.test("the users' read models hold the newest users the raw store lists, across partitions and members", async () => {
  const { stores, close } = await openStores(2);
  const signal = new AbortController().signal;
  const newestListed = async () =>
    (await stores.raw.list(USERS.collection, { limit: NEWEST_KEPT })).items.map((d) => d.id);
  const newestKept = async () =>
    (await newestDocuments(stores.raw, USERS.name, NEWEST_KEPT))?.map((d) => d.id);
  try {
    const first = new StreamProcessor(usersStream(DEFAULTS), stores);
    await first.handle(batch(0, 0, 40), signal);
    await first.handle(batch(1, 0, 40), signal);
    await first.handle(batch(0, 40, 20), signal);
    assert.deepEqual(await newestKept(), await newestListed());
    // Another member takes partition 1 over (a rebalance): it starts from the saved read model.
    const second = new StreamProcessor(usersStream(DEFAULTS), stores);
    await second.handle(batch(1, 40, 30), signal);
    const kept = await newestKept();
    assert.equal(kept?.length, NEWEST_KEPT);
    assert.deepEqual(kept, await newestListed());
    // The same batch again (delivered twice) changes nothing.
    const again = batch(1, 70, 5);
    await second.handle(again, signal);
    const once = await newestKept();
    await new StreamProcessor(usersStream(DEFAULTS), stores).handle(again, signal);
    assert.deepEqual(await newestKept(), once);
    // Users that left a partition's newest are removed: each partition keeps at most its newest.
    assert.equal(await stores.raw.count(newestCollection(USERS.name)), 2 * NEWEST_KEPT);
  } finally {
    await close();
  }
});

/** A raw store that counts the documents upserted to each collection. */
function countingUpserts(raw: RawStore): { raw: RawStore; upserted: Map<string, number> } {
  const upserted = new Map<string, number>();
  const upsert = (collection: string, docs: StoredDocument[]) => {
    upserted.set(collection, (upserted.get(collection) ?? 0) + docs.length);
    return raw.upsert(collection, docs);
  };
  const counted = new Proxy(raw, {
    get(target, name) {
      if (name === "upsert") return upsert;
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { raw: counted, upserted };
}

Deno.test("a batch writes the newest users it adds, not every kept one again; an earlier version's read model is moved once", async () => {
  let upserted = new Map<string, number>();
  const { store, stores, close } = await openStores(1, (raw) => {
    const counting = countingUpserts(withoutNewestIndex(raw));
    upserted = counting.upserted;
    return counting.raw;
  });
  const signal = new AbortController().signal;
  try {
    // An earlier version kept partition 0's newest in its read model.
    const legacy = batch(0, 0, 3).records.map((r, i): StoredDocument => ({
      id: `legacy-${i}`,
      ts: r.timestamp - 10_000,
      doc: { legacy: i },
    }));
    const old = readModelDocument(USERS.name, { partition: 0, model: {} }, NOW);
    old.doc.newest = JSON.stringify(legacy);
    await store.upsert(READ_MODELS, [old]);
    const processor = new StreamProcessor(usersStream(DEFAULTS), stores);
    await processor.handle(batch(0, 0, 2), signal);
    assert.deepEqual(
      (await newestDocuments(withoutNewestIndex(store), USERS.name, NEWEST_KEPT))?.map((d) => d.id)
        .slice(2),
      ["legacy-2", "legacy-1", "legacy-0"],
    );
    assert.equal(upserted.get(newestCollection(USERS.name)), 3 + 2);
    for (let offset = 2; offset < 2 + 60; offset++) {
      await processor.handle(batch(0, offset, 1), signal);
    }
    assert.equal(
      upserted.get(newestCollection(USERS.name)),
      3 + 2 + 60,
      "one entry per user added",
    );
    assert.equal(await store.count(newestCollection(USERS.name)), NEWEST_KEPT);
    const saved = await store.get(READ_MODELS, readModelId(USERS.name, 0));
    assert.equal(saved?.doc.newest, undefined, "the read model no longer holds them");
  } finally {
    await close();
  }
});

Deno.test("on a raw store that lists newest first from an index, the processor keeps no newest entries and removes an earlier version's", async () => {
  const { store, stores, close } = await openStores(2, (raw) => raw);
  const signal = new AbortController().signal;
  try {
    assert.equal(store.listsNewestFromIndex, true);
    // Entries a version that kept them left in partition 0 and 1.
    await store.upsert(newestCollection(USERS.name), [
      newestEntry(0, { id: "old-0", ts: NOW, doc: {} }),
      newestEntry(1, { id: "old-1", ts: NOW, doc: {} }),
    ]);
    const processor = new StreamProcessor(usersStream(DEFAULTS), stores);
    await processor.handle(batch(0, 0, 30), signal);
    const ids = async () =>
      (await Array.fromAsync(store.all(newestCollection(USERS.name)))).map((d) => d.id);
    assert.deepEqual(await ids(), ["old-1"], "partition 0's are gone once it is held");
    await processor.handle(batch(1, 0, 30), signal);
    await processor.handle(batch(0, 30, 30), signal);
    assert.deepEqual(await ids(), [], "and nothing is kept as the users come");
    assert.equal(await store.count(USERS.collection), 90, "every user is stored");
  } finally {
    await close();
  }
});
