import assert from "node:assert/strict";
import { KafkaBroker } from "../pipeline/kafka/kafka_broker.ts";
import { KAFKA_BROKERS, withService } from "../pipeline/testing/services.ts";
import { silentLogger } from "../pipeline/logger.ts";
import { partitionFor } from "../pipeline/partitioner.ts";
import { browseMessages, describedTopic, parseMessageQuery } from "./console_messages.ts";
import { consoleTopics } from "./console_topics.ts";
import { TopicRates } from "./topic_rates.ts";

const encoder = new TextEncoder();

await withService({ name: "Kafka", address: KAFKA_BROKERS[0] }, () => {
  Deno.test("console on Kafka: topics, newest, from offset, from time and filtered browses", async () => {
    const broker = new KafkaBroker({ brokers: KAFKA_BROKERS, logger: silentLogger, lingerMs: 2 });
    try {
      const topic = `console-${crypto.randomUUID().slice(0, 8)}`;
      await broker.createTopics([{ name: topic, partitions: 2 }]);
      const key = [0, 1].map((p) => {
        for (let i = 0;; i++) if (partitionFor(`k${i}`, 2) === p) return `k${i}`;
      });
      const base = Date.now() - 60_000;
      await broker.produce(topic, [
        ...Array.from({ length: 6 }, (_, n) => ({
          key: key[0],
          value: encoder.encode(JSON.stringify({ n })),
          headers: { half: n < 3 ? "first" : "second" },
          timestamp: base + n * 1000,
        })),
        { key: key[1], value: encoder.encode("text"), timestamp: base + 2500 },
      ]);
      const listed = (await consoleTopics(broker, new TopicRates())).find((t) => t.name === topic);
      assert.deepEqual(listed?.partitions, [
        { partition: 0, low: 0, high: 6 },
        { partition: 1, low: 0, high: 1 },
      ]);
      const described = await describedTopic(broker, topic);
      const browse = async (query: string) =>
        (await browseMessages(
          broker,
          described,
          parseMessageQuery(new URLSearchParams(query), described),
        ))
          .map((m) => m.valueType === "json" ? (m.value as { n: number }).n : m.value);
      assert.deepEqual(await browse("limit=3"), [3, 4, 5]);
      assert.deepEqual(await browse(""), [0, 1, 2, "text", 3, 4, 5]);
      assert.deepEqual(await browse("partition=0&offset=2&limit=2"), [2, 3]);
      assert.deepEqual(await browse(`from=${new Date(base + 2000).toISOString()}&limit=3`), [
        2,
        "text",
        3,
      ]);
      assert.deepEqual(await browse("filter=header.half%3Dsecond%20%26%26%20n%3C5"), [3, 4]);
    } finally {
      await broker.close();
    }
  });
});
