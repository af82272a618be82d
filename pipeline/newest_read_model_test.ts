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
import { newestDocuments } from "./read_models.ts";

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

Deno.test("the users' read models hold the newest users the raw store lists, across partitions and members", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-newest-" });
  const broker = new EmbeddedLog({ path: `${dir}/log.db`, pollMs: 5 });
  await broker.createTopics([USERS.topic, USERS.dlqTopic, USERS.liveTopic].map((name) => ({
    name,
    partitions: 2,
  })));
  const stores = {
    broker,
    raw: new SqliteRawStore(`${dir}/store.db`),
    aggregates: new SqliteAggregateStore(`${dir}/store.db`),
    eventIds: new SqliteEventIdStore(`${dir}/store.db`),
    log: silentLogger,
    now: () => NOW + 3_600_000,
  };
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
  } finally {
    await stores.raw.close();
    await stores.aggregates.close();
    await stores.eventIds.close();
    await broker.close();
    await Deno.remove(dir, { recursive: true });
  }
});
