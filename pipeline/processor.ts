/**
 * The stream processor: validates each record, writes raw documents and
 * window aggregates, dead-letters bad records, announces processed events on
 * the live topic, and only then lets the broker commit.
 *
 * Every write is idempotent (documents by id, aggregates by source offset), so
 * a batch delivered again after a crash leaves the stores exactly as if the
 * crash had not happened.
 */

import type {
  AggregateStore,
  Broker,
  BrokerRecord,
  JsonObject,
  OutgoingRecord,
  RawStore,
  RecordBatch,
  StoredDocument,
} from "./ports.ts";
import type { Contribution } from "./window_counts.ts";
import { WindowAggregator } from "./window_aggregator.ts";
import { retry } from "./async.ts";
import type { Logger } from "./logger.ts";

/** What a stream contributes to one aggregate cell. */
export interface CellContribution {
  dimension: string;
  key: string;
  amount: number;
}

/** Everything the processor needs to know about one stream. */
export interface StreamDefinition<E> {
  /** Stream name, used for aggregates and logs. */
  name: string;
  /** Input topic. */
  topic: string;
  /** Topic that receives records failing validation, with their reason. */
  dlqTopic: string;
  /** Topic announcing processed events to dashboards. */
  liveTopic: string;
  /** Raw document collection. */
  collection: string;
  /** Tumbling window size of the aggregates, in ms. */
  windowMs: number;
  /**
   * Decodes and validates a record.
   * @throws {TypeError | SyntaxError | RangeError} for bad input (dead-lettered)
   */
  parse(record: BrokerRecord): E;
  /** The raw document of an event. */
  document(event: E, record: BrokerRecord): StoredDocument;
  /** The aggregate cells an event counts into. */
  contributions(event: E): CellContribution[];
  /** What dashboards are told about an event. */
  live(event: E, record: BrokerRecord): JsonObject;
}

/** Most events one live announcement carries (the newest of its batch). */
export const LIVE_ITEMS_PER_BATCH = 100;

/**
 * What a processor announces on the live topic after each batch is stored:
 * one record per batch, not per event, so announcing costs one write.
 */
export interface LiveAnnouncement {
  /** Events the batch stored. */
  count: number;
  /** The newest of them, oldest first, as `StreamDefinition.live` describes them. */
  items: JsonObject[];
}

/** Dimension counting dead-lettered records, so the dashboard shows them. */
export const REJECTED_DIMENSION = "rejected";

/** Headers of a dead-letter record. */
export function deadLetterHeaders(record: BrokerRecord, reason: string): Record<string, string> {
  return {
    reason,
    "source.topic": record.topic,
    "source.partition": String(record.partition),
    "source.offset": String(record.offset),
    "source.timestamp": String(record.timestamp),
  };
}

/** Settings and collaborators of a processor. */
export interface ProcessorDeps {
  broker: Broker;
  raw: RawStore;
  aggregates: AggregateStore;
  log: Logger;
  /** First and longest wait between attempts while a store or the broker is down. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

/** Processes one stream as a member of a consumer group. */
export class StreamProcessor<E> {
  readonly #def: StreamDefinition<E>;
  readonly #deps: ProcessorDeps;
  readonly #aggregator: WindowAggregator;
  readonly #encoder = new TextEncoder();

  constructor(definition: StreamDefinition<E>, deps: ProcessorDeps) {
    this.#def = definition;
    this.#deps = deps;
    this.#aggregator = new WindowAggregator(deps.aggregates, definition.name, definition.windowMs);
  }

  /** Consumes as `groupId` until `signal` aborts. */
  run(groupId: string, signal: AbortSignal, maxBatch: number): Promise<void> {
    return this.#deps.broker.consume({
      groupId,
      topics: [this.#def.topic],
      signal,
      maxBatch,
      handle: (batch) => this.handle(batch, signal),
    });
  }

  /** Processes one batch; resolves once every sink has acknowledged it. */
  async handle(batch: RecordBatch, signal: AbortSignal): Promise<void> {
    const def = this.#def;
    const documents: StoredDocument[] = [];
    const contributions: Contribution[] = [];
    const dead: OutgoingRecord[] = [];
    const live: JsonObject[] = [];
    for (const record of batch.records) {
      let event: E;
      try {
        event = def.parse(record);
      } catch (error) {
        if (!isBadInput(error)) throw error;
        dead.push({
          key: record.key,
          value: record.value,
          timestamp: record.timestamp,
          headers: deadLetterHeaders(record, (error as Error).message),
        });
        contributions.push(contribution(record, REJECTED_DIMENSION, "invalid", 1));
        continue;
      }
      const doc = def.document(event, record);
      documents.push(doc);
      for (const c of def.contributions(event)) {
        contributions.push(contribution(record, c.dimension, c.key, c.amount));
      }
      live.push(def.live(event, record));
    }
    const first = batch.records[0].offset;
    const last = batch.records[batch.records.length - 1].offset;
    if (dead.length > 0) {
      await this.#persist(
        `dead-letter ${dead.length} records to ${def.dlqTopic}`,
        signal,
        () => this.#deps.broker.produce(def.dlqTopic, dead),
      );
      this.#deps.log.warn(
        `${dead.length} record(s) of ${def.topic}[${batch.partition}] dead-lettered to ${def.dlqTopic}; first reason: ${
          dead[0].headers?.reason
        }`,
      );
    }
    if (documents.length > 0) {
      await this.#persist(
        `upsert ${documents.length} documents`,
        signal,
        () => this.#deps.raw.upsert(def.collection, documents),
      );
    }
    await this.#persist(
      "write window aggregates",
      signal,
      () => this.#aggregator.apply(batch.partition, first, last, contributions),
    );
    if (live.length > 0) {
      const announcement: LiveAnnouncement = {
        count: live.length,
        items: live.slice(-LIVE_ITEMS_PER_BATCH),
      };
      const value = this.#encoder.encode(JSON.stringify(announcement));
      await this.#persist(
        `announce on ${def.liveTopic}`,
        signal,
        () => this.#deps.broker.produce(def.liveTopic, [{ key: null, value }]),
      );
    }
  }

  /** Runs a write until it succeeds, so nothing is committed past a failed sink. */
  #persist(what: string, signal: AbortSignal, work: () => Promise<void>): Promise<void> {
    return retry(work, {
      initialMs: this.#deps.retryInitialMs ?? 500,
      maxMs: this.#deps.retryMaxMs ?? 30_000,
      signal,
      onFailure: (error, attempt, wait) =>
        this.#deps.log.error(
          `${this.#def.name}: could not ${what} (attempt ${attempt}): ${
            (error as Error).message
          }; consumption paused, nothing committed, retrying in ${wait} ms`,
        ),
    });
  }
}

/** True for errors that mean "this record is bad", as opposed to "infrastructure failed". */
export function isBadInput(error: unknown): boolean {
  return error instanceof TypeError || error instanceof SyntaxError || error instanceof RangeError;
}

function contribution(
  record: BrokerRecord,
  dimension: string,
  key: string,
  amount: number,
): Contribution {
  return { dimension, key, amount, ts: record.timestamp, offset: record.offset };
}
