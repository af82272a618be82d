/**
 * Builds the adapters a configuration asks for. The only module that knows
 * which adapter stands behind each port; everything else takes the ports.
 *
 * In services mode a server that is down at start is named once, with its
 * address and what to run, and then retried with backoff until it answers.
 */

import type { Config } from "../config.ts";
import type { AggregateStore, Broker, EventIdStore, RawStore } from "./ports.ts";
import type { Logger } from "./logger.ts";
import { EmbeddedLog } from "./embedded/log_broker.ts";
import { SqliteRawStore } from "./embedded/raw_store.ts";
import { SqliteAggregateStore } from "./embedded/aggregate_store.ts";
import { SqliteEventIdStore } from "./embedded/event_id_store.ts";
import { StoreFile } from "./embedded/store_file.ts";
import {
  CHECKPOINT_PACE,
  type CheckpointJob,
  type CheckpointPace,
  FALLBACK_PAGES,
} from "./embedded/wal_checkpoints.ts";
import { startWorker } from "./workers/protocol.ts";
import { namespacedBroker } from "./namespaced_broker.ts";
import type { StreamRegistry } from "./stream_registry.ts";
import { retry } from "./async.ts";

/** The broker and stores of one process (or worker). */
export interface Pipeline {
  broker: Broker;
  raw: RawStore;
  aggregates: AggregateStore;
  /** Owners of event ids, shared by every processor of a stream. */
  eventIds: EventIdStore;
  close(): Promise<void>;
}

const HINT =
  "start it (`docker compose up -d`, or `deno task services:up` where there is no Docker)";

/** A server `connectWithRetry` waits for, and how. */
export interface ConnectOptions<T> {
  /** The server, in words: `Kafka`. */
  what: string;
  /** Where it was looked for: `127.0.0.1:9092`. */
  where: string;
  /** Connects to it; rejects while it is not reachable. */
  open: () => Promise<T>;
  /** Told about the first failure, every fifth after it, and the success after failures. */
  log: Logger;
  /** Gives up waiting. */
  signal?: AbortSignal;
  /** First wait between attempts, in ms, doubling up to 2 s; 1 s by default. */
  initialMs?: number;
}

/**
 * Runs `open` until it succeeds: the first failure is one clear line naming
 * the server, where it was looked for and what to run; later ones are quieter.
 */
export async function connectWithRetry<T>(
  { what, where, open, log, signal, initialMs = 1000 }: ConnectOptions<T>,
): Promise<T> {
  let failed = false;
  const result = await retry(open, {
    initialMs,
    // Capped low so a server that returns is used within seconds.
    maxMs: 2_000,
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

/** What the broker and stores of one process are opened for. */
export interface WiringOptions {
  config: Config;
  /** The streams whose topics are created. */
  registry: StreamRegistry;
  log: Logger;
  /** Gives up waiting for a server that is down. */
  signal?: AbortSignal;
}

/** The SQLite files of embedded mode: the log and the stores. */
export function embeddedFiles(config: Config): { log: string; store: string } {
  return { log: `${config.stores.dataDir}/log.db`, store: `${config.stores.dataDir}/store.db` };
}

/** A running checkpoint thread (see `wal_checkpoints.ts`). */
export interface WalCheckpointer {
  /** Resolves once the thread has its job (or once it failed). */
  ready: Promise<void>;
  /** Stops it after the copy in hand; resolves once its connections are closed. */
  stop(): Promise<void>;
}

const CHECKPOINT_WORKER = new URL("./workers/checkpoint_worker.ts", import.meta.url);

/**
 * Starts a thread that checkpoints the SQLite files at `paths` (in WAL mode,
 * created by their writers: open them first) at `pace`. A failure of the
 * thread is reported to `onError`; the writers' fallback then keeps the
 * write-ahead logs bounded.
 */
export function startWalCheckpoints(
  paths: string[],
  options: { pace?: CheckpointPace; onError?: (message: string) => void; nice?: number } = {},
): WalCheckpointer {
  let started!: () => void;
  const ready = new Promise<void>((resolve) => started = resolve);
  const job: CheckpointJob = { paths, pace: options.pace ?? CHECKPOINT_PACE };
  const thread = startWorker(CHECKPOINT_WORKER, job, {
    onStarted: () => started(),
    nice: options.nice,
  });
  thread.done.catch((error) => options.onError?.((error as Error).message)).finally(started);
  return { ready, stop: () => thread.stop() };
}

/**
 * Embedded mode with `walCheckpoints: "background"`: starts the thread that
 * checkpoints the files' write-ahead logs for the whole process; otherwise
 * nothing to start. Open the pipeline first: it creates the files.
 */
export function startCheckpoints(config: Config, log: Logger): WalCheckpointer | undefined {
  if (config.mode !== "embedded" || config.stores.walCheckpoints !== "background") return undefined;
  const files = embeddedFiles(config);
  return startWalCheckpoints([files.log, files.store], {
    nice: config.web.workerNice,
    onError: (message) =>
      log.error(
        `the WAL checkpoints thread stopped (${message}); the log and stores checkpoint past ${
          FALLBACK_PAGES / 256
        } MB themselves`,
      ),
  });
}

/** Opens the broker of the configured mode and creates the topics of the registry's streams. */
export async function connectBroker(options: WiringOptions): Promise<Broker> {
  const { config, registry, log, signal } = options;
  const inner: Broker = config.mode === "embedded"
    ? new EmbeddedLog({
      path: embeddedFiles(config).log,
      pollMs: config.broker.pollMs,
      fetchWaitMs: config.broker.fetchWaitMs,
      fetchMinRecords: config.broker.fetchMinRecords,
      retentionMs: config.broker.retentionHours * 3_600_000,
      log: (message) => log.info(message),
      checkpoints: config.stores.walCheckpoints,
    })
    : new (await import("./kafka/kafka_broker.ts")).KafkaBroker({
      brokers: config.broker.kafkaBrokers,
      logger: log,
      connectionTimeoutMs: config.stores.connectTimeoutMs,
      lingerMs: config.broker.lingerMs,
      maxBatchSize: config.broker.producerBatchSize,
      maxBatch: config.processor.batchSize,
      fetchWaitMs: config.broker.fetchWaitMs,
      replicationFactor: config.broker.kafkaReplicationFactor,
    });
  const broker = namespacedBroker(inner, config.broker.namespace);
  await connectWithRetry({
    what: config.mode === "embedded" ? "the embedded log" : "Kafka",
    where: config.mode === "embedded"
      ? embeddedFiles(config).log
      : config.broker.kafkaBrokers.join(","),
    open: () => broker.createTopics(registry.topicSpecs(config)),
    log,
    signal,
  });
  return broker;
}

/** Opens the broker and the stores of the configured mode. */
export async function openPipeline(options: WiringOptions): Promise<Pipeline> {
  const { config, log, signal } = options;
  const broker = await connectBroker(options);
  let raw: RawStore;
  let aggregates: AggregateStore;
  let eventIds: EventIdStore;
  if (config.mode === "embedded") {
    // One connection for the three: each keeps the page cache the others write through.
    const file = new StoreFile(embeddedFiles(config).store, config.stores.walCheckpoints);
    raw = new SqliteRawStore(file);
    aggregates = new SqliteAggregateStore(file);
    eventIds = new SqliteEventIdStore(file);
  } else {
    // Loaded only in services mode, so embedded mode never loads the drivers.
    const { MongoRawStore } = await import("./mongo/mongo_raw_store.ts");
    const { MongoEventIdStore } = await import("./mongo/mongo_event_id_store.ts");
    const { CassandraAggregateStore } = await import("./cassandra/cassandra_aggregate_store.ts");
    const timeout = config.stores.connectTimeoutMs;
    let mongo: [RawStore, EventIdStore];
    [mongo, aggregates] = await Promise.all([
      connectWithRetry({
        what: "MongoDB",
        where: config.stores.mongodbUrl.replace(/\/\/[^@/]*@/, "//"),
        open: async (): Promise<[RawStore, EventIdStore]> => {
          const url = config.stores.mongodbUrl, db = config.stores.mongodbDb;
          const timeouts = { serverSelectionTimeoutMS: timeout, connectTimeoutMS: timeout };
          const documents = await MongoRawStore.connect(url, db, timeouts);
          try {
            return [documents, await MongoEventIdStore.connect(url, db, timeouts)];
          } catch (error) {
            await documents.close();
            throw error;
          }
        },
        log,
        signal,
      }),
      connectWithRetry({
        what: "Cassandra",
        where: config.stores.cassandraContactPoints.join(","),
        open: () =>
          CassandraAggregateStore.connect({
            contactPoints: config.stores.cassandraContactPoints,
            localDataCenter: config.stores.cassandraDc,
            keyspace: config.stores.cassandraKeyspace,
            replication: config.stores.cassandraReplication,
            connectTimeoutMs: timeout,
          }),
        log,
        signal,
      }),
    ]);
    [raw, eventIds] = mongo;
  }
  return {
    broker,
    raw,
    aggregates,
    eventIds,
    close: async () => {
      await Promise.all([broker.close(), raw.close(), aggregates.close(), eventIds.close()]);
    },
  };
}
