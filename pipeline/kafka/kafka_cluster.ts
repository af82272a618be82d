/**
 * kafkajs' internal cluster object, which its admin, producer and consumer
 * are built on. StreamBoard uses it where kafkajs' public API has no call for
 * what it needs: offsets of many topics in one request (`topic_offsets.ts`)
 * and removing a group member kafkajs lost (`lost_member.ts`).
 */

import type { Kafka } from "kafkajs";

/** The part of kafkajs' internal `Cluster` (2.2.4) StreamBoard uses. */
export interface KafkaCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  brokerPool: { refreshMetadata(topics: string[]): Promise<void> };
  findTopicPartitionMetadata(topic: string): { partitionId: number }[];
  fetchTopicsOffset(
    topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  findGroupCoordinator(options: { groupId: string }): Promise<{
    leaveGroup(options: { groupId: string; memberId: string }): Promise<unknown>;
  }>;
}

/** Makes a cluster object with a `Kafka` client's settings (brokers, timeouts, retries), not connected. */
export type CreateCluster = () => KafkaCluster;

/** kafkajs' factory of clusters on `kafka`; a loud error when kafkajs' internals changed. */
export function clusterFactory(kafka: Kafka): CreateCluster {
  const key = Object.getOwnPropertySymbols(kafka).find((symbol) =>
    symbol.description === "private:Kafka:createCluster"
  );
  const create = key === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[key];
  if (typeof create !== "function") {
    throw new Error(
      "kafkajs has no private:Kafka:createCluster: pipeline/kafka/kafka_cluster.ts needs kafkajs 2.2.4",
    );
  }
  return () =>
    (create as (options: { allowAutoTopicCreation: boolean }) => KafkaCluster)({
      allowAutoTopicCreation: false,
    });
}
