import assert from "node:assert/strict";
import { DEFAULTS, withConfig } from "../../config.ts";
import type { BrokerRecord } from "../ports.ts";
import { EmbeddedLog } from "../embedded/log_broker.ts";
import { SqliteRawStore } from "../embedded/raw_store.ts";
import { SqliteAggregateStore } from "../embedded/aggregate_store.ts";
import { SqliteEventIdStore } from "../embedded/event_id_store.ts";
import { StreamProcessor } from "../processor.ts";
import { runProducer } from "../producer.ts";
import { silentLogger } from "../logger.ts";
import { seededRandom } from "../random.ts";
import { until } from "../testing/until.ts";
import { generateUser } from "../users/generator.ts";
import { userKey } from "../users/user_key.ts";
import { USERS, usersStream } from "../users/users_stream.ts";
import { fileRecords } from "./file_source.ts";

const encoder = new TextEncoder();

function concat(...parts: Array<string | number[]>): Uint8Array {
  return new Uint8Array(
    parts.flatMap((p) => typeof p === "string" ? [...encoder.encode(p)] : p),
  );
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("a replayed file's bad lines reach users.dlq as the exact bytes of the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-replay-" });
  const broker = new EmbeddedLog({ path: `${dir}/log.db`, pollMs: 5 });
  const raw = new SqliteRawStore(`${dir}/store.db`);
  const aggregates = new SqliteAggregateStore(`${dir}/store.db`);
  const eventIds = new SqliteEventIdStore(`${dir}/store.db`);
  try {
    await broker.createTopics([USERS.topic, USERS.dlqTopic, USERS.liveTopic].map((name) => ({
      name,
      partitions: name === USERS.topic ? 4 : 1,
    })));
    const good = generateUser(seededRandom(4), Date.now());
    const bad = [
      concat("this is not JSON {"),
      concat([0xc3, 0x28], ' {"not": "UTF-8"}'),
      concat('{"login": {"uuid": "u-bad"}, "name": "', [0xff, 0xfe], '"}'),
      concat('  {"login": {"uuid": "u-x"}, "price": 1.10, "n": 1e2, "e": "\\u00e9"} \t'),
      concat("[1.10, 1e2]"),
    ];
    const path = `${dir}/users.jsonl`;
    await Deno.writeFile(
      path,
      concat(...bad.flatMap((line) => [[...line], "\r\n"]), JSON.stringify(good), "\n"),
    );

    const sent = await runProducer({
      broker,
      topic: USERS.topic,
      source: fileRecords(path, userKey),
      rate: 0,
      batchSize: 100,
      lingerMs: 5,
      signal: new AbortController().signal,
    });
    assert.equal(sent, bad.length + 1);

    const dead: BrokerRecord[] = [];
    const stop = new AbortController();
    const following = Promise.withResolvers<void>();
    const tailing = broker.tail({
      topics: [USERS.dlqTopic],
      signal: stop.signal,
      handle: (batch) => void dead.push(...batch.records),
      onReady: following.resolve,
    });
    await following.promise;
    const processing = new StreamProcessor(
      usersStream(withConfig(DEFAULTS, { stores: { dataDir: dir } })),
      {
        broker,
        raw,
        aggregates,
        eventIds,
        log: silentLogger,
      },
    ).run(USERS.group, stop.signal, 10);
    await until(async () => dead.length >= bad.length && (await raw.count(USERS.collection)) === 1);
    stop.abort();
    await Promise.all([tailing, processing]);

    assert.deepEqual(dead.map((r) => hex(r.value)).sort(), bad.map(hex).sort());
    assert.ok(dead.every((r) => r.headers.reason), "each with its reason");
    assert.equal((await raw.latest(USERS.collection))?.id, good.login.uuid);
  } finally {
    await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
    await Deno.remove(dir, { recursive: true });
  }
});
