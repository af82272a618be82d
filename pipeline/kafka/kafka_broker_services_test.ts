import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import type { Admin } from "kafkajs";
import { KafkaBroker, type KafkaBrokerOptions } from "./kafka_broker.ts";
import { consumeCount, runBrokerContract } from "../testing/broker_contract.ts";
import { KAFKA_BROKERS, withService } from "../testing/services.ts";
import { partitionFor } from "../partitioner.ts";
import type { Logger } from "../logger.ts";
import type { BrokerRecord } from "../ports.ts";
import { MissingTopicError } from "../errors.ts";

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
      const got = await consumeCount(kafka, {
        groupId: unique(),
        topics: [topic],
        count: keys.length,
      });
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
      const got = await consumeCount(kafka, { groupId: unique(), topics: [topic], count: 15 });
      assert.deepEqual(
        got.map((r) => Number(decoder.decode(r.value))),
        [...Array(15).keys()],
      );
    } finally {
      await kafka.close();
    }
  });

  Deno.test("kafka broker: describing topics goes on after one it described was deleted", async () => {
    const kafka = broker({});
    const admin = new kafkajs.Kafka({ brokers: KAFKA_BROKERS, logLevel: kafkajs.logLevel.NOTHING })
      .admin();
    await admin.connect();
    try {
      const [gone, kept] = [unique(), unique()];
      await kafka.createTopics([{ name: gone, partitions: 1 }, { name: kept, partitions: 1 }]);
      assert.ok((await kafka.describeTopics()).some((t) => t.name === gone));
      await admin.deleteTopics({ topics: [gone] });
      let names: string[] = [];
      const deadline = Date.now() + 15_000;
      do names = (await kafka.describeTopics()).map((t) => t.name); while (
        names.includes(gone) && Date.now() < deadline
      );
      assert.ok(!names.includes(gone), "the deleted topic is no longer listed");
      assert.ok(names.includes(kept), "the others still are");
    } finally {
      await admin.disconnect();
      await kafka.close();
    }
  });

  Deno.test("kafka broker: callers describing at the same time share one description", async () => {
    const kafka = broker();
    try {
      const topic = unique();
      await kafka.createTopics([{ name: topic, partitions: 2 }]);
      // A sampler and console pages asking at once must not pile up requests on Kafka.
      const topics = await Promise.all(Array.from({ length: 20 }, () => kafka.describeTopics()));
      assert.ok(topics.every((answer) => answer === topics[0]), "one description for all");
      assert.equal(topics[0].find((t) => t.name === topic)?.partitions.length, 2);
      const groups = await Promise.all(Array.from({ length: 20 }, () => kafka.describeGroups()));
      assert.ok(groups.every((answer) => answer === groups[0]), "one group description for all");
      const again = await kafka.describeTopics();
      assert.notEqual(again, topics[0], "a later call describes again");
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
      const after = await consumeCount(kafka, { groupId: group, topics: [topic], count: 1 });
      assert.deepEqual(after.map((r) => decoder.decode(r.value)), [
        "next",
      ], "the slow batch was committed");
    } finally {
      await kafka.close();
    }
  });

  Deno.test("kafka broker: a busy member takes over the partitions of a member killed mid-batch", async () => {
    // The victim is another process, SIGKILLed while its handler runs: it
    // neither leaves nor commits the chunk in hand. The survivor still has
    // records of its own partitions to handle when the coordinator expires the
    // victim, so it learns of the rebalance in the middle of a fetched batch.
    const sessionTimeoutMs = 6000; // the least a Kafka broker accepts by default
    const topic = unique();
    const group = unique();
    const partitions = 4;
    const perPartition = 3000; // enough slow work to outlast a victim slow to start under load
    const admin = new kafkajs.Kafka({ brokers: KAFKA_BROKERS, logLevel: kafkajs.logLevel.NOTHING })
      .admin();
    let killedAt = Infinity;
    /** When the survivor was first told of a rebalance after the kill. */
    let rebalancedAt = Infinity;
    const survivor = broker({
      sessionTimeoutMs,
      heartbeatIntervalMs: 500,
      logger: {
        ...logger,
        error: (message) => {
          if (message.includes("rebalancing") && Date.now() > killedAt) {
            rebalancedAt = Math.min(rebalancedAt, Date.now());
          }
          logger.error(message);
        },
      },
    });
    const controller = new AbortController();
    const calls: { partition: number; offsets: number[]; from: number; to: number }[] = [];
    let victim: Deno.ChildProcess | undefined;
    let victimOutput = Promise.resolve("");
    try {
      await admin.connect();
      await survivor.createTopics([{ name: topic, partitions }]);
      const consuming = survivor.consume({
        groupId: group,
        topics: [topic],
        signal: controller.signal,
        maxBatch: 50,
        handle: async ({ partition, records }) => {
          const from = Date.now();
          // Slow (a busy member) until well past the victim's expiry, then quick.
          const slow = from < killedAt + sessionTimeoutMs + 2000;
          await new Promise((resolve) => setTimeout(resolve, slow ? 300 : 5));
          calls.push({ partition, offsets: records.map((r) => r.offset), from, to: Date.now() });
        },
      });
      const started = Promise.withResolvers<void>();
      victim = spawnVictim(topic, group, sessionTimeoutMs);
      victimOutput = readVictim(victim, (line) => {
        if (line === "handling") started.resolve();
      });
      // A victim that exits on its own (say, cannot start) fails the test.
      victimOutput.then((output) => started.reject(new Error(`the victim exited: ${output}`)));
      started.promise.catch(() => {}); // awaited below
      await waitFor("both members in a stable group", 20_000, async () => {
        const [g] = (await admin.describeGroups([group])).groups;
        return g.state === "Stable" && g.members.length === 2;
      });
      await survivor.produce(
        topic,
        Array.from({ length: partitions * perPartition }, (_, i) => ({
          key: keyFor(i % partitions, partitions),
          value: encoder.encode(`${i}`),
        })),
      );
      await started.promise;
      await new Promise((resolve) => setTimeout(resolve, 100)); // mid-handler
      victim.kill("SIGKILL");
      await victim.status;
      killedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 200)); // its last requests land
      const atKill = await committed(admin, group, topic);
      const ends = await admin.fetchTopicOffsets(topic);
      await waitFor("every partition committed to its end", 45_000, async () => {
        const now = await committed(admin, group, topic);
        return ends.every(({ partition, high }) => now[partition] === Number(high));
      });
      controller.abort();
      await consuming;
      const own = new Set(calls.filter((c) => c.to < rebalancedAt).map((c) => c.partition));
      assert.ok(
        calls.some((c) => own.has(c.partition) && c.from > rebalancedAt),
        "the survivor had finished its own partitions when the victim expired: nothing proven",
      );
      for (const { partition, high } of ends) {
        const handled = new Set(
          calls.filter((c) => c.partition === partition).flatMap((c) => c.offsets),
        );
        const missing = [];
        for (let o = Math.max(atKill[partition], 0); o < Number(high); o++) {
          if (!handled.has(o)) missing.push(o);
        }
        assert.deepEqual(missing, [], `partition ${partition}: offsets the survivor never handled`);
      }
    } catch (error) {
      try {
        victim?.kill("SIGKILL");
      } catch { /* exited already */ }
      const output = await victimOutput;
      throw new Error(`${(error as Error).message}\nvictim: ${output}\n${logged.join("\n")}`, {
        cause: error,
      });
    } finally {
      controller.abort();
      await victimOutput;
      await Promise.all([survivor.close(), admin.disconnect()]);
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

  Deno.test("kafka broker: with a fetch wait, records produced 60 ms apart come in one or two batches; without, nearly one by one", async () => {
    /** Batches a member of a new group gets of 8 records produced 60 ms apart, once it holds the topic. */
    const batchesOf = async (fetchWaitMs: number) => {
      const kafka = broker({ fetchWaitMs, lingerMs: 0 });
      const topic = unique();
      const controller = new AbortController();
      try {
        await kafka.createTopics([{ name: topic, partitions: 1 }]);
        const sizes: number[] = [];
        let assigned: () => void;
        const holding = new Promise<void>((resolve) => (assigned = resolve));
        const consuming = kafka.consume({
          groupId: unique(),
          topics: [topic],
          signal: controller.signal,
          onAssignment: (held) => held[topic]?.length && assigned(),
          handle: (batch) => {
            sizes.push(batch.records.length);
            return Promise.resolve();
          },
        });
        await holding;
        for (let i = 0; i < 8; i++) {
          await kafka.produce(topic, [{ key: "k", value: encoder.encode(String(i)) }]);
          await new Promise((r) => setTimeout(r, 60));
        }
        const deadline = Date.now() + 20_000;
        while (sizes.reduce((a, b) => a + b, 0) < 8 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        controller.abort();
        await consuming;
        return sizes;
      } finally {
        controller.abort();
        await kafka.close();
      }
    };
    // A fetch waits 4 s for 2 MiB: the half second of records crosses at most one fetch's end.
    const gathered = await batchesOf(4_000);
    assert.equal(gathered.reduce((a, b) => a + b, 0), 8, `all 8 came: ${gathered}`);
    assert.ok(gathered.length <= 2, `in one or two batches: ${gathered}`);
    const eager = await batchesOf(0);
    assert.equal(eager.reduce((a, b) => a + b, 0), 8, `all 8 came: ${eager}`);
    assert.ok(eager.length >= 4, `nearly one by one: ${eager}`);
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
        (error: Error) => error instanceof MissingTopicError && error.message.includes(topic),
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

/** A key that kafkajs' partitioner puts in `partition` of `partitions`. */
function keyFor(partition: number, partitions: number): string {
  for (let i = 0;; i++) {
    if (partitionFor(`k${i}`, partitions) === partition) return `k${i}`;
  }
}

/**
 * Another process consuming `topic` as a member of `group` with a slow
 * handler; it prints "handling" as each handler call starts.
 */
function spawnVictim(topic: string, group: string, sessionTimeoutMs: number): Deno.ChildProcess {
  const module = new URL("./kafka_broker.ts", import.meta.url).href;
  const code = `
    import { KafkaBroker } from ${JSON.stringify(module)};
    const kafka = new KafkaBroker({
      brokers: ${JSON.stringify(KAFKA_BROKERS)},
      logger: { info() {}, warn: console.error, error: console.error },
      sessionTimeoutMs: ${sessionTimeoutMs},
      heartbeatIntervalMs: 500,
    });
    await kafka.consume({
      groupId: ${JSON.stringify(group)},
      topics: [${JSON.stringify(topic)}],
      signal: new AbortController().signal,
      maxBatch: 50,
      handle: async () => {
        console.log("handling");
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
    });`;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    cwd: new URL("../..", import.meta.url), // deno.json maps "kafkajs"
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Calls `onLine` for each line the victim prints; resolves to its stderr's end once it exits. */
async function readVictim(
  child: Deno.ChildProcess,
  onLine: (line: string) => void,
): Promise<string> {
  const errors = new Response(child.stderr).text();
  let rest = "";
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + text).split("\n");
    rest = lines.pop()!;
    lines.forEach(onLine);
  }
  await child.status;
  return (await errors).slice(-2000);
}

/** Committed offset per partition of `group` on `topic` (-1: none). */
async function committed(
  admin: Admin,
  group: string,
  topic: string,
): Promise<Record<number, number>> {
  const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return Object.fromEntries(partitions.map((p) => [p.partition, Number(p.offset)]));
}

/** Polls `check` every 250 ms until it holds; throws naming `what` after `ms`. */
async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
