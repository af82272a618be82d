import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { TopicOffsets } from "./topic_offsets.ts";
import { clusterFactory } from "./kafka_cluster.ts";
import { KAFKA_BROKERS, withService } from "../testing/services.ts";

const unique = () => `offsets-test-${crypto.randomUUID().slice(0, 8)}`;

await withService({ name: "Kafka", address: KAFKA_BROKERS[0] }, () => {
  Deno.test("topic offsets: one read gives each topic asked its partitions' low and high offsets", async () => {
    const kafka = new kafkajs.Kafka({ brokers: KAFKA_BROKERS, logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    const offsets = new TopicOffsets({
      createCluster: clusterFactory(kafka),
      connect: async (client) => (await client.connect(), client),
    });
    const [two, three] = [unique(), unique()];
    await Promise.all([admin.connect(), producer.connect()]);
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: two, numPartitions: 2 }, { topic: three, numPartitions: 3 }],
      });
      await producer.send({
        topic: three,
        messages: [{ value: "a", partition: 2 }, { value: "b", partition: 2 }, {
          value: "c",
          partition: 0,
        }],
      });
      assert.deepEqual(await offsets.read([three, two]), [
        [{ partition: 0, low: 0, high: 1 }, { partition: 1, low: 0, high: 0 }, {
          partition: 2,
          low: 0,
          high: 2,
        }],
        [{ partition: 0, low: 0, high: 0 }, { partition: 1, low: 0, high: 0 }],
      ]);
      // Reads one after another for other topics (the cluster keeps one metadata snapshot).
      const [onlyTwo, both] = await Promise.all([offsets.read([two]), offsets.read([two, three])]);
      assert.equal(onlyTwo[0].length, 2);
      assert.deepEqual(both.map((partitions) => partitions.length), [2, 3]);
      await assert.rejects(
        offsets.read([unique()]),
        (error: { type?: string }) => error.type === "UNKNOWN_TOPIC_OR_PARTITION",
      );
      assert.equal((await offsets.read([three]))[0].length, 3, "reads again after a failed one");
    } finally {
      await admin.deleteTopics({ topics: [two, three] }).catch(() => {});
      await Promise.all([admin.disconnect(), producer.disconnect(), offsets.close()]);
    }
  });
});
