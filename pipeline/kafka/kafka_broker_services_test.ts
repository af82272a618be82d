import assert from "node:assert/strict";
import { KafkaBroker, type KafkaBrokerOptions } from "./kafka_broker.ts";
import { consumeCount, runBrokerContract } from "../testing/broker_contract.ts";
import { KAFKA_BROKERS, withService } from "../testing/services.ts";
import { partitionFor } from "../partitioner.ts";
import type { Logger } from "../logger.ts";
import type { BrokerRecord } from "../ports.ts";

/** kafkajs' warnings and errors, shown when the group test fails. */
const logged: string[] = [];
const logger: Logger = {
  info: () => {},
  warn: (message) => logged.push(`warn ${message}`),
  error: (message) => logged.push(`error ${message}`),
};

const broker = (options: Partial<KafkaBrokerOptions> = {}) =>
  new KafkaBroker({ brokers: KAFKA_BROKERS, logger, lingerMs: 2, ...options });
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const unique = () => `kafka-test-${crypto.randomUUID().slice(0, 8)}`;

await withService({ name: "Kafka", address: KAFKA_BROKERS[0] }, () => {
  runBrokerContract("kafka broker", () => Promise.resolve(broker()));

  Deno.test("kafka broker: a key lands in the partition pipeline/partitioner.ts computes", async () => {
    const kafka = broker();
    try {
      const topic = unique();
      await kafka.createTopics([{ name: topic, partitions: 7 }]);
      const keys = Array.from(
        { length: 50 },
        (_, i) => `user-${i}-${crypto.randomUUID()}`,
      );
      await kafka.produce(
        topic,
        keys.map((key) => ({ key, value: encoder.encode(key) })),
      );
      const got = await consumeCount(kafka, unique(), [topic], keys.length);
      assert.equal(got.length, keys.length);
      for (const record of got) {
        assert.equal(
          record.partition,
          partitionFor(record.key, 7),
          record.key!,
        );
      }
    } finally {
      await kafka.close();
    }
  });

  Deno.test("kafka broker: two members of a group split the partitions", async () => {
    const partitions = 4;
    const keyOf = Array.from({ length: partitions }, (_, p) => {
      for (let i = 0;; i++) {
        if (partitionFor(`k${i}`, partitions) === p) return `k${i}`;
      }
    });
    const [a, b] = [
      broker({ heartbeatIntervalMs: 300 }),
      broker({ heartbeatIntervalMs: 300 }),
    ];
    const topic = unique();
    const group = unique();
    const controller = new AbortController();
    // Partitions each member saw, per round of one record per partition.
    const byMember = [
      new Map<string, Set<number>>(),
      new Map<string, Set<number>>(),
    ];
    const member = (kafka: KafkaBroker, index: number) =>
      kafka.consume({
        groupId: group,
        topics: [topic],
        signal: controller.signal,
        handle: (batch) => {
          for (const record of batch.records) {
            const round = decoder.decode(record.value);
            const set = byMember[index].get(round) ?? new Set();
            byMember[index].set(round, set.add(record.partition));
          }
          return Promise.resolve();
        },
      });
    try {
      await a.createTopics([{ name: topic, partitions }]);
      const members = [member(a, 0), member(b, 1)];
      const deadline = Date.now() + 30_000;
      let split: [number[], number[]] | undefined;
      for (let round = 0; !split && Date.now() < deadline; round++) {
        const r = String(round);
        await a.produce(
          topic,
          keyOf.map((key) => ({ key, value: encoder.encode(r) })),
        );
        await new Promise((resolve) => setTimeout(resolve, 400));
        const [pa, pb] = byMember.map((m) => [...(m.get(r) ?? [])].sort());
        const disjoint = pa.every((p) => !pb.includes(p));
        if (
          pa.length > 0 && pb.length > 0 && disjoint &&
          pa.length + pb.length === partitions
        ) {
          split = [pa, pb];
        }
      }
      controller.abort();
      await Promise.all(members);
      assert.ok(
        split,
        `the two members never split the ${partitions} partitions; ${logged.join("\n")}`,
      );
    } finally {
      controller.abort();
      await Promise.all([a.close(), b.close()]);
    }
  });

  Deno.test("kafka broker: a handler gets at most maxBatch records per call", async () => {
    const kafka = broker();
    try {
      const topic = unique();
      await kafka.createTopics([{ name: topic, partitions: 1 }]);
      await kafka.produce(
        topic,
        Array.from(
          { length: 25 },
          (_, i) => ({ key: "k", value: encoder.encode(`${i}`) }),
        ),
      );
      const sizes: number[] = [];
      const got: BrokerRecord[] = [];
      const controller = new AbortController();
      await kafka.consume({
        groupId: unique(),
        topics: [topic],
        signal: controller.signal,
        maxBatch: 10,
        handle: (batch) => {
          sizes.push(batch.records.length);
          got.push(...batch.records);
          if (got.length >= 25) controller.abort();
          return Promise.resolve();
        },
      });
      assert.ok(sizes.every((n) => n <= 10), `batch sizes ${sizes}`);
      assert.deepEqual(
        got.map((r) => r.offset),
        Array.from({ length: 25 }, (_, i) => i),
      );
    } finally {
      await kafka.close();
    }
  });

  Deno.test("kafka broker: produce calls are merged and split into requests, order kept", async () => {
    const kafka = broker({ maxBatchSize: 4, lingerMs: 20 });
    try {
      const topic = unique();
      await kafka.createTopics([{ name: topic, partitions: 1 }]);
      const call = (from: number) =>
        kafka.produce(
          topic,
          Array.from(
            { length: 5 },
            (_, i) => ({ key: "k", value: encoder.encode(`${from + i}`) }),
          ),
        );
      await Promise.all([call(0), call(5), call(10)]);
      const got = await consumeCount(kafka, unique(), [topic], 15);
      assert.deepEqual(
        got.map((r) => Number(decoder.decode(r.value))),
        [...Array(15).keys()],
      );
    } finally {
      await kafka.close();
    }
  });

  Deno.test("kafka broker: a handler slower than the session timeout keeps its partitions", async () => {
    const kafka = broker({ sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 });
    try {
      const topic = unique();
      const group = unique();
      await kafka.createTopics([{ name: topic, partitions: 1 }]);
      await kafka.produce(topic, [{ key: "k", value: encoder.encode("slow") }]);
      const controller = new AbortController();
      let calls = 0;
      await kafka.consume({
        groupId: group,
        topics: [topic],
        signal: controller.signal,
        handle: async () => {
          calls++;
          await new Promise((resolve) => setTimeout(resolve, 8000));
          controller.abort();
        },
      });
      assert.equal(calls, 1);
      await kafka.produce(topic, [{ key: "k", value: encoder.encode("next") }]);
      const after = await consumeCount(kafka, group, [topic], 1);
      assert.deepEqual(after.map((r) => decoder.decode(r.value)), [
        "next",
      ], "the slow batch was committed");
    } finally {
      await kafka.close();
    }
  });

  Deno.test("kafka broker: close stops a running consume and tail", async () => {
    const kafka = broker();
    const topic = unique();
    await kafka.createTopics([{ name: topic, partitions: 1 }]);
    const forever = new AbortController().signal;
    let ready!: () => void;
    const tailReady = new Promise<void>((resolve) => (ready = resolve));
    const consuming = kafka.consume({
      groupId: unique(),
      topics: [topic],
      signal: forever,
      handle: () => Promise.resolve(),
    });
    const tailing = kafka.tail({
      topics: [topic],
      signal: forever,
      onReady: ready,
      handle: () => {},
    });
    await tailReady;
    await kafka.close();
    await Promise.all([consuming, tailing]);
    await assert.rejects(
      kafka.produce(topic, [{ key: null, value: new Uint8Array() }]),
      /closed/,
    );
  });

  Deno.test("kafka broker: consuming a topic that does not exist fails naming it", async () => {
    const kafka = broker();
    try {
      const topic = unique();
      await assert.rejects(
        kafka.consume({
          groupId: unique(),
          topics: [topic],
          signal: new AbortController().signal,
          handle: () => Promise.resolve(),
        }),
        (error: Error) => error instanceof RangeError && error.message.includes(topic),
      );
    } finally {
      await kafka.close();
    }
  });
});

Deno.test("kafka broker: an unreachable broker fails with an error naming its address", async () => {
  const kafka = broker({
    brokers: ["127.0.0.1:1"],
    retries: 0,
    connectionTimeoutMs: 500,
  });
  try {
    await assert.rejects(
      kafka.createTopics([{ name: "t", partitions: 1 }]),
      /cannot connect to Kafka at 127\.0\.0\.1:1: /,
    );
  } finally {
    await kafka.close();
  }
});
