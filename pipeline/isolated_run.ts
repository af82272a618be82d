/**
 * Cleaning up after a run that had the servers to itself: a bench run or a
 * services test gets topics under a namespace, a MongoDB database and a
 * Cassandra keyspace of its own, deleted here when it ends.
 */

import kafkajs from "kafkajs";
import { MongoClient } from "mongodb";
import cassandraDriver from "cassandra-driver";
import type { Config } from "../config.ts";

/**
 * Deletes what an isolated run left on the servers: the topics under its
 * namespace, its MongoDB database and its Cassandra keyspace. Best effort: a
 * server that is gone is skipped.
 */
export async function dropIsolatedRun(config: Config): Promise<void> {
  if (config.broker.namespace === "") {
    throw new RangeError("refusing to drop a run without a namespace");
  }
  const { Kafka, logLevel } = kafkajs;
  const admin = new Kafka({ brokers: config.broker.kafkaBrokers, logLevel: logLevel.NOTHING })
    .admin();
  const mongo = new MongoClient(config.stores.mongodbUrl, { serverSelectionTimeoutMS: 5000 });
  const cassandra = new cassandraDriver.Client({
    contactPoints: config.stores.cassandraContactPoints,
    localDataCenter: config.stores.cassandraDc,
  });
  await Promise.allSettled([
    (async () => {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) =>
        t.startsWith(config.broker.namespace)
      );
      if (topics.length > 0) await admin.deleteTopics({ topics });
    })().finally(() => admin.disconnect()),
    mongo.db(config.stores.mongodbDb).dropDatabase().finally(() => mongo.close()),
    cassandra.execute(`DROP KEYSPACE IF EXISTS "${config.stores.cassandraKeyspace}"`)
      .finally(() => cassandra.shutdown()),
  ]);
}
