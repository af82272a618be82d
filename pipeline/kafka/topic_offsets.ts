/**
 * Low and high offsets of many topics in three requests: one metadata
 * request for all of them, then one ListOffsets request per leader for the
 * low and one for the high offsets.
 *
 * kafkajs' admin `fetchTopicOffsets` takes one topic, and each topic it has
 * not been asked about before makes its client fetch the metadata of every
 * topic it knows again, one at a time under a lock: on a cluster with ~440
 * topics describing them all took 10–20 s (and, after Kafka returned, timed
 * out waiting for that lock), stalling the samplers and the live feed. So
 * this reads through kafkajs' cluster object (`kafka_cluster.ts`), asking for
 * exactly the topics wanted.
 */

import type { CreateCluster, KafkaCluster } from "./kafka_cluster.ts";
import type { PartitionOffsets } from "../ports.ts";

/** What `TopicOffsets` reads through. */
export interface TopicOffsetsOptions {
  /** Makes the cluster object it reads through. */
  createCluster: CreateCluster;
  /** Connects a client, telling an unreachable Kafka by its error. */
  connect: <T extends { connect(): Promise<void> }>(client: T) => Promise<T>;
}

/**
 * Reads the offsets of topics, one read at a time (kafkajs' cluster keeps one
 * metadata snapshot, which a concurrent read for other topics would replace).
 */
export class TopicOffsets {
  readonly #create: CreateCluster;
  readonly #connect: TopicOffsetsOptions["connect"];
  #cluster?: Promise<KafkaCluster>;
  #last: Promise<unknown> = Promise.resolve();

  /** Reads through clusters `createCluster` makes. */
  constructor(options: TopicOffsetsOptions) {
    this.#create = options.createCluster;
    this.#connect = options.connect;
  }

  /**
   * Offsets of every partition of each of `topics`, sorted by partition, in
   * the order asked. Rejects with kafkajs' `UNKNOWN_TOPIC_OR_PARTITION` error
   * when one of them does not exist.
   */
  read(topics: string[]): Promise<PartitionOffsets[][]> {
    const reading = this.#last.then(() => this.#read(topics), () => this.#read(topics));
    this.#last = reading.catch(() => {});
    return reading;
  }

  /** Disconnects; a later `read` connects again. */
  async close(): Promise<void> {
    const cluster = this.#cluster;
    this.#cluster = undefined;
    await (await cluster?.catch(() => undefined))?.disconnect().catch(() => {});
  }

  async #read(topics: string[]): Promise<PartitionOffsets[][]> {
    if (topics.length === 0) return [];
    const cluster = await this.#connected();
    try {
      await cluster.brokerPool.refreshMetadata(topics);
      const wanted = topics.map((topic) => ({
        topic,
        partitions: cluster.findTopicPartitionMetadata(topic)
          .map((p) => ({ partition: p.partitionId })),
      }));
      const [high, low] = await Promise.all(
        [false, true].map((fromBeginning) =>
          cluster.fetchTopicsOffset(wanted.map((w) => ({ ...w, fromBeginning })))
        ),
      );
      const offsetOf = (answer: typeof high, topic: string, partition: number) => {
        const offset = answer.find((t) => t.topic === topic)?.partitions
          .find((p) => p.partition === partition)?.offset;
        if (offset === undefined) {
          throw new Error(`Kafka answered no offset for ${topic} partition ${partition}`);
        }
        return Number(offset);
      };
      return wanted.map(({ topic, partitions }) =>
        partitions.map(({ partition }) => ({
          partition,
          low: offsetOf(low, topic, partition),
          high: offsetOf(high, topic, partition),
        })).sort((a, b) => a.partition - b.partition)
      );
    } catch (error) {
      // A broker that went away (or moved a leader) may leave stale
      // connections and metadata behind: the next read starts afresh.
      await this.close();
      throw error;
    }
  }

  #connected(): Promise<KafkaCluster> {
    return this.#cluster ??= this.#connect(this.#create()).catch(
      (error) => {
        this.#cluster = undefined;
        throw error;
      },
    );
  }
}
