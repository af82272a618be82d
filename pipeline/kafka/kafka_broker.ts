/**
 * The services-mode broker: kafkajs against Kafka or Redpanda.
 *
 * Topics are only ever created by `createTopics` (never by producing or
 * subscribing), records are partitioned by kafkajs' default partitioner
 * (Java-compatible murmur2, the same as `pipeline/partitioner.ts`), and a
 * group member commits a batch's offsets only after its handler resolved.
 */

import kafkajs from "kafkajs";
import type {
  Admin,
  Consumer,
  ConsumerConfig,
  EachBatchPayload,
  IHeaders,
  KafkaMessage,
  logCreator,
  Message,
  Producer,
} from "kafkajs";
import { Buffer } from "node:buffer";
import process from "node:process";
import type {
  Broker,
  BrokerRecord,
  GroupConsumeOptions,
  GroupDescription,
  Headers,
  OutgoingRecord,
  PartitionOffsets,
  TailOptions,
  TopicDescription,
  TopicSpec,
} from "../ports.ts";
import type { Logger } from "../logger.ts";
import {
  isPartitionStopped,
  MissingPartitionError,
  MissingTopicError,
  UnavailableError,
} from "../errors.ts";
import { DEFAULTS } from "../../config.ts";
import { TopicOffsets } from "./topic_offsets.ts";
import { clusterFactory, type CreateCluster } from "./kafka_cluster.ts";
import { removeLostMember } from "./lost_member.ts";
import { assertTopicSpecs } from "../topic_spec.ts";

// Named imports of kafkajs' values are undefined at run time under Deno.
const { AssignerProtocol, ConfigResourceTypes, Kafka, logLevel, Partitioners } = kafkajs;

// kafkajs 2.2.4 schedules timers with a negative delay (upstream issue 1751,
// harmless: the timer fires at once), and Node's timers print a
// TimeoutNegativeWarning for each. Only that warning is silenced.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
  const type = typeof warning === "string"
    ? typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type
    : warning.name;
  if (type === "TimeoutNegativeWarning") return;
  return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
} as typeof process.emitWarning;

/** Longest wait for the partitions of created topics to get leaders, ms. */
const LEADERS_WAIT_MS = 30_000;

/** Longest wait of a `read` for the records it knows are there, ms. */
const READ_WAIT_MS = 10_000;

/** Kafka's group states, as the console names them. */
const GROUP_STATES: Record<string, GroupDescription["state"]> = {
  Stable: "stable",
  PreparingRebalance: "rebalancing",
  CompletingRebalance: "rebalancing",
  Empty: "empty",
  Dead: "dead",
};

/** How often `describeTopics` lists the topics again when one vanished while it described them. */
const DESCRIBE_ATTEMPTS = 3;

/** Whether kafkajs says a topic is unknown, itself or as the cause of running out of retries. */
function isUnknownTopic(error: unknown): boolean {
  let e = error;
  for (let depth = 0; e && depth < 5; depth++) {
    if (kafkaErrorType(e) === "UNKNOWN_TOPIC_OR_PARTITION") return true;
    const wrapped = e as { originalError?: unknown; cause?: unknown };
    e = wrapped.originalError ?? wrapped.cause;
  }
  return false;
}

/** The protocol error name kafkajs gives an error (`UNKNOWN_TOPIC_OR_PARTITION`), if any. */
function kafkaErrorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === "string" ? type : undefined;
}

/** Settings of a `KafkaBroker`; all but `brokers` and `logger` default. */
export interface KafkaBrokerOptions {
  /** Bootstrap addresses, `host:port` (use 127.0.0.1 rather than localhost). */
  brokers: string[];
  /** Told of kafkajs' warnings and errors. */
  logger: Logger;
  /** Client id in broker logs and tail group ids (default "streamboard"). */
  clientId?: string;
  /** TCP connect timeout per broker, in ms (default 3000). */
  connectionTimeoutMs?: number;
  /** Timeout of one request, in ms (default 30000). */
  requestTimeoutMs?: number;
  /** Retries of a failed request or connection before giving up (default 5). */
  retries?: number;
  /** First wait between retries, in ms, up to `maxRetryMs` (default 300). */
  initialRetryMs?: number;
  /** Longest wait between retries, in ms (default 2000). */
  maxRetryMs?: number;
  /**
   * How long `produce` calls are gathered into one request, in ms (default
   * `lingerMs` of config.ts).
   */
  lingerMs?: number;
  /** Most records in one produce request (default `producerBatchSize`). */
  maxBatchSize?: number;
  /** Replication factor of created topics (default 1). */
  replicationFactor?: number;
  /** Most records per `handle` call by default (default `batchSize`). */
  maxBatch?: number;
  /**
   * A member silent this long leaves its group, in ms (default 10000): a
   * crashed processor's partitions move to the others after at most this.
   */
  sessionTimeoutMs?: number;
  /** Heartbeat interval, also while a handler runs, in ms (default 1000). */
  heartbeatIntervalMs?: number;
  /**
   * Longest wait of a fetch for new records, which also bounds how long
   * stopping a consumer takes, in ms (default 500).
   */
  fetchMaxWaitMs?: number;
  /**
   * How long a group member's fetch lets records gather before it returns,
   * unless `fetchMaxBytesPerPartition` bytes are there, in ms (default 0: a
   * fetch returns as soon as one record is there). Kafka's
   * `fetch.max.wait.ms` with `fetch.min.bytes`; tails never wait.
   */
  fetchWaitMs?: number;
  /**
   * Partitions whose batches are handled at the same time (default 4). Each
   * partition keeps its order; without this a record waits for the batches of
   * every other partition of the same fetch to be handled first.
   */
  partitionsConcurrently?: number;
  /**
   * Most bytes one fetch returns of a partition (default 2 MiB). kafkajs'
   * 1 MiB holds ~750 user profiles, which capped every batch there whatever
   * `maxBatch` said. Measured draining 100,000 profiles: 1 MiB 7.6k/s and
   * 355 MiB peak RSS, 2 MiB 7.9k/s and 411 MiB, 4 MiB 7.8k/s and 497 MiB.
   */
  fetchMaxBytesPerPartition?: number;
  /** Most bytes of one fetch over all partitions (default 16 MiB). */
  fetchMaxBytes?: number;
}

type Settings = Required<KafkaBrokerOptions>;

/** Records waiting in the producer's linger queue, and who waits for them. */
interface Pending {
  topic: string;
  messages: Message[];
  done: PromiseWithResolvers<void>;
}

/** One consume or tail: stops on abort, on close, or on its first failure. */
class Session {
  stopping = false;
  failure: unknown = undefined;
  readonly #done = Promise.withResolvers<void>();
  readonly done = this.#done.promise;

  stop(): void {
    this.stopping = true;
    this.#done.resolve();
  }

  fail(error: unknown): void {
    this.failure ??= error;
    this.stop();
  }
}

/** What `KafkaBroker.#follow` runs: a consumer, what it reads and what it does with each batch. */
interface FollowOptions {
  /** The consumer, not connected yet; it is disconnected when following ends. */
  consumer: Consumer;
  /** Topics to subscribe to. */
  topics: string[];
  /** Ends following (as does closing the broker). */
  signal: AbortSignal;
  /** Whether a group without committed offsets starts at the oldest records (else the newest). */
  fromBeginning: boolean;
  /** Handles one fetched batch; not called once the session is stopping. */
  eachBatch: (payload: EachBatchPayload, session: Session) => Promise<void>;
  /** Called once the consumer runs. */
  started?: () => void;
}

/** A `Broker` on a Kafka-API cluster. */
export class KafkaBroker implements Broker {
  readonly #settings: Settings;
  readonly #kafka: InstanceType<typeof Kafka>;
  readonly #knownTopics = new Set<string>();
  readonly #closing = new AbortController();
  /** Running `consume` and `tail` calls, which `close` stops and waits for. */
  readonly #running = new Set<Promise<void>>();
  readonly #createCluster: CreateCluster;
  readonly #topicOffsets: TopicOffsets;
  /** The `describeTopics` and `describeGroups` in flight, which later callers share. */
  #describingTopics?: Promise<TopicDescription[]>;
  #describingGroups?: Promise<GroupDescription[]>;
  #admin?: Promise<Admin>;
  #producer?: Promise<Producer>;
  #queue: Pending[] = [];
  #queued = 0;
  #linger?: ReturnType<typeof setTimeout>;
  #sending: Promise<void> = Promise.resolve();

  constructor(options: KafkaBrokerOptions) {
    this.#settings = {
      clientId: "streamboard",
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30_000,
      retries: 5,
      initialRetryMs: 300,
      // Capped low so a returning Kafka is used within seconds.
      maxRetryMs: 2_000,
      lingerMs: DEFAULTS.broker.lingerMs,
      maxBatchSize: DEFAULTS.broker.producerBatchSize,
      replicationFactor: 1,
      maxBatch: DEFAULTS.processor.batchSize,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1000,
      fetchMaxWaitMs: 500,
      fetchWaitMs: 0,
      partitionsConcurrently: 4,
      fetchMaxBytesPerPartition: 2 * 1024 * 1024,
      fetchMaxBytes: 16 * 1024 * 1024,
      ...options,
    };
    const s = this.#settings;
    this.#kafka = new Kafka({
      brokers: s.brokers,
      clientId: s.clientId,
      connectionTimeout: s.connectionTimeoutMs,
      requestTimeout: s.requestTimeoutMs,
      retry: {
        retries: s.retries,
        initialRetryTime: s.initialRetryMs,
        maxRetryTime: s.maxRetryMs,
      },
      logLevel: logLevel.WARN,
      logCreator: toKafkaLogger(s.logger),
    });
    this.#createCluster = clusterFactory(this.#kafka);
    this.#topicOffsets = new TopicOffsets({
      createCluster: this.#createCluster,
      connect: (client) => this.#connect(client),
    });
  }

  async createTopics(topics: TopicSpec[]): Promise<void> {
    assertTopicSpecs(topics);
    const admin = await this.#connectedAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: this.#settings.replicationFactor,
          configEntries: t.retentionMs === undefined
            ? []
            : [{ name: "retention.ms", value: String(t.retentionMs) }],
        })),
      });
    } catch (error) {
      // kafkajs gives up waiting for leaders when the broker it asks has not yet
      // heard of a topic another broker just created: wait for them ourselves.
      if (kafkaErrorType(error) !== "UNKNOWN_TOPIC_OR_PARTITION") throw error;
    }
    await this.#awaitLeaders(missing.map((t) => t.name));
  }

  /** Resolves once every partition of `topics` has a leader; an outage after `LEADERS_WAIT_MS`. */
  async #awaitLeaders(topics: string[]): Promise<void> {
    const admin = await this.#connectedAdmin();
    const deadline = Date.now() + LEADERS_WAIT_MS;
    let why = "";
    while (Date.now() < deadline) {
      try {
        const metadata = await admin.fetchTopicMetadata({ topics });
        const led = metadata.topics.every((t) =>
          t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)
        );
        if (led) return;
        why = "partitions without a leader";
      } catch (error) {
        if (kafkaErrorType(error) !== "UNKNOWN_TOPIC_OR_PARTITION") throw error;
        why = "topics not known yet";
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new UnavailableError(
      "Kafka",
      `created topics ${topics.join(", ")} have no leaders after ${LEADERS_WAIT_MS} ms (${why})`,
    );
  }

  async partitions(topic: string): Promise<number | undefined> {
    // Metadata of all topics: kafkajs retries for seconds on a missing one.
    const admin = await this.#connectedAdmin();
    const { topics } = await admin.fetchTopicMetadata();
    for (const t of topics) this.#knownTopics.add(t.name);
    return topics.find((t) => t.name === topic)?.partitions.length;
  }

  async produce(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (this.#closing.signal.aborted) {
      throw new Error("cannot produce: this KafkaBroker is closed");
    }
    await this.#requireTopics([topic]);
    if (records.length === 0) return;
    const done = Promise.withResolvers<void>();
    this.#queue.push({ topic, messages: records.map(toMessage), done });
    this.#queued += records.length;
    const { lingerMs, maxBatchSize } = this.#settings;
    if (this.#queued >= maxBatchSize) this.#flush();
    else this.#linger ??= setTimeout(() => this.#flush(), lingerMs);
    return done.promise;
  }

  consume(options: GroupConsumeOptions): Promise<void> {
    return this.#track(this.#consume(options));
  }

  tail(options: TailOptions): Promise<void> {
    return this.#track(this.#tail(options));
  }

  describeTopics(): Promise<TopicDescription[]> {
    // Shared: callers asking meanwhile (samplers, console pages) never pile up.
    return this.#describingTopics ??= this.#describeTopicsAgain().finally(() => {
      this.#describingTopics = undefined;
    });
  }

  async #describeTopicsAgain(): Promise<TopicDescription[]> {
    for (let attempt = 1;; attempt++) {
      try {
        return await this.#describeTopics();
      } catch (error) {
        // A topic deleted between listing and describing it (another installation
        // sharing the cluster cleaning up): list the topics again.
        if (!isUnknownTopic(error) || attempt >= DESCRIBE_ATTEMPTS) throw error;
      }
    }
  }

  async #describeTopics(): Promise<TopicDescription[]> {
    const admin = await this.#connectedAdmin();
    // Kafka's own topics (`__consumer_offsets`) are not StreamBoard's.
    const names = (await admin.listTopics()).filter((name) => !name.startsWith("__")).sort();
    if (names.length === 0) return [];
    const [offsets, configs] = await Promise.all([
      this.#topicOffsets.read(names),
      admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ["retention.ms"],
        })),
      }),
    ]);
    const retention = new Map<string, number | null>();
    for (const resource of configs.resources) {
      const value = resource.configEntries.find((e) => e.configName === "retention.ms")
        ?.configValue;
      const ms = value === undefined || value === null ? -1 : Number(value);
      retention.set(resource.resourceName, ms < 0 ? null : ms);
    }
    return names.map((name, i) => ({
      name,
      partitions: offsets[i],
      retentionMs: retention.get(name) ?? null,
    }));
  }

  async read(
    options: { topic: string; partition: number; offset: number; limit: number },
  ): Promise<BrokerRecord[]> {
    const { topic, partition, limit } = options;
    const { low, high } = await this.#partitionOffsets(topic, partition);
    const from = Math.max(options.offset, low);
    const to = Math.min(high, from + Math.max(0, limit));
    if (from >= to) return [];
    const partitions = (await this.#offsets(topic)).length;
    return await this.#track(this.#readRange({ topic, partition, partitions, from, to }));
  }

  async offsetForTime(
    options: { topic: string; partition: number; timestamp: number },
  ): Promise<number> {
    const { topic, partition, timestamp } = options;
    await this.#partitionOffsets(topic, partition);
    const admin = await this.#connectedAdmin();
    // kafkajs answers the high offset for a partition with no record that late.
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    return Number(offsets.find((o) => o.partition === partition)!.offset);
  }

  describeGroups(): Promise<GroupDescription[]> {
    return this.#describingGroups ??= this.#describeGroups().finally(() => {
      this.#describingGroups = undefined;
    });
  }

  async #describeGroups(): Promise<GroupDescription[]> {
    const admin = await this.#connectedAdmin();
    const own = [`${this.#settings.clientId}-tail-`, `${this.#settings.clientId}-read-`];
    const ids = (await admin.listGroups()).groups
      .filter((g) => g.protocolType === "consumer" || g.protocolType === "")
      .map((g) => g.groupId)
      .filter((id) => !own.some((prefix) => id.startsWith(prefix)))
      .sort();
    if (ids.length === 0) return [];
    const { groups } = await admin.describeGroups(ids);
    const committed = await Promise.all(ids.map((groupId) => admin.fetchOffsets({ groupId })));
    return ids.map((group, i) => {
      const described = groups.find((g) => g.groupId === group);
      return {
        group,
        state: GROUP_STATES[described?.state ?? ""] ?? "unknown",
        members: (described?.members ?? []).map((m) => ({
          id: m.memberId,
          client: m.clientId,
          partitions: assignedPartitions(m.memberAssignment),
        })),
        offsets: committed[i].flatMap(({ topic, partitions }) =>
          partitions
            // -1: the group reads the topic but has committed nothing of this partition.
            .filter((p) => Number(p.offset) >= 0)
            .map((p) => ({ topic, partition: p.partition, committed: Number(p.offset) }))
        ).sort((a, b) =>
          a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1
        ),
      };
    });
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    this.#flush();
    await this.#sending;
    await Promise.allSettled(this.#running);
    const clients = [this.#producer, this.#admin].map((c) => c?.catch(() => undefined));
    await Promise.all([
      ...clients.map(async (client) => (await client)?.disconnect()),
      this.#topicOffsets.close(),
    ]);
  }

  /** Keeps `running` until it settles, so `close` can wait for it. */
  async #track<T>(running: Promise<T>): Promise<T> {
    const settled = running.then(() => {}, () => {});
    this.#running.add(settled);
    try {
      return await running;
    } finally {
      this.#running.delete(settled);
    }
  }

  async #consume(options: GroupConsumeOptions): Promise<void> {
    const { groupId, topics, signal } = options;
    await this.#requireTopics(topics);
    const consumer = this.#kafka.consumer({
      ...this.#consumerConfig(groupId, true),
      ...gatheringFetch(this.#settings),
    });
    if (options.onAssignment) {
      const told = options.onAssignment;
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => told(payload.memberAssignment));
    }
    await this.#follow({
      consumer,
      topics,
      signal,
      fromBeginning: true,
      eachBatch: (payload, session) => this.#deliver(options, payload, session),
    });
  }

  /**
   * Hands a fetched batch to `handle` in chunks of `maxBatch`, committing
   * each chunk (last offset + 1) once its handler resolved.
   */
  async #deliver(
    options: GroupConsumeOptions,
    payload: EachBatchPayload,
    session: Session,
  ): Promise<void> {
    const { batch, heartbeat, resolveOffset, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const maxBatch = options.maxBatch ?? this.#settings.maxBatch;
    for (let i = 0; i < batch.messages.length; i += maxBatch) {
      if (session.stopping || !isRunning() || isStale()) return;
      const messages = batch.messages.slice(i, i + maxBatch);
      const records = messages.map((m) => toRecord(topic, partition, m));
      try {
        await this.#beating(
          heartbeat,
          () => options.handle({ topic, partition, records }),
        );
      } catch (error) {
        // The handler stopped its partition: not committed, and no more of it is fetched.
        if (isPartitionStopped(error)) return void payload.pause();
        return session.fail(error);
      }
      const last = messages[messages.length - 1].offset;
      // With explicit offsets this commits even while stopping, when
      // `consumer.commitOffsets` silently does nothing. A failed commit
      // (rebalance, lost membership) is thrown to kafkajs, which rejoins;
      // the batch comes again and the idempotent sinks absorb it.
      const offset = String(Number(last) + 1);
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition, offset }] }],
      });
      resolveOffset(last);
      await heartbeat();
    }
  }

  async #tail(options: TailOptions): Promise<void> {
    const { topics, signal, handle } = options;
    await this.#requireTopics(topics);
    const admin = await this.#connectedAdmin();
    const offsets = await this.#topicOffsets.read(topics);
    const ends = topics.map((topic, i) => ({ topic, partitions: offsets[i] }));
    // kafkajs reads only as a group member: a throwaway group, no commits.
    const groupId = `${this.#settings.clientId}-tail-${crypto.randomUUID()}`;
    const consumer = this.#kafka.consumer(this.#consumerConfig(groupId, false));
    const follow = async (payload: EachBatchPayload, session: Session) => {
      const { topic, partition, messages } = payload.batch;
      const records = messages.map((m) => toRecord(topic, partition, m));
      try {
        await handle({ topic, partition, records });
      } catch (error) {
        return session.fail(error);
      }
      payload.resolveOffset(messages[messages.length - 1].offset);
    };
    // A seek made before the first fetch wins over the group's default
    // (latest) position: every record from the ends read above comes.
    const seekToEnds = () => {
      for (const { topic, partitions } of ends) {
        for (const { partition, high } of partitions) {
          consumer.seek({ topic, partition, offset: String(high) });
        }
      }
      options.onReady?.();
    };
    try {
      await this.#follow({
        consumer,
        topics,
        signal,
        fromBeginning: false,
        eachBatch: follow,
        started: seekToEnds,
      });
    } finally {
      // Best effort: an empty group without offsets also expires on its own.
      await admin.deleteGroups([groupId]).catch(() => {});
    }
  }

  /** Low and high offsets of every partition of `topic`. */
  async #offsets(topic: string): Promise<PartitionOffsets[]> {
    return (await this.#topicOffsets.read([topic]))[0];
  }

  /** Offsets of one partition; a `MissingTopicError` or `MissingPartitionError` when there is none. */
  async #partitionOffsets(topic: string, partition: number): Promise<PartitionOffsets> {
    await this.#requireTopics([topic]);
    const offsets = await this.#offsets(topic);
    const found = offsets.find((o) => o.partition === partition);
    if (!found) throw new MissingPartitionError(topic, partition, offsets.length);
    return found;
  }

  /**
   * Reads offsets `from` to `to` (exclusive, all below the high offset) of a
   * partition. kafkajs reads only as a group member: a throwaway group with
   * no commits, the other partitions paused.
   */
  async #readRange(
    range: { topic: string; partition: number; partitions: number; from: number; to: number },
  ): Promise<BrokerRecord[]> {
    const { topic, partition, from, to } = range;
    const records: BrokerRecord[] = [];
    const enough = new AbortController();
    // Transaction markers and compaction leave gaps: give up waiting after a while.
    const signal = AbortSignal.any([enough.signal, AbortSignal.timeout(READ_WAIT_MS)]);
    const groupId = `${this.#settings.clientId}-read-${crypto.randomUUID()}`;
    const consumer = this.#kafka.consumer(this.#consumerConfig(groupId, false));
    const collect = (payload: EachBatchPayload) => {
      const { batch } = payload;
      if (batch.topic !== topic || batch.partition !== partition) return Promise.resolve();
      for (const message of batch.messages) {
        const offset = Number(message.offset);
        if (offset >= from && offset < to) records.push(toRecord(topic, partition, message));
        if (offset >= to - 1) enough.abort();
      }
      return Promise.resolve();
    };
    const seek = () => {
      const others = Array.from({ length: range.partitions }, (_, p) => p)
        .filter((p) => p !== partition);
      if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
      consumer.seek({ topic, partition, offset: String(from) });
    };
    try {
      await this.#follow({
        consumer,
        topics: [topic],
        signal,
        fromBeginning: false,
        eachBatch: collect,
        started: seek,
      });
    } finally {
      const admin = await this.#connectedAdmin();
      await admin.deleteGroups([groupId]).catch(() => {});
    }
    return records;
  }

  /** Runs a consumer until its session stops, then disconnects it. */
  async #follow(
    { consumer, topics, signal, fromBeginning, eachBatch, started }: FollowOptions,
  ): Promise<void> {
    const stop = AbortSignal.any([signal, this.#closing.signal]);
    if (stop.aborted) return;
    const session = new Session();
    const onStop = () => session.stop();
    stop.addEventListener("abort", onStop, { once: true });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) session.fail(payload.error);
    });
    this.#watchRestarts(consumer, stop);
    try {
      await this.#connect(consumer);
      await consumer.subscribe({ topics, fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.#settings.partitionsConcurrently,
        eachBatch: (payload) => session.stopping ? Promise.resolve() : eachBatch(payload, session),
      });
      started?.();
      if (stop.aborted) session.stop();
      await session.done;
    } finally {
      stop.removeEventListener("abort", onStop);
      await this.#disconnect(consumer);
    }
    if (session.failure !== undefined) throw session.failure;
  }

  /**
   * Logs kafkajs restarting a group member that lost its broker (once per
   * outage, and how long it took once it rejoined), and has the member it lost
   * leave the group as soon as Kafka answers, so the restarted one's join
   * does not wait a session timeout for it.
   */
  #watchRestarts(consumer: Consumer, stop: AbortSignal): void {
    const { logger } = this.#settings;
    let memberId: string | undefined;
    let stoppedAt: number | undefined;
    let removing: AbortController | undefined;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart || stoppedAt !== undefined) return;
      stoppedAt = Date.now();
      const { groupId } = payload;
      logger.warn(
        `kafka consumer of group ${groupId} stopped (${payload.error.message}); ` +
          "kafkajs starts it again until Kafka answers",
      );
      if (memberId === undefined) return;
      removing = new AbortController();
      const lost = memberId;
      removeLostMember({
        createCluster: this.#createCluster,
        groupId,
        memberId: lost,
        signal: AbortSignal.any([removing.signal, stop]),
        everyMs: this.#settings.maxRetryMs,
      }).then((removed) => {
        if (removed) {
          logger.info(`kafka consumer of group ${groupId}: its lost member ${lost} left`);
        }
      });
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      memberId = payload.memberId;
      removing?.abort();
      removing = undefined;
      if (stoppedAt === undefined) return;
      const seconds = ((Date.now() - stoppedAt) / 1000).toFixed(1);
      stoppedAt = undefined;
      logger.info(
        `kafka consumer of group ${payload.groupId} joined again ${seconds} s after it stopped ` +
          `(the join took ${payload.duration} ms)`,
      );
    });
  }

  /**
   * Leaves the group, waiting at most one session timeout: kafkajs' disconnect
   * first waits for a join in progress, which a crashed member can hold up
   * until the coordinator expires it. Past that the process moves on and the
   * coordinator expires this member the same way.
   */
  async #disconnect(consumer: Consumer): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), this.#settings.sessionTimeoutMs);
    });
    const outcome = await Promise.race([consumer.disconnect(), late]);
    clearTimeout(timer);
    if (outcome === "late") {
      this.#settings.logger.warn(
        `kafka consumer did not leave its group within ${this.#settings.sessionTimeoutMs} ms; ` +
          "the coordinator will expire it",
      );
    }
  }

  #consumerConfig(groupId: string, restart: boolean): ConsumerConfig {
    const s = this.#settings;
    return {
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      maxWaitTimeInMs: s.fetchMaxWaitMs,
      maxBytesPerPartition: s.fetchMaxBytesPerPartition,
      maxBytes: s.fetchMaxBytes,
      retry: {
        retries: s.retries,
        initialRetryTime: s.initialRetryMs,
        maxRetryTime: s.maxRetryMs,
        // A member resumes from committed offsets after a restart; a tail
        // would lose its positions, so it fails and its caller tails again.
        restartOnFailure: () => Promise.resolve(restart),
      },
    };
  }

  /** Runs `work` with heartbeats, so a slow handler keeps its partitions. */
  async #beating<T>(
    heartbeat: () => Promise<void>,
    work: () => Promise<T>,
  ): Promise<T> {
    // A failed heartbeat (rebalance) surfaces on the commit that follows.
    const timer = setInterval(
      () => heartbeat().catch(() => {}),
      this.#settings.heartbeatIntervalMs,
    );
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** Sends the linger queue after the requests already in flight, in order. */
  #flush(): void {
    clearTimeout(this.#linger);
    this.#linger = undefined;
    const queue = this.#queue;
    this.#queue = [];
    this.#queued = 0;
    if (queue.length > 0) {
      this.#sending = this.#sending.then(() => this.#send(queue));
    }
  }

  /**
   * Sends queued records in requests of at most `maxBatchSize`. After a
   * failed request nothing more is sent (later records would overtake the
   * failed ones): their callers all reject.
   */
  async #send(queue: Pending[]): Promise<void> {
    const requests: {
      messages: Map<string, Message[]>;
      callers: Set<Pending>;
    }[] = [];
    let size = Infinity;
    for (const pending of queue) {
      for (const message of pending.messages) {
        if (size >= this.#settings.maxBatchSize) {
          requests.push({ messages: new Map(), callers: new Set() });
          size = 0;
        }
        const request = requests[requests.length - 1];
        const messages = request.messages.get(pending.topic) ?? [];
        messages.push(message);
        request.messages.set(pending.topic, messages);
        request.callers.add(pending);
        size++;
      }
    }
    const failed = new Map<Pending, unknown>();
    let error: unknown;
    for (const request of requests) {
      try {
        if (error !== undefined) throw error;
        const producer = await this.#connectedProducer();
        const topicMessages = [...request.messages]
          .map(([topic, messages]) => ({ topic, messages }));
        await producer.sendBatch({ topicMessages, acks: -1 });
      } catch (cause) {
        if (error === undefined) this.#dropProducer();
        error ??= new UnavailableError(
          "Kafka",
          `could not send to Kafka at ${this.#settings.brokers.join(",")}: ${
            (cause as Error).message
          }`,
          cause,
        );
        for (const caller of request.callers) failed.set(caller, error);
      }
    }
    for (const pending of queue) {
      if (failed.has(pending)) pending.done.reject(failed.get(pending));
      else pending.done.resolve();
    }
  }

  /** Rejects with a `MissingTopicError` naming a topic that does not exist. */
  async #requireTopics(topics: string[]): Promise<void> {
    for (const topic of topics) {
      if (this.#knownTopics.has(topic)) continue;
      if (await this.partitions(topic) === undefined) {
        const at = this.#settings.brokers.join(",");
        throw new MissingTopicError(
          topic,
          `topic "${topic}" does not exist on Kafka at ${at}; create it first`,
        );
      }
    }
  }

  #connectedAdmin(): Promise<Admin> {
    return this.#admin ??= this.#connect(this.#kafka.admin()).catch((error) => {
      this.#admin = undefined;
      throw error;
    });
  }

  /**
   * Forgets the producer after a failed send, so the next send connects a
   * fresh one: the old one may hold connections to a broker that went away.
   */
  #dropProducer(): void {
    const producer = this.#producer;
    this.#producer = undefined;
    producer?.then((p) => p.disconnect()).catch(() => {});
  }

  #connectedProducer(): Promise<Producer> {
    return this.#producer ??= this.#connect(this.#kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      // Retried sends neither duplicate nor reorder; one request in flight.
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: this.#settings.retries },
    })).catch((error) => {
      this.#producer = undefined;
      throw error;
    });
  }

  async #connect<T extends { connect(): Promise<void> }>(
    client: T,
  ): Promise<T> {
    try {
      await client.connect();
      return client;
    } catch (error) {
      const at = this.#settings.brokers.join(",");
      const why = (error as Error).message;
      throw new UnavailableError("Kafka", `cannot connect to Kafka at ${at}: ${why}`, error);
    }
  }
}

function toMessage(record: OutgoingRecord): Message {
  return {
    key: record.key,
    value: Buffer.from(
      record.value.buffer,
      record.value.byteOffset,
      record.value.byteLength,
    ),
    headers: record.headers,
    timestamp: record.timestamp === undefined ? undefined : String(record.timestamp),
  };
}

function toRecord(
  topic: string,
  partition: number,
  message: KafkaMessage,
): BrokerRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key ? message.key.toString("utf8") : null,
    value: message.value ? new Uint8Array(message.value) : new Uint8Array(),
    headers: toHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

function toHeaders(headers: IHeaders | undefined): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    // A repeated header arrives as an array; like a map, the last value wins.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}

/**
 * kafkajs warns that bounded retries "may invalidate EoS guarantees" of the
 * idempotent producer. They are bounded on purpose (a send that gives up is
 * retried by its caller, and the sinks absorb duplicates): logged as info.
 */
const EXPECTED_WARNING = "Limiting retries for the idempotent producer";

function toKafkaLogger(logger: Logger): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, error } = log as { message: string; error?: unknown };
    const detail = error ? ` (${error})` : "";
    const line = `kafkajs ${namespace}: ${message}${detail}`;
    if (level <= logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN && !message.startsWith(EXPECTED_WARNING)) {
      logger.warn(line);
    } else logger.info(line);
  };
}

/**
 * A group member's fetch settings for `fetchWaitMs`: none when it is 0 (the
 * consumer's own), else a fetch waits that long unless a partition's worth of
 * bytes is there.
 */
export function gatheringFetch(
  settings: Pick<Settings, "fetchWaitMs" | "fetchMaxBytesPerPartition">,
): Pick<ConsumerConfig, "minBytes" | "maxWaitTimeInMs"> {
  if (settings.fetchWaitMs <= 0) return {};
  return { minBytes: settings.fetchMaxBytesPerPartition, maxWaitTimeInMs: settings.fetchWaitMs };
}

/**
 * The partitions a group member's assignment (Kafka's consumer protocol bytes)
 * gives it, by topic and partition; none while the group rebalances, and none
 * for bytes another client wrote that are not the consumer protocol's (the
 * console still lists the member, so one odd client cannot hide every group).
 */
export function assignedPartitions(bytes: Buffer): Array<{ topic: string; partition: number }> {
  let decoded: ReturnType<typeof AssignerProtocol.MemberAssignment.decode> = null;
  try {
    decoded = bytes.length === 0 ? null : AssignerProtocol.MemberAssignment.decode(bytes);
  } catch {
    decoded = null;
  }
  return Object.entries(decoded?.assignment ?? {})
    .flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })))
    .sort((a, b) => a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1);
}
