import assert from "node:assert/strict";
import { withoutLoginSecrets } from "./users/login_secrets.ts";
import { DEFAULTS } from "../config.ts";
import type { AggregateStore, OutgoingRecord, RawStore } from "./ports.ts";
import { EmbeddedLog } from "./embedded/log_broker.ts";
import { SqliteRawStore } from "./embedded/raw_store.ts";
import { SqliteAggregateStore } from "./embedded/aggregate_store.ts";
import { SqliteEventIdStore } from "./embedded/event_id_store.ts";
import { checkpointId, CHECKPOINTS, StreamProcessor } from "./processor.ts";
import { storedRecord, USERS, usersStream } from "./users/users_stream.ts";
import { generateUser } from "./users/generator.ts";
import { seededRandom } from "./random.ts";
import { silentLogger } from "./logger.ts";
import { delay } from "./async.ts";
import { Crashing, override } from "./testing/crashing.ts";
import type { BatchMetrics } from "./batch_metrics.ts";

const encoder = new TextEncoder();
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

async function setup(partitions = 3) {
  const dir = await Deno.makeTempDir({ prefix: "streamboard-processor-" });
  const broker = new EmbeddedLog({ path: `${dir}/log.db`, pollMs: 5 });
  await broker.createTopics([USERS.topic, USERS.dlqTopic, USERS.liveTopic].map((name) => ({
    name,
    partitions: name === USERS.topic ? partitions : 1,
  })));
  return {
    dir,
    broker,
    raw: new SqliteRawStore(`${dir}/store.db`),
    aggregates: new SqliteAggregateStore(`${dir}/store.db`),
    eventIds: new SqliteEventIdStore(`${dir}/store.db`),
  };
}

function users(count: number, seed = 7) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => generateUser(random, NOW + i));
}

function records(list: ReturnType<typeof users>): OutgoingRecord[] {
  return list.map((u, i) => ({
    key: u.login.uuid,
    value: encoder.encode(JSON.stringify(u)),
    timestamp: NOW + i * 500,
  }));
}

async function genderTotals(store: AggregateStore) {
  const totals = Object.fromEntries(
    (await store.totals("users", "gender")).map((t) => [t.key, Number(t.value)]),
  );
  return { male: totals.male ?? 0, female: totals.female ?? 0, other: totals.other ?? 0 };
}

function expectedGenders(list: ReturnType<typeof users>) {
  const out = { male: 0, female: 0, other: 0 };
  for (const u of list) out[u.gender as "male" | "female"]++;
  return out;
}

/** Runs a processor until `done()` holds, then stops it. */
async function runUntil(
  processor: StreamProcessor<unknown>,
  done: () => Promise<boolean>,
  timeoutMs = 20_000,
) {
  const controller = new AbortController();
  const running = processor.run(USERS.group, controller.signal, 50).catch(() => {});
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("processor did not finish in time");
    await delay(20);
  }
  controller.abort();
  await running;
}

Deno.test("processor stores every user, counts genders, countries and age bands", async () => {
  const { broker, raw, aggregates, eventIds } = await setup();
  const list = users(300);
  await broker.produce(USERS.topic, records(list));
  const processor = new StreamProcessor(usersStream(DEFAULTS), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
  });
  await runUntil(processor, async () => (await raw.count("users")) === 300);
  await delay(50);
  assert.deepEqual(await genderTotals(aggregates), expectedGenders(list));
  const countries = await aggregates.totals("users", "country");
  assert.equal(countries.reduce((sum, t) => sum + Number(t.value), 0), 300);
  const bands = await aggregates.totals("users", "age_band");
  assert.equal(bands.reduce((sum, t) => sum + Number(t.value), 0), 300);
  const doc = (await raw.list("users", { limit: 300 })).items.find((d) =>
    d.id === list[0].login.uuid
  );
  assert.equal(doc?.doc.fullName, `${list[0].name.first} ${list[0].name.last}`);
  assert.deepEqual(
    storedRecord(doc!.doc),
    JSON.parse(JSON.stringify(withoutLoginSecrets(list[0]))),
  );
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

Deno.test("a user of any past time counts: the users stream's global window never fires", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(1);
  const list = users(3);
  const [early, older, next] = list.map((u) => encoder.encode(JSON.stringify(u)));
  await broker.produce(USERS.topic, [
    { key: list[0].login.uuid, value: early, timestamp: NOW + 70_000 },
    // 70 s older than the newest: a one-minute window would have dropped it as late.
    { key: list[1].login.uuid, value: older, timestamp: NOW },
    { key: list[2].login.uuid, value: next, timestamp: NOW + 61_000 },
  ]);
  const processor = new StreamProcessor(usersStream(DEFAULTS), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
  });
  await runUntil(processor, async () => {
    const genders = await genderTotals(aggregates);
    return genders.male + genders.female === 3;
  });
  assert.equal(await raw.count("users"), 3);
  assert.deepEqual(await aggregates.totals("users", "rejected"), [], "nothing dead-lettered");
  const checkpoint = (await raw.get(CHECKPOINTS, checkpointId("users", 0)))?.doc.checkpoint;
  assert.deepEqual(checkpoint, {
    offset: 2,
    maxEventTime: NOW + 70_000,
    watermark: NOW + 65_000,
    windows: [],
    fired: [],
  }, "offsets and event time are checkpointed; no window values");
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

Deno.test("a bad record goes to users.dlq with its bytes and reason; the rest flows on", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(1);
  const list = users(3);
  const bad = [
    encoder.encode("{not json"),
    encoder.encode(JSON.stringify({ ...list[0], login: { uuid: "x" } })),
    encoder.encode(JSON.stringify({ ...list[1], dob: { date: 42, age: 1 } })),
  ];
  await broker.produce(USERS.topic, [
    ...bad.map((value) => ({ key: "bad", value, timestamp: NOW })),
    ...records(list),
  ]);
  const dead: { value: Uint8Array; reason: string; offset: string }[] = [];
  const tail = new AbortController();
  const tailing = broker.tail({
    topics: [USERS.dlqTopic],
    signal: tail.signal,
    handle: (batch) => {
      for (const r of batch.records) {
        dead.push({ value: r.value, reason: r.headers.reason, offset: r.headers["source.offset"] });
      }
    },
  });
  const processor = new StreamProcessor(usersStream(DEFAULTS), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
  });
  await runUntil(processor, async () => (await raw.count("users")) === 3 && dead.length === 3);
  tail.abort();
  await tailing;
  assert.deepEqual(dead.map((d) => d.value), bad);
  assert.deepEqual(dead.map((d) => d.offset), ["0", "1", "2"]);
  assert.match(dead[0].reason, /not JSON/);
  assert.equal(dead[1].reason, '`login.uuid` must be a UUID, got "x"');
  assert.equal(dead[2].reason, "`dob.date` must be an ISO date, got 42");
  assert.deepEqual(await aggregates.totals("users", "rejected"), [{ key: "invalid", value: 3n }]);
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

Deno.test("killed at any write and restarted, totals and documents end exact", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(3);
  const list = users(2000, 11);
  const bad = Array.from({ length: 20 }, (_, i) => ({
    key: `bad-${i}`,
    value: encoder.encode(`{"gender": ${i}}`),
    timestamp: NOW,
  }));
  await broker.produce(USERS.topic, [...records(list), ...bad]);
  const random = seededRandom(3);
  let crashes = 0;
  while (crashes < 40) {
    const crash = new Crashing(random.int(1, 12));
    const processor = new StreamProcessor(usersStream(DEFAULTS), {
      broker: crash.broker(broker),
      raw: crash.raw(raw),
      aggregates: crash.aggregates(aggregates),
      eventIds: crash.eventIds(eventIds),
      log: silentLogger,
    });
    await processor.run(USERS.group, crash.controller.signal, 37).catch(() => {});
    crashes++;
  }
  assert.ok((await raw.count("users")) < 2000, "the crashes happened mid-stream");
  const processor = new StreamProcessor(usersStream(DEFAULTS), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
  });
  const rejected = async () =>
    Number((await aggregates.totals("users", "rejected"))[0]?.value ?? 0);
  await runUntil(
    processor,
    async () => (await raw.count("users")) === 2000 && (await rejected()) === 20,
  );
  await delay(100);
  assert.equal(await raw.count("users"), 2000);
  assert.deepEqual(await genderTotals(aggregates), expectedGenders(list));
  const countries = await aggregates.totals("users", "country");
  assert.equal(countries.reduce((sum, t) => sum + Number(t.value), 0), 2000);
  assert.equal(await rejected(), 20);
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

Deno.test("while a store is down the processor retries and commits nothing, then resumes", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(1);
  const list = users(50);
  await broker.produce(USERS.topic, records(list));
  let down = true;
  let failures = 0;
  const flaky: RawStore = override(raw, {
    upsert: (c: string, docs: Parameters<RawStore["upsert"]>[1]) => {
      if (down) {
        failures++;
        return Promise.reject(new Error("connection refused"));
      }
      return raw.upsert(c, docs);
    },
  });
  const errors: string[] = [];
  const log = { ...silentLogger, error: (m: string) => errors.push(m) };
  const processor = new StreamProcessor(usersStream(DEFAULTS), {
    broker,
    raw: flaky,
    aggregates,
    eventIds,
    log,
    retryInitialMs: 10,
    retryMaxMs: 20,
  });
  const controller = new AbortController();
  const running = processor.run(USERS.group, controller.signal, 100);
  await delay(150);
  assert.ok(failures >= 3, "it kept trying");
  assert.equal(await raw.count("users"), 0);
  // The aggregates, written beside the documents, may already hold the batch: it is not
  // committed, and counting it again after the store is back changes nothing (see below).
  assert.match(
    errors[0],
    /could not upsert 50 documents .*connection refused; consumption paused, nothing committed/,
  );
  down = false;
  const deadline = Date.now() + 5000;
  while ((await raw.count("users")) < 50 && Date.now() < deadline) await delay(10);
  controller.abort();
  await running;
  assert.equal(await raw.count("users"), 50);
  assert.deepEqual(await genderTotals(aggregates), expectedGenders(list));
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

Deno.test("stopping while a store is down is a clean stop: nothing committed, the batch comes again", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(1);
  await broker.produce(USERS.topic, records(users(10)));
  let failures = 0;
  const down: RawStore = override(raw, {
    upsert: () => {
      failures++;
      return Promise.reject(new Error("connection refused"));
    },
  });
  const deps = { broker, aggregates, eventIds, log: silentLogger, retryInitialMs: 10 };
  const controller = new AbortController();
  const running = new StreamProcessor(usersStream(DEFAULTS), { ...deps, raw: down })
    .run(USERS.group, controller.signal, 100);
  while (failures < 3) await delay(5);
  controller.abort();
  await running;
  // A new start with the store back processes the same batch.
  const again = new AbortController();
  const resumed = new StreamProcessor(usersStream(DEFAULTS), { ...deps, raw })
    .run(USERS.group, again.signal, 100);
  const deadline = Date.now() + 5000;
  while ((await raw.count("users")) < 10 && Date.now() < deadline) await delay(10);
  again.abort();
  await resumed;
  assert.equal(await raw.count("users"), 10);
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

/** Tails a dead-letter topic into a list until `stop` is called. */
function tailDead(broker: EmbeddedLog, topic: string) {
  const dead: { value: Uint8Array; headers: Record<string, string> }[] = [];
  const controller = new AbortController();
  const tailing = broker.tail({
    topics: [topic],
    signal: controller.signal,
    handle: (batch) => void dead.push(...batch.records),
  });
  return { dead, stop: () => (controller.abort(), tailing) };
}

Deno.test("a record that makes our code throw is dead-lettered as processing-error, loudly, and the stream goes on", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(1);
  const list = users(5);
  const poison = list[2].login.uuid;
  const stream = usersStream(DEFAULTS);
  const buggy = {
    ...stream,
    contributions: (user: Parameters<typeof stream.contributions>[0]) => {
      if (user.uuid === poison) throw new RangeError("a bug in our code");
      return stream.contributions(user);
    },
  };
  await broker.produce(USERS.topic, records(list));
  const errors: string[] = [];
  const tail = tailDead(broker, USERS.dlqTopic);
  const processor = new StreamProcessor(buggy, {
    broker,
    raw,
    aggregates,
    eventIds,
    log: { ...silentLogger, error: (m) => errors.push(m) },
  });
  await runUntil(processor, async () => (await raw.count("users")) === 4 && tail.dead.length === 1);
  await tail.stop();
  const [dead] = tail.dead;
  assert.deepEqual(dead.value, records(list)[2].value, "the input bytes");
  assert.equal(dead.headers.reason, "processing-error");
  assert.equal(dead.headers["error.code"], "processing-error");
  assert.equal(dead.headers["exception.class"], "RangeError");
  assert.equal(dead.headers["exception.message"], "a bug in our code");
  assert.match(dead.headers["exception.stacktrace"], /processor_test\.ts/);
  assert.equal(dead.headers["source.offset"], "2");
  assert.deepEqual(await aggregates.totals("users", "rejected"), [
    { key: "processing-error", value: 1n },
  ]);
  assert.equal((await genderTotals(aggregates)).male + (await genderTotals(aggregates)).female, 4);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /BUG: record users\[0\] offset 2 made the processor throw/);
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

Deno.test("a user produced in 2099 is invalid, and the watermark stays with the clock", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(1);
  const list = users(3);
  const [before, future, after] = records(list);
  await broker.produce(USERS.topic, [
    before,
    { ...future, timestamp: Date.UTC(2099, 0, 1) },
    { ...after, timestamp: NOW + 1000 },
  ]);
  const tail = tailDead(broker, USERS.dlqTopic);
  const processor = new StreamProcessor(usersStream(DEFAULTS), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
    now: () => NOW,
  });
  await runUntil(processor, async () => (await raw.count("users")) === 2 && tail.dead.length === 1);
  await tail.stop();
  const headers = tail.dead[0].headers;
  assert.equal(
    headers.reason,
    "`(record timestamp)` must be at most 5 min ahead of the processing clock " +
      "(2026-11-22 12:05:00), got 2099-01-01 00:00:00",
  );
  assert.equal(headers["error.code"], "invalid");
  assert.equal(headers["error.field"], "(record timestamp)");
  assert.deepEqual(await aggregates.totals("users", "rejected"), [{ key: "invalid", value: 1n }]);
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

Deno.test("a checkpoint poisoned before event times were bounded is healed, with a warning", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(1);
  const list = users(2);
  await broker.produce(USERS.topic, records(list).slice(0, 1));
  // What a record stamped 2099 left behind, saved by a version without the bound.
  await raw.upsert(CHECKPOINTS, [{
    id: checkpointId(USERS.name, 0),
    ts: NOW,
    doc: {
      stream: USERS.name,
      partition: 0,
      checkpoint: {
        offset: -1,
        maxEventTime: Date.UTC(2099, 0, 1),
        watermark: Date.UTC(2099, 0, 1) - 5000,
        windows: [{ start: Date.UTC(2099, 0, 1), value: 1 }],
      },
    },
  }]);
  const warnings: string[] = [];
  const processor = new StreamProcessor(usersStream(DEFAULTS), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: { ...silentLogger, warn: (m) => warnings.push(m) },
    now: () => NOW,
  });
  await runUntil(processor, async () => (await raw.count("users")) === 1);
  assert.match(warnings.join("\n"), /checkpoint of partition 0 was ahead of the clock/);
  assert.deepEqual(await aggregates.totals("users", "rejected"), [], "the record was not late");
  const saved = await raw.get(CHECKPOINTS, checkpointId(USERS.name, 0));
  const checkpoint = saved?.doc.checkpoint as { watermark: number; windows: unknown[] };
  assert.ok(checkpoint.watermark <= NOW, "the saved checkpoint is sound again");
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

Deno.test("a record larger than the limit is dead-lettered as too-large and counted", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(1);
  const list = users(2);
  await broker.produce(USERS.topic, records(list));
  const tail = tailDead(broker, USERS.dlqTopic);
  const size = records(list)[0].value.byteLength;
  const processor = new StreamProcessor(usersStream(DEFAULTS), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
    maxRecordBytes: Math.min(size, records(list)[1].value.byteLength) - 1,
  });
  await runUntil(processor, () => Promise.resolve(tail.dead.length === 2));
  await tail.stop();
  assert.deepEqual(tail.dead.map((d) => d.headers["error.code"]), ["too-large", "too-large"]);
  assert.deepEqual(await aggregates.totals("users", "rejected"), [{ key: "too-large", value: 2n }]);
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});

Deno.test("each stored batch is reported with its accepted records' latency; refused and already-included records are not", async () => {
  const { broker, raw, aggregates, eventIds } = await setup(1);
  const reports: BatchMetrics[] = [];
  const processor = new StreamProcessor(usersStream(DEFAULTS), {
    broker,
    raw,
    aggregates,
    eventIds,
    log: silentLogger,
    now: () => NOW,
    observe: (metrics) => reports.push(metrics),
  });
  const [a, b] = users(2);
  const values = [JSON.stringify(a), "not json", JSON.stringify(b)];
  const batch = {
    topic: USERS.topic,
    partition: 0,
    records: values.map((v, offset) => ({
      topic: USERS.topic,
      partition: 0,
      offset,
      key: null,
      value: encoder.encode(v),
      headers: {},
      timestamp: NOW - 100 * (offset + 1),
    })),
  };
  const signal = new AbortController().signal;
  await processor.handle(batch, signal);
  assert.equal(reports.length, 1);
  const [report] = reports;
  assert.equal(report.stream, "users");
  assert.equal(report.partition, 0);
  assert.equal(report.processed, 2);
  assert.deepEqual(report.latenciesMs, [100, 300], "stored at the clock's NOW");
  assert.equal(report.storeWriteMs, 0, "the clock did not move while the stores wrote");

  await processor.handle(batch, signal);
  assert.deepEqual(
    reports[1],
    { stream: "users", partition: 0, processed: 0, latenciesMs: [], storeWriteMs: 0 },
    "a batch delivered again after a crash counts nothing twice",
  );
  await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
});
