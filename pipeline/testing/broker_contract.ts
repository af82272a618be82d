/**
 * The contract every `Broker` adapter keeps, run against the embedded log in
 * unit tests and against Kafka in integration tests.
 */

import assert from "node:assert/strict";
import type { Broker, BrokerRecord, GroupDescription } from "../ports.ts";
import { partitionFor } from "../partitioner.ts";
import { until } from "./until.ts";
import { MissingPartitionError, MissingTopicError, PartitionStoppedError } from "../errors.ts";

/** Makes a fresh broker for one test; `close` releases it. */
export type BrokerFactory = () => Promise<Broker>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What `consumeCount` reads, and how long it waits. */
export interface ConsumeCountOptions {
  /** The consumer group read as. */
  groupId: string;
  /** Topics read. */
  topics: string[];
  /** Records to wait for; reading stops once this many arrived. */
  count: number;
  /** Longest wait, in ms, after which what arrived so far is returned; 30 s by default. */
  timeoutMs?: number;
}

/** Reads records as group `groupId` until `count` have arrived, then stops (committing them). */
export async function consumeCount(
  broker: Broker,
  { groupId, topics, count, timeoutMs = 30_000 }: ConsumeCountOptions,
): Promise<BrokerRecord[]> {
  const received: BrokerRecord[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  await broker.consume({
    groupId,
    topics,
    signal: controller.signal,
    handle: (batch) => {
      received.push(...batch.records);
      if (received.length >= count) controller.abort();
      return Promise.resolve();
    },
  });
  clearTimeout(timer);
  return received;
}

/** Registers the broker contract tests under `name`. */
export function runBrokerContract(name: string, make: BrokerFactory): void {
  const unique = () => `contract-${crypto.randomUUID().slice(0, 8)}`;
  const value = (text: string) => encoder.encode(text);

  Deno.test(`${name}: creating topics is idempotent and reports partitions`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      await broker.createTopics([{ name: topic, partitions: 3 }]);
      await broker.createTopics([{ name: topic, partitions: 3 }]);
      assert.equal(await broker.partitions(topic), 3);
      assert.equal(await broker.partitions(`${topic}-missing`), undefined);
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: a lone group member is told it holds every partition`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      await broker.createTopics([{ name: topic, partitions: 3 }]);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 30_000);
      let told: Record<string, number[]> | undefined;
      await broker.consume({
        groupId: unique(),
        topics: [topic],
        signal: controller.signal,
        handle: () => Promise.resolve(),
        onAssignment: (held) => {
          told = held;
          controller.abort();
        },
      });
      clearTimeout(timer);
      assert.deepEqual(
        Object.fromEntries(Object.entries(told ?? {}).map(([t, p]) => [t, [...p].sort()])),
        { [topic]: [0, 1, 2] },
      );
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: producing to a topic that does not exist fails`, async () => {
    const broker = await make();
    try {
      await assert.rejects(broker.produce(unique(), [{ key: "k", value: value("v") }]));
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: a group reads every record once, per-key order kept, with headers and times`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      await broker.createTopics([{ name: topic, partitions: 3 }]);
      const records = Array.from({ length: 60 }, (_, i) => ({
        key: `key-${i % 5}`,
        value: value(`${i % 5}:${i}`),
        headers: { n: String(i) },
        timestamp: 1_700_000_000_000 + i,
      }));
      await broker.produce(topic, records);
      const got = await consumeCount(broker, { groupId: unique(), topics: [topic], count: 60 });
      assert.equal(got.length, 60);
      const byKey = new Map<string, number[]>();
      for (const record of got) {
        const [key, n] = decoder.decode(record.value).split(":");
        assert.equal(record.key, `key-${key}`);
        assert.equal(record.headers.n, n);
        assert.equal(record.timestamp, 1_700_000_000_000 + Number(n));
        byKey.set(key, [...(byKey.get(key) ?? []), Number(n)]);
      }
      for (const sequence of byKey.values()) {
        assert.deepEqual(sequence, [...sequence].sort((a, b) => a - b), "per-key order");
      }
      const partitionsOfKey = new Map<string, Set<number>>();
      for (const record of got) {
        const set = partitionsOfKey.get(record.key!) ?? new Set();
        set.add(record.partition);
        partitionsOfKey.set(record.key!, set);
      }
      for (const set of partitionsOfKey.values()) {
        assert.equal(set.size, 1, "a key stays in one partition");
      }
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: committed offsets survive, so a group resumes where it stopped`, async () => {
    const topic = unique();
    const group = unique();
    let broker = await make();
    await broker.createTopics([{ name: topic, partitions: 1 }]);
    await broker.produce(topic, [1, 2, 3].map((i) => ({ key: "k", value: value(String(i)) })));
    const first = await consumeCount(broker, { groupId: group, topics: [topic], count: 3 });
    assert.deepEqual(first.map((r) => decoder.decode(r.value)), ["1", "2", "3"]);
    await broker.close();

    broker = await make();
    try {
      await broker.produce(topic, [4, 5].map((i) => ({ key: "k", value: value(String(i)) })));
      const second = await consumeCount(broker, { groupId: group, topics: [topic], count: 2 });
      assert.deepEqual(second.map((r) => decoder.decode(r.value)), ["4", "5"]);
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: a batch whose handler fails is delivered again`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      const group = unique();
      await broker.createTopics([{ name: topic, partitions: 1 }]);
      await broker.produce(topic, [{ key: "k", value: value("once") }]);
      await assert.rejects(
        broker.consume({
          groupId: group,
          topics: [topic],
          signal: AbortSignal.timeout(30_000),
          handle: () => Promise.reject(new Error("store is down")),
        }),
        /store is down/,
      );
      const again = await consumeCount(broker, { groupId: group, topics: [topic], count: 1 });
      assert.deepEqual(again.map((r) => decoder.decode(r.value)), ["once"]);
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: a partition its handler stops is paused uncommitted; the others go on`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      const group = unique();
      await broker.createTopics([{ name: topic, partitions: 2 }]);
      await broker.produce(
        topic,
        Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: value(`v${i}`) })),
      );
      const all = await consumeCount(broker, { groupId: unique(), topics: [topic], count: 20 });
      const onPartition = (p: number) => all.filter((r) => r.partition === p).length;
      assert.ok(onPartition(0) > 0 && onPartition(1) > 0, "both partitions hold records");
      const stopped: number[] = [];
      let going = 0;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 30_000);
      await broker.consume({
        groupId: group,
        topics: [topic],
        signal: controller.signal,
        maxBatch: 1,
        handle: (batch) => {
          if (batch.partition === 0) {
            stopped.push(batch.records[0].offset);
            return Promise.reject(
              new PartitionStoppedError({
                stream: "contract",
                topic,
                partition: 0,
                offset: batch.records[0].offset,
                code: "test",
                reason: "the handler stopped it",
                at: 0,
              }),
            );
          }
          if (++going === onPartition(1)) setTimeout(() => controller.abort(), 300);
          return Promise.resolve();
        },
      });
      clearTimeout(timer);
      assert.equal(going, onPartition(1), "the other partition was read to its end");
      assert.ok(
        stopped.length > 0 && stopped.every((offset) => offset === 0),
        "nothing past the stop",
      );
      const again = await consumeCount(broker, {
        groupId: group,
        topics: [topic],
        count: onPartition(0),
      });
      assert.deepEqual(
        again.map((r) => r.partition),
        Array(onPartition(0)).fill(0),
        "the stopped partition was not committed; the other was",
      );
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: a tail sees only records produced after it started`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      await broker.createTopics([{ name: topic, partitions: 2 }]);
      await broker.produce(topic, [{ key: "a", value: value("before") }]);
      const controller = new AbortController();
      const seen: string[] = [];
      let started!: () => void;
      const ready = new Promise<void>((resolve) => (started = resolve));
      const tailing = broker.tail({
        topics: [topic],
        signal: controller.signal,
        onReady: started,
        handle: (batch) => {
          seen.push(...batch.records.map((r) => decoder.decode(r.value)));
          if (seen.length >= 2) controller.abort();
        },
      });
      await ready;
      await broker.produce(topic, [
        { key: "a", value: value("after-1") },
        { key: "b", value: value("after-2") },
      ]);
      const timer = setTimeout(() => controller.abort(), 30_000);
      await tailing;
      clearTimeout(timer);
      assert.deepEqual(seen.sort(), ["after-1", "after-2"]);
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: a topic is described with its partitions' low and high offsets`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      await broker.createTopics([{ name: topic, partitions: 2 }]);
      const [p0, p1] = keysOfPartitions(2);
      await broker.produce(topic, [
        { key: p0, value: value("a") },
        { key: p0, value: value("b") },
        { key: p0, value: value("c") },
        { key: p1, value: value("d") },
      ]);
      const topics = await broker.describeTopics();
      const described = topics.find((t) => t.name === topic);
      assert.ok(described, "the new topic is listed");
      assert.deepEqual(described.partitions, [
        { partition: 0, low: 0, high: 3 },
        { partition: 1, low: 0, high: 1 },
      ]);
      assert.ok(
        described.retentionMs === null || described.retentionMs > 0,
        `retention ${described.retentionMs}`,
      );
      const names = topics.map((t) => t.name);
      assert.deepEqual(names, [...names].sort(), "sorted by name");
      assert.ok(!names.some((n) => n.startsWith("__")), "no internal topics");
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: a topic without a partition or with a retention under 1 ms is refused, none created`, async () => {
    const broker = await make();
    try {
      const [good, bad] = [unique(), unique()];
      await assert.rejects(
        broker.createTopics([{ name: good, partitions: 1 }, { name: bad, partitions: 0 }]),
        (error: Error) => error.message === `topic "${bad}" needs at least 1 partition, got 0`,
      );
      await assert.rejects(
        broker.createTopics([{ name: good, partitions: 1 }, {
          name: bad,
          partitions: 1,
          retentionMs: 0,
        }]),
        (error: Error) =>
          error.message === `topic "${bad}" needs a retention of at least 1 ms, got 0`,
      );
      assert.equal(await broker.partitions(good), undefined, "none of the topics asked for");
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: a topic created with a retention of its own is described with it`, async () => {
    const broker = await make();
    try {
      const [own, plain] = [unique(), unique()];
      await broker.createTopics([
        { name: own, partitions: 1, retentionMs: 3_600_000 },
        { name: plain, partitions: 1 },
      ]);
      const topics = await broker.describeTopics();
      const retention = (topic: string) => topics.find((t) => t.name === topic)?.retentionMs;
      assert.equal(retention(own), 3_600_000);
      assert.notEqual(retention(plain), 3_600_000, "the other keeps the broker's");
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: read returns a partition's records from an offset, oldest first, fewer at the end`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      await broker.createTopics([{ name: topic, partitions: 2 }]);
      const [p0, p1] = keysOfPartitions(2);
      await broker.produce(topic, [
        ...Array.from({ length: 10 }, (_, i) => ({
          key: p0,
          value: value(`v${i}`),
          headers: { n: String(i) },
          timestamp: 1_700_000_000_000 + i,
        })),
        { key: p1, value: value("other") },
      ]);
      const page = await broker.read({ topic, partition: 0, offset: 3, limit: 4 });
      assert.deepEqual(
        page.map((r) => [r.topic, r.partition, r.offset, r.key, decoder.decode(r.value)]),
        [3, 4, 5, 6].map((i) => [topic, 0, i, p0, `v${i}`]),
      );
      assert.equal(page[0].headers.n, "3");
      assert.equal(page[0].timestamp, 1_700_000_000_003);
      const end = await broker.read({ topic, partition: 0, offset: 8, limit: 50 });
      assert.deepEqual(end.map((r) => r.offset), [8, 9], "fewer at the end");
      assert.deepEqual(await broker.read({ topic, partition: 0, offset: 10, limit: 5 }), []);
      const other = await broker.read({ topic, partition: 1, offset: 0, limit: 5 });
      assert.deepEqual(other.map((r) => decoder.decode(r.value)), ["other"]);
      await assert.rejects(
        broker.read({ topic, partition: 2, offset: 0, limit: 5 }),
        MissingPartitionError,
      );
      await assert.rejects(
        broker.read({ topic: `${topic}-missing`, partition: 0, offset: 0, limit: 5 }),
        MissingTopicError,
      );
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: offsetForTime finds the first record at or after a time, else the high offset`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      await broker.createTopics([{ name: topic, partitions: 1 }]);
      const base = 1_700_000_000_000;
      await broker.produce(
        topic,
        [0, 10, 20, 30].map((t, i) => ({ key: "k", value: value(`v${i}`), timestamp: base + t })),
      );
      const at = (timestamp: number) => broker.offsetForTime({ topic, partition: 0, timestamp });
      assert.equal(await at(base - 1000), 0);
      assert.equal(await at(base + 10), 1);
      assert.equal(await at(base + 11), 2);
      assert.equal(await at(base + 30), 3);
      assert.equal(await at(base + 31), 4, "none that late: the high offset");
      await assert.rejects(
        broker.offsetForTime({ topic, partition: 1, timestamp: base }),
        MissingPartitionError,
      );
    } finally {
      await broker.close();
    }
  });

  Deno.test(`${name}: a group is described with its members while it reads and its committed offsets`, async () => {
    const broker = await make();
    try {
      const topic = unique();
      const group = unique();
      await broker.createTopics([{ name: topic, partitions: 2 }]);
      const [p0, p1] = keysOfPartitions(2);
      await broker.produce(topic, [
        { key: p0, value: value("a") },
        { key: p0, value: value("b") },
        { key: p1, value: value("c") },
      ]);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 30_000);
      let handled = 0;
      let whileReading: GroupDescription | undefined;
      await broker.consume({
        groupId: group,
        topics: [topic],
        signal: controller.signal,
        handle: async (batch) => {
          handled += batch.records.length;
          if (handled < 3) return;
          whileReading = (await broker.describeGroups()).find((g) => g.group === group);
          controller.abort();
        },
      });
      clearTimeout(timer);
      assert.equal(whileReading?.state, "stable");
      assert.equal(whileReading?.members.length, 1, "one member");
      assert.deepEqual(whileReading?.members[0].partitions, [
        { topic, partition: 0 },
        { topic, partition: 1 },
      ], "the member holds both partitions");
      let after: GroupDescription | undefined;
      await until(async () => {
        after = (await broker.describeGroups()).find((g) => g.group === group);
        return after?.state === "empty";
      }, 15_000);
      assert.deepEqual(after?.members, []);
      assert.deepEqual(after?.offsets, [
        { topic, partition: 0, committed: 2 },
        { topic, partition: 1, committed: 1 },
      ]);
      const groups = (await broker.describeGroups()).map((g) => g.group);
      assert.deepEqual(groups, [...groups].sort(), "sorted by name");
    } finally {
      await broker.close();
    }
  });
}

/** One key per partition, `keys[p]` landing in partition `p` of a topic of `partitions`. */
function keysOfPartitions(partitions: number): string[] {
  return Array.from({ length: partitions }, (_, p) => {
    for (let i = 0;; i++) if (partitionFor(`k${i}`, partitions) === p) return `k${i}`;
  });
}
