import assert from "node:assert/strict";
import { type ProducerOutage, runProducer } from "./producer.ts";
import { MissingTopicError, UnavailableError } from "./errors.ts";
import { EmbeddedLog } from "./embedded/log_broker.ts";
import { consumeCount } from "./testing/broker_contract.ts";
import type {
  Broker,
  GroupConsumeOptions,
  OutgoingRecord,
  TailOptions,
  TopicSpec,
} from "./ports.ts";
import type { SourceRecord } from "./sources/source.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const dir = Deno.makeTempDirSync({ prefix: "streamboard-producer-" });

/** A fresh embedded log on a temp file, with `topic` created. */
async function openLog(topic: string, partitions = 3): Promise<EmbeddedLog> {
  const log = new EmbeddedLog({ path: `${dir}/${topic}.db`, pollMs: 5 });
  await log.createTopics([{ name: topic, partitions }]);
  return log;
}

/** A `Broker` that delegates to `inner` and remembers the size of every produce call. */
class CountingBroker implements Broker {
  readonly batches: number[] = [];
  constructor(readonly inner: Broker) {}
  createTopics(topics: TopicSpec[]) {
    return this.inner.createTopics(topics);
  }
  partitions(topic: string) {
    return this.inner.partitions(topic);
  }
  produce(topic: string, records: OutgoingRecord[]) {
    this.batches.push(records.length);
    return this.inner.produce(topic, records);
  }
  consume(options: GroupConsumeOptions) {
    return this.inner.consume(options);
  }
  tail(options: TailOptions) {
    return this.inner.tail(options);
  }
  describeTopics() {
    return this.inner.describeTopics();
  }
  read(options: Parameters<Broker["read"]>[0]) {
    return this.inner.read(options);
  }
  offsetForTime(options: Parameters<Broker["offsetForTime"]>[0]) {
    return this.inner.offsetForTime(options);
  }
  describeGroups() {
    return this.inner.describeGroups();
  }
  close() {
    return this.inner.close();
  }
  get produced(): number {
    return this.batches.reduce((a, b) => a + b, 0);
  }
}

/** `count` records over `keys` keys, valued `key:n` with `n` counting per key. */
async function* keyedRecords(
  count: number,
  keys = 5,
): AsyncGenerator<SourceRecord> {
  for (let i = 0; i < count; i++) {
    const key = `user-${i % keys}`;
    yield { key, value: encoder.encode(`${key}:${Math.floor(i / keys)}`) };
  }
}

const running = (extra: { signal?: AbortSignal } = {}) => ({
  rate: 0,
  batchSize: 1000,
  lingerMs: 5,
  signal: extra.signal ?? new AbortController().signal,
});

Deno.test("every record of the source arrives, in order per key", async () => {
  const log = await openLog("order");
  try {
    const sent = await runProducer({
      broker: log,
      topic: "order",
      source: keyedRecords(60),
      ...running(),
      batchSize: 7,
    });
    assert.equal(sent, 60);
    const got = await consumeCount(log, {
      groupId: "order-check",
      topics: ["order"],
      count: 60,
      timeoutMs: 5_000,
    });
    assert.equal(got.length, 60);
    const perKey = new Map<string, number[]>();
    for (const record of got) {
      const [key, n] = decoder.decode(record.value).split(":");
      assert.equal(record.key, key, "the record keeps its key");
      perKey.set(key, [...(perKey.get(key) ?? []), Number(n)]);
    }
    assert.equal(perKey.size, 5);
    for (const [key, ns] of perKey) {
      assert.deepEqual(
        ns,
        Array.from({ length: 12 }, (_, i) => i),
        `order of ${key}`,
      );
    }
  } finally {
    await log.close();
  }
});

Deno.test("no produce call carries more than batchSize records", async () => {
  const log = await openLog("batches");
  const broker = new CountingBroker(log);
  try {
    const sent = await runProducer({
      broker,
      topic: "batches",
      source: keyedRecords(25),
      ...running(),
      batchSize: 10,
      lingerMs: 60_000,
    });
    assert.equal(sent, 25);
    assert.deepEqual(
      broker.batches,
      [10, 10, 5],
      "full batches, then the rest at the end",
    );
  } finally {
    await log.close();
  }
});

Deno.test("progress is reported after each batch with the running total", async () => {
  const log = await openLog("progress");
  const progress: number[] = [];
  try {
    await runProducer({
      broker: log,
      topic: "progress",
      source: keyedRecords(25),
      ...running(),
      batchSize: 10,
      lingerMs: 60_000,
      onProgress: (sent) => progress.push(sent),
    });
    assert.deepEqual(progress, [10, 20, 25]);
  } finally {
    await log.close();
  }
});

Deno.test("records pass through as the source made them, null keys included", async () => {
  const log = await openLog("passthrough", 1);
  async function* source(): AsyncGenerator<SourceRecord> {
    yield { key: null, value: encoder.encode("not json {") };
    yield { key: "k", value: new Uint8Array([0, 255, 1]) };
  }
  try {
    await runProducer({ broker: log, topic: "passthrough", source: source(), ...running() });
    const got = await consumeCount(log, {
      groupId: "passthrough-check",
      topics: ["passthrough"],
      count: 2,
      timeoutMs: 5_000,
    });
    assert.deepEqual(got.map((r) => [r.key, [...r.value]]), [
      [null, [...encoder.encode("not json {")]],
      ["k", [0, 255, 1]],
    ]);
  } finally {
    await log.close();
  }
});

Deno.test("rate pacing: 200 records at 1000 per second take about 0.2 s", async () => {
  const log = await openLog("rate");
  try {
    const started = performance.now();
    const sent = await runProducer({
      broker: log,
      topic: "rate",
      source: keyedRecords(200),
      ...running(),
      rate: 1000,
      lingerMs: 5,
    });
    const elapsed = performance.now() - started;
    assert.equal(sent, 200);
    assert.ok(
      elapsed >= 150,
      `took ${elapsed.toFixed(0)} ms, faster than the rate`,
    );
    assert.ok(
      elapsed < 1000,
      `took ${elapsed.toFixed(0)} ms, much slower than the rate`,
    );
  } finally {
    await log.close();
  }
});

Deno.test("abort stops reading the source and what was buffered is still sent", async () => {
  const log = await openLog("abort");
  const broker = new CountingBroker(log);
  const controller = new AbortController();
  let sourceClosed = false;
  async function* endless(): AsyncGenerator<SourceRecord> {
    try {
      for (let i = 0;; i++) {
        if (i === 15) controller.abort();
        yield { key: `k${i % 3}`, value: encoder.encode(String(i)) };
      }
    } finally {
      sourceClosed = true;
    }
  }
  try {
    const sent = await runProducer({
      broker,
      topic: "abort",
      source: endless(),
      ...running({ signal: controller.signal }),
      batchSize: 10,
      lingerMs: 60_000,
    });
    assert.equal(sent, 15, "the 10 of the full batch and the 5 buffered ones");
    assert.deepEqual(broker.batches, [10, 5]);
    assert.ok(sourceClosed, "the source is closed");
    const got = await consumeCount(log, {
      groupId: "abort-check",
      topics: ["abort"],
      count: 15,
      timeoutMs: 5_000,
    });
    assert.deepEqual(
      got.map((r) => Number(decoder.decode(r.value))).sort((a, b) => a - b),
      Array.from({ length: 15 }, (_, i) => i),
    );
  } finally {
    await log.close();
  }
});

Deno.test("abort during a rate pause returns at once instead of sleeping it out", async () => {
  const log = await openLog("abort-pause");
  const controller = new AbortController();
  try {
    const started = performance.now();
    const sent = await runProducer({
      broker: log,
      topic: "abort-pause",
      source: keyedRecords(100),
      ...running({ signal: controller.signal }),
      rate: 2, // one record every 500 ms
      lingerMs: 60_000,
      // Aborts while the producer waits for the second record's turn.
      onProgress: () => setTimeout(() => controller.abort(), 0),
    });
    const elapsed = performance.now() - started;
    assert.equal(sent, 1);
    assert.ok(elapsed < 400, `took ${elapsed.toFixed(0)} ms`);
  } finally {
    await log.close();
  }
});

Deno.test("a partial batch goes out after lingerMs even while the source has nothing new", async () => {
  const log = await openLog("linger");
  const broker = new CountingBroker(log);
  const { promise: sourceMayEnd, resolve: endSource } = Promise.withResolvers<
    void
  >();
  async function* stalling(): AsyncGenerator<SourceRecord> {
    yield* keyedRecords(3);
    await sourceMayEnd; // e.g. the next page of the RandomUser API is slow to come
  }
  const producing = runProducer({
    broker,
    topic: "linger",
    source: stalling(),
    ...running(),
    batchSize: 100,
    lingerMs: 20,
  });
  try {
    const deadline = performance.now() + 1_000;
    while (broker.produced < 3 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(
      broker.produced,
      3,
      "the 3 records were sent within 1 s, not held for the next one",
    );
  } finally {
    endSource();
    await producing;
    await log.close();
  }
});

/** A `CountingBroker` whose produce calls fail with `failure` while `down` is true. */
class FlakyBroker extends CountingBroker {
  down = true;
  attempts = 0;
  constructor(inner: Broker, readonly failure: () => Error) {
    super(inner);
  }
  override produce(topic: string, records: OutgoingRecord[]) {
    this.attempts++;
    if (this.down) return Promise.reject(this.failure());
    return super.produce(topic, records);
  }
}

Deno.test("a broker outage is waited out: the batch is sent once it returns, nothing lost, outage reported", async () => {
  const log = await openLog("outage");
  const broker = new FlakyBroker(log, () => new UnavailableError("Kafka", "connection refused"));
  const outages: ProducerOutage[] = [];
  const recovered: number[] = [];
  let clock = 1_000;
  try {
    const run = runProducer({
      broker,
      topic: "outage",
      source: keyedRecords(20),
      ...running(),
      batchSize: 10,
      now: () => clock,
      onOutage: (o) => outages.push(o),
      onRecovered: (ms) => recovered.push(ms),
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.ok(broker.attempts >= 2, `retried during the outage (${broker.attempts} attempts)`);
    assert.ok(outages.length >= 2);
    assert.deepEqual(
      { service: outages[0].service, since: outages[0].since, error: outages[0].error },
      { service: "Kafka", since: 1_000, error: "connection refused" },
    );
    clock = 4_000;
    broker.down = false;
    assert.equal(await run, 20);
    assert.equal(broker.produced, 20, "every record sent, none twice");
    assert.deepEqual(recovered, [3_000], "the recovery is told once, with the outage's length");
  } finally {
    await log.close();
  }
});

Deno.test("an error a retry cannot help is thrown at once, not retried", async () => {
  const log = await openLog("missing");
  const broker = new FlakyBroker(log, () => new MissingTopicError("missing", "no such topic"));
  try {
    await assert.rejects(
      runProducer({ broker, topic: "missing", source: keyedRecords(5), ...running() }),
      MissingTopicError,
    );
    assert.equal(broker.attempts, 1);
  } finally {
    await log.close();
  }
});

Deno.test("aborting during an outage stops the producer instead of retrying forever", async () => {
  const log = await openLog("abort-outage");
  const broker = new FlakyBroker(log, () => new UnavailableError("Kafka", "down"));
  const controller = new AbortController();
  try {
    const run = runProducer({
      broker,
      topic: "abort-outage",
      source: keyedRecords(5),
      ...running({ signal: controller.signal }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await assert.rejects(run, UnavailableError);
  } finally {
    await log.close();
  }
});
