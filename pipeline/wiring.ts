/**
 * Builds the adapters a configuration asks for. The only module that knows
 * which adapter stands behind each port; everything else takes the ports.
 *
 * In services mode a server that is down at start is named once, with its
 * address and what to run, and then retried with backoff until it answers.
 */

import type { Config } from "../config.ts";
import type { AggregateStore, Broker, RawStore } from "./ports.ts";
import type { Logger } from "./logger.ts";
import { EmbeddedLog } from "./embedded/log_broker.ts";
import { SqliteRawStore } from "./embedded/raw_store.ts";
import { SqliteAggregateStore } from "./embedded/aggregate_store.ts";
import { namespacedBroker } from "./namespaced_broker.ts";
import { allTopicSpecs } from "./streams.ts";
import { retry } from "./async.ts";

/** The broker and stores of one process (or worker). */
export interface Pipeline {
  broker: Broker;
  raw: RawStore;
  aggregates: AggregateStore;
  close(): Promise<void>;
}

const HINT =
  "start it (`docker compose up -d`, or `deno task services:up` where there is no Docker)";

/**
 * Runs `open` until it succeeds: the first failure is one clear line naming
 * the server, where it was looked for and what to run; later ones are quieter.
 *
 * @param initialMs first wait between attempts, doubling up to 30 s
 */
export async function connectWithRetry<T>(
  what: string,
  where: string,
  open: () => Promise<T>,
  log: Logger,
  signal?: AbortSignal,
  initialMs = 1000,
): Promise<T> {
  let failed = false;
  const result = await retry(open, {
    initialMs,
    maxMs: 30_000,
    signal,
    onFailure: (error, attempt, wait) => {
      if (!failed) {
        log.error(
          `${what} is not reachable at ${where} (${(error as Error).message}); ${HINT}. ` +
            `Retrying with backoff.`,
        );
        failed = true;
      } else if (attempt % 5 === 0) {
        log.warn(`still waiting for ${what} at ${where} (attempt ${attempt}, next in ${wait} ms)`);
      }
    },
  });
  if (failed) log.info(`${what} at ${where} is up`);
  return result;
}

/** Opens the broker of the configured mode and creates the topics StreamBoard needs. */
export async function connectBroker(
  config: Config,
  log: Logger,
  signal?: AbortSignal,
): Promise<Broker> {
  const inner: Broker = config.mode === "embedded"
    ? new EmbeddedLog({
      path: `${config.dataDir}/log.db`,
      pollMs: config.pollMs,
      retentionMs: config.retentionHours * 3_600_000,
      log: (message) => log.info(message),
    })
    : new (await import("./kafka/kafka_broker.ts")).KafkaBroker({
      brokers: config.kafkaBrokers,
      logger: log,
      connectionTimeoutMs: config.connectTimeoutMs,
      lingerMs: config.lingerMs,
      maxBatchSize: config.producerBatchSize,
      maxBatch: config.batchSize,
      replicationFactor: config.kafkaReplicationFactor,
    });
  const broker = namespacedBroker(inner, config.namespace);
  await connectWithRetry(
    config.mode === "embedded" ? "the embedded log" : "Kafka",
    config.mode === "embedded" ? `${config.dataDir}/log.db` : config.kafkaBrokers.join(","),
    () => broker.createTopics(allTopicSpecs(config)),
    log,
    signal,
  );
  return broker;
}

/** Opens the broker and both stores of the configured mode. */
export async function openPipeline(
  config: Config,
  log: Logger,
  signal?: AbortSignal,
): Promise<Pipeline> {
  const broker = await connectBroker(config, log, signal);
  let raw: RawStore;
  let aggregates: AggregateStore;
  if (config.mode === "embedded") {
    raw = new SqliteRawStore(`${config.dataDir}/store.db`);
    aggregates = new SqliteAggregateStore(`${config.dataDir}/store.db`);
  } else {
    // Loaded only in services mode, so embedded mode never loads the drivers.
    const { MongoRawStore } = await import("./mongo/mongo_raw_store.ts");
    const { CassandraAggregateStore } = await import("./cassandra/cassandra_aggregate_store.ts");
    const timeout = config.connectTimeoutMs;
    [raw, aggregates] = await Promise.all([
      connectWithRetry(
        "MongoDB",
        config.mongodbUrl.replace(/\/\/[^@/]*@/, "//"),
        () =>
          MongoRawStore.connect(config.mongodbUrl, config.mongodbDb, {
            serverSelectionTimeoutMS: timeout,
            connectTimeoutMS: timeout,
          }),
        log,
        signal,
      ),
      connectWithRetry(
        "Cassandra",
        config.cassandraContactPoints.join(","),
        () =>
          CassandraAggregateStore.connect({
            contactPoints: config.cassandraContactPoints,
            localDataCenter: config.cassandraDc,
            keyspace: config.cassandraKeyspace,
            replication: config.cassandraReplication,
            connectTimeoutMs: timeout,
          }),
        log,
        signal,
      ),
    ]);
  }
  return {
    broker,
    raw,
    aggregates,
    close: async () => {
      await Promise.all([broker.close(), raw.close(), aggregates.close()]);
    },
  };
}
