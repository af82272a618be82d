/**
 * Errors by meaning, end to end on the embedded pipeline: a transform that
 * throws on every record of a partition stops that partition at the
 * threshold and fails `/readyz`; after the fix and a restart every record
 * not dead-lettered is processed exactly once. A store outage is retried
 * and never dead-lettered; a missing topic stops the partition.
 */

import assert from "node:assert/strict";
import { DEFAULTS, withConfig } from "../config.ts";
import manifest from "../fresh.gen.ts";
import { createApp } from "../server/app.ts";
import type { AppState } from "../server/state.ts";
import { GroupLagTracker } from "../pipeline/lag/group_lag_tracker.ts";
import { metricsPort } from "../server/metrics/metrics_port.ts";
import { HealthBoard, healthPort, type Readiness } from "../server/health.ts";
import { EmbeddedLog } from "../pipeline/embedded/log_broker.ts";
import { SqliteRawStore } from "../pipeline/embedded/raw_store.ts";
import { SqliteAggregateStore } from "../pipeline/embedded/aggregate_store.ts";
import { SqliteEventIdStore } from "../pipeline/embedded/event_id_store.ts";
import { StreamProcessor } from "../pipeline/processor.ts";
import type { StreamDefinition } from "../pipeline/processor.ts";
import { USERS, usersStream } from "../pipeline/users/users_stream.ts";
import { generateUser } from "../pipeline/users/generator.ts";
import { seededRandom } from "../pipeline/random.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { delay } from "../pipeline/async.ts";
import { UnavailableError } from "../pipeline/errors.ts";
import type { BrokerRecord, RawStore } from "../pipeline/ports.ts";
import { registryPages } from "../server/pages.ts";
import { STREAMS } from "../pipeline/stream_registry.ts";
import { pageHubs } from "../server/live_feed.ts";
import { override } from "../pipeline/testing/crashing.ts";
import { TopicRates } from "../server/topic_rates.ts";

const encoder = new TextEncoder();
const NOW = Date.now();

async function setup(topics = [USERS.topic, USERS.dlqTopic, USERS.liveTopic]) {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-health-" });
  const broker = new EmbeddedLog({ path: `${dir}/log.db`, pollMs: 5 });
  await broker.createTopics(
    topics.map((name) => ({ name, partitions: name === USERS.topic ? 2 : 1 })),
  );
  const pipeline = {
    broker,
    raw: new SqliteRawStore(`${dir}/store.db`),
    aggregates: new SqliteAggregateStore(`${dir}/store.db`),
    eventIds: new SqliteEventIdStore(`${dir}/store.db`),
  };
  const board = new HealthBoard();
  const pages = registryPages(STREAMS, { ...pipeline, now: Date.now });
  const state: AppState = {
    config: withConfig(DEFAULTS, { stores: { dataDir: dir } }),
    registry: STREAMS,
    ...pipeline,
    pages,
    hubs: pageHubs(pages, { sseReplay: 10, sseClientBuffer: 10 }),
    log: silentLogger,
    health: healthPort({
      board,
      probes: [
        { name: "broker", check: () => broker.partitions(USERS.topic) },
        { name: "raw store", check: () => pipeline.raw.latest(USERS.collection) },
      ],
      probeTimeoutMs: 1000,
    }),
    topicRates: new TopicRates(),
    lag: new GroupLagTracker({ sampleMs: 5000 }),
    metrics: metricsPort({ providers: [], timeoutMs: 1000, log: silentLogger }),
    now: Date.now,
  };
  const app = createApp(manifest, state);
  const close = async () => {
    for (const h of state.hubs.values()) h.close();
    await Promise.all(Object.values(pipeline).map((p) => p.close()));
    await Deno.remove(dir, { recursive: true });
  };
  return { ...pipeline, board, app, close };
}

/** Produces `count` users; returns how many landed on each partition. */
async function produceUsers(broker: EmbeddedLog, count: number, seed = 11) {
  const random = seededRandom(seed);
  const users = Array.from({ length: count }, (_, i) => generateUser(random, NOW + i));
  await broker.produce(
    USERS.topic,
    users.map((u, i) => ({
      key: u.login.uuid,
      value: encoder.encode(JSON.stringify(u)),
      timestamp: NOW + i,
    })),
  );
}

/** Every record of a topic, by reading it as a fresh group. */
async function readAll(broker: EmbeddedLog, topic: string): Promise<BrokerRecord[]> {
  const records: BrokerRecord[] = [];
  const controller = new AbortController();
  const reading = broker.consume({
    groupId: `read-${crypto.randomUUID()}`,
    topics: [topic],
    signal: controller.signal,
    handle: (batch) => Promise.resolve(void records.push(...batch.records)),
  });
  await delay(100);
  controller.abort();
  await reading;
  return records;
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(10);
  }
}

type User = Parameters<ReturnType<typeof usersStream>["contributions"]>[0];

/** The users stream with a transform that throws on every record of partition 0: a broken deployment. */
function brokenOnPartition0(): StreamDefinition<User, unknown> {
  const stream = usersStream(DEFAULTS);
  return {
    ...stream,
    document: (user: User, record: BrokerRecord) => {
      if (record.partition === 0) throw new Error("the deployed transform is broken");
      return stream.document!(user, record);
    },
  } as StreamDefinition<User, unknown>;
}

Deno.test("every record of a partition throws: it stops at the threshold, /readyz fails; fixed and restarted, each record not dead-lettered is processed once", async () => {
  const { broker, raw, aggregates, eventIds, board, app, close } = await setup();
  try {
    await produceUsers(broker, 120);
    const input = await readAll(broker, USERS.topic);
    const onPartition = (p: number) => input.filter((r) => r.partition === p).length;
    assert.ok(onPartition(0) >= 30 && onPartition(1) >= 30, "both partitions hold records");

    const broken = new StreamProcessor(brokenOnPartition0(), {
      broker,
      raw,
      aggregates,
      eventIds,
      log: silentLogger,
      report: (event) => board.report(event),
    });
    const stopBroken = new AbortController();
    const running = broken.run(USERS.group, stopBroken.signal, 5);
    await until(
      "partition 0 stops and partition 1 is processed",
      async () =>
        board.stopped().length === 1 && (await raw.count(USERS.collection)) === onPartition(1),
    );

    const [stop] = board.stopped();
    assert.equal(stop.partition, 0);
    assert.equal(stop.code, "processing-errors");
    // Batches of 5: offsets 0-14 were dead-lettered one by one; offset 19 is the 20th failure
    // in a row (the minimum sample), so the batch 15-19 is neither written nor committed.
    assert.equal(stop.offset, 19);
    assert.match(stop.reason, /more than 5 % .* the deployed transform is broken/);

    const ready = await app.request("/readyz");
    assert.equal(ready.status, 503);
    const body = await ready.json() as Readiness;
    assert.equal(body.ready, false);
    assert.deepEqual(body.stopped.map((s) => [s.stream, s.partition, s.code]), [
      ["users", 0, "processing-errors"],
    ]);
    assert.ok(body.dependencies.every((d) => d.ok), "the broker and stores answer");

    const healthz = await app.request("/healthz");
    assert.equal(healthz.status, 200, "the process lives");
    const health = await healthz.json();
    assert.equal(health.status, "degraded");
    assert.equal(health.processingErrors.total, 15);

    stopBroken.abort();
    await running;

    // The fix is deployed and the processor restarted.
    board.processorStarted({ stream: USERS.name, worker: 1 });
    const fixed = new StreamProcessor(usersStream(DEFAULTS), {
      broker,
      raw,
      aggregates,
      eventIds,
      log: silentLogger,
      report: (event) => board.report(event),
    });
    const stopFixed = new AbortController();
    const runningFixed = fixed.run(USERS.group, stopFixed.signal, 5);
    await until(
      "every record not dead-lettered is stored",
      async () => (await raw.count(USERS.collection)) === input.length - 15,
    );
    await delay(100);
    stopFixed.abort();
    await runningFixed;

    const dead = await readAll(broker, USERS.dlqTopic);
    assert.equal(dead.length, 15, "no record dead-lettered twice, none after the fix");
    assert.ok(dead.every((d) => d.headers.reason === "processing-error"));
    assert.ok(dead.every((d) => /health_routes_test\.ts/.test(d.headers["exception.stacktrace"])));
    assert.deepEqual(
      dead.map((d) => Number(d.headers["source.offset"])),
      Array.from({ length: 15 }, (_, i) => i),
    );
    const genders = await aggregates.totals("users", "gender");
    assert.equal(
      genders.reduce((sum, g) => sum + Number(g.value), 0),
      input.length - 15,
      "each record not dead-lettered counted exactly once",
    );
    assert.equal((await app.request("/readyz")).status, 200, "ready again after the restart");
  } finally {
    await close();
  }
});

Deno.test("a store outage is retried with backoff and never dead-lettered", async () => {
  const { broker, raw, aggregates, eventIds, board, close } = await setup();
  try {
    await produceUsers(broker, 40);
    let outage = true;
    let failures = 0;
    const flaky: RawStore = override(raw, {
      upsert: (collection: string, docs: Parameters<RawStore["upsert"]>[1]) => {
        if (outage) {
          failures++;
          return Promise.reject(new UnavailableError("MongoDB", "the raw store does not answer"));
        }
        return raw.upsert(collection, docs);
      },
    });
    const processor = new StreamProcessor(usersStream(DEFAULTS), {
      broker,
      raw: flaky,
      aggregates,
      eventIds,
      log: silentLogger,
      retryInitialMs: 5,
      retryMaxMs: 10,
      report: (event) => board.report(event),
    });
    const controller = new AbortController();
    const running = processor.run(USERS.group, controller.signal, 10);
    await until("the outage has been retried", () => failures >= 5);
    assert.equal(await raw.count(USERS.collection), 0);
    outage = false;
    await until("every record is stored", async () => (await raw.count(USERS.collection)) === 40);
    controller.abort();
    await running;
    assert.equal((await readAll(broker, USERS.dlqTopic)).length, 0, "nothing dead-lettered");
    assert.deepEqual(board.health(), {
      status: "ok",
      processingErrors: { total: 0, partitions: [] },
      stopped: [],
    });
  } finally {
    await close();
  }
});

Deno.test("a missing dead-letter topic stops the partition loudly instead of being retried or taken for bad input", async () => {
  const { broker, raw, aggregates, eventIds, board, close } = await setup([
    USERS.topic,
    USERS.liveTopic,
  ]);
  try {
    await broker.produce(USERS.topic, [{ key: "k", value: encoder.encode("{not json") }]);
    const errors: string[] = [];
    const processor = new StreamProcessor(usersStream(DEFAULTS), {
      broker,
      raw,
      aggregates,
      eventIds,
      log: { ...silentLogger, error: (m) => errors.push(m) },
      retryInitialMs: 5,
      retryMaxMs: 10,
      report: (event) => board.report(event),
    });
    const controller = new AbortController();
    const running = processor.run(USERS.group, controller.signal, 10);
    await until("the partition stops", () => board.stopped().length === 1);
    controller.abort();
    await running;
    const [stop] = board.stopped();
    assert.equal(stop.code, "missing-topic");
    assert.match(stop.reason, /topic "users\.dlq" does not exist/);
    assert.equal(errors.filter((e) => /could not dead-letter/.test(e)).length, 0, "not retried");
    assert.match(errors.join("\n"), /stopped before offset 0/);
  } finally {
    await close();
  }
});
