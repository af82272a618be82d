/**
 * The stream processor: validates each record, writes raw documents,
 * all-time counts and fired windows, dead-letters bad records, announces processed events on
 * the live topic, and only then lets the broker commit.
 *
 * No record can stop a stream: each one is decided under one guard
 * (`process_record.ts`) and ends accepted or dead-lettered. Only the sinks
 * and the broker (infrastructure) are retried, with backoff, holding the
 * commit back until they succeed; an outage is never dead-lettered.
 *
 * Two things stop a partition (and only it; its other partitions and the
 * other streams go on): more than a set share of its recent records failing
 * with `processing-error` (a broken deployment, see
 * `processing_error_threshold.ts`), and an error a retry cannot help (a
 * missing topic). It stops before the record in hand: nothing of its batch
 * is written or committed, and it stays stopped until the process restarts.
 *
 * Every write is idempotent (documents by id, aggregates by source offset), so
 * a batch delivered again after a crash leaves the stores exactly as if the
 * crash had not happened.
 */

import type {
  AggregateStore,
  Broker,
  BrokerRecord,
  EventIdStore,
  JsonObject,
  OutgoingRecord,
  RawStore,
  RecordBatch,
  SourcePosition,
  StoredDocument,
} from "./ports.ts";
import { AggregateCounter, type Count } from "./aggregate_counts.ts";
import { retry } from "./async.ts";
import type { Logger } from "./logger.ts";
import {
  type Aggregation,
  type Healed,
  type PartitionCheckpoint,
  WindowEngine,
  type WindowResult,
  type WindowSpec,
} from "./windowing/windows.ts";
import { formatZoneless } from "./windowing/event_time.ts";
import {
  legacyNewest,
  partitionNewest,
  READ_MODELS,
  readModelDocument,
  readModelId,
  saveNewestChange,
} from "./read_models.ts";
import { type NewestChange, newestChange, newestCollection } from "./newest_documents.ts";
import type { LiveAnnouncement } from "./live_announcement.ts";
import { deadLetter, PROCESSING_ERROR, type Refusal, REJECTED_DIMENSION } from "./dead_letter.ts";
import { type Decoded, decodeRecord, processRecord, type RecordContext } from "./process_record.ts";
import {
  claimsOf,
  type Deduplication,
  DUPLICATE,
  type Duplicate,
  duplicatesOf,
  expireEveryMs,
  type IdentifiedRecord,
  ownedIds,
} from "./dedup.ts";
import { parsePosition, REPLAY_HEADER, REPLAY_OUTCOMES, replayOutcomeDocument } from "./replay.ts";
import { DEFAULTS } from "../config.ts";
import {
  canRetry,
  isPartitionStopped,
  type PartitionStop,
  PartitionStoppedError,
} from "./errors.ts";
import { ProcessingErrorThreshold, type ThresholdSettings } from "./processing_error_threshold.ts";
import type { ProcessorErrorReporter } from "./processor_errors.ts";
import type { BatchMetricsReporter } from "./batch_metrics.ts";

export {
  deadLetterHeaders,
  INVALID,
  LATE,
  PROCESSING_ERROR,
  REJECTED_DIMENSION,
  TOO_LARGE,
} from "./dead_letter.ts";

/** What a stream adds to one all-time aggregate cell (windowed figures are its `windows`'). */
export interface CellContribution {
  dimension: string;
  key: string;
  amount: number;
}

/** How a stream runs through the windowing engine. */
export interface WindowedStream<E, A> {
  spec: WindowSpec;
  /** Event time of an event, ms since the epoch. */
  eventTime(event: E): number;
  /**
   * Name of the field `eventTime` reads, for dead-letter reasons (`timestamp`;
   * `(record timestamp)` when it is the broker record's own).
   */
  timeField: string;
  aggregation: Aggregation<E, A>;
  /**
   * Writes the final values of windows a partition fired. May be called more
   * than once per window: again for each record its allowed lateness lets in
   * (a re-fire), and again after a crash, since it runs before the
   * partition's checkpoint is saved. The last call holds the window's final
   * value, so it must replace what an earlier call wrote (idempotent).
   */
  onClose?(partition: number, closed: WindowResult<A>[]): Promise<void>;
  /**
   * What the stream's page shows of a partition's window state (see
   * `read_models.ts`): written beside the partition's checkpoint, before the
   * commit, replacing the previous one.
   */
  readModel?(state: PartitionCheckpoint<A>): JsonObject;
}

/** Everything the processor needs to know about one stream. */
export interface StreamDefinition<E, A = unknown> {
  /** Stream name, used for aggregates and logs. */
  name: string;
  /** Input topic. */
  topic: string;
  /** Topic that receives records failing validation, with their reason. */
  dlqTopic: string;
  /** Topic announcing processed events to dashboards. */
  liveTopic: string;
  /** Raw document collection (a stream without `document` stores none). */
  collection: string;
  /**
   * Decodes and validates a record.
   * @throws {RecordError} for bad input (dead-lettered with its code)
   */
  parse(record: BrokerRecord): E;
  /** The raw document of an event; a stream whose events are kept elsewhere has none. */
  document?(event: E, record: BrokerRecord): StoredDocument;
  /** The all-time aggregate cells an event counts into. */
  contributions(event: E): CellContribution[];
  /** What dashboards are told about an event. */
  live(event: E, record: BrokerRecord): JsonObject;
  /** Event-time windows: late records are dead-lettered, fired windows written by `onClose`. */
  windows?: WindowedStream<E, A>;
  /** Dimensions read only for recent windows: their rows older than `keepMs` are deleted. */
  retention?: { dimensions: string[]; keepMs: number };
  /** More outputs of the records the processor accepted (a Parquet archive, another stream's topic). */
  sinks?: AcceptedSink<E>[];
  /**
   * Streams whose records carry an event id: a record whose id another record
   * already carried is dead-lettered as `duplicate` (see `dedup.ts`).
   */
  dedup?: Deduplication<E>;
  /**
   * How many of each partition's newest documents it keeps as entries of
   * their own, so pages list the newest without querying a raw store that
   * cannot list them from an index (see `RawStore.listsNewestFromIndex`;
   * needs `windows`: a partition's entries are restored with its checkpoint).
   */
  newest?: number;
}

/** A record the processor accepted (not invalid, not late) and its event. */
export interface Accepted<E> {
  record: BrokerRecord;
  event: E;
}

/** An output of accepted records, written with each batch before the broker commits it. */
export interface AcceptedSink<E> {
  /** What it writes to, for logs: "the Parquet archive". */
  name: string;
  /**
   * Writes a batch's accepted records (of one partition, in offset order).
   * Must be idempotent: after a crash the same records may come again.
   */
  write(accepted: readonly Accepted<E>[]): Promise<void>;
}

/** The event ids a batch claimed (see `StreamProcessor.#claim`). */
interface Claimed {
  /** Records whose id (or replay id) another position owns, by offset. */
  duplicates: Map<number, Duplicate>;
  /** The ids each record owns, by offset (given back when it is refused). */
  owned: Map<number, string[]>;
  /** Offsets of replays whose dead letter an earlier replay already owns. */
  replayedBefore: Set<number>;
}

/** How often a processor deletes expired rows of its short-lived dimensions, ms. */
export const PRUNE_EVERY_MS = 60_000;

/** Most events one live announcement carries (the newest of its batch). */
export const LIVE_ITEMS_PER_BATCH = 100;

/** Raw-store collection holding each windowed partition's checkpoint. */
export const CHECKPOINTS = "checkpoints";

/** Id of a partition's checkpoint document. */
export function checkpointId(stream: string, partition: number): string {
  return `${stream}/${partition}`;
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
  /** Clock, ms since the epoch (processing time: idleness, checkpoint times, the future bound). */
  now?: () => number;
  /** Larger records are dead-lettered as `too-large` unparsed, bytes (default `DEFAULTS.processor.maxRecordBytes`). */
  maxRecordBytes?: number;
  /**
   * Owners of event ids; required by a stream with `dedup`, and by any stream
   * that is sent a replayed dead letter (its replay claims an id).
   */
  eventIds?: EventIdStore;
  /**
   * When a partition stops for its processing errors (default
   * `DEFAULTS.processor.processingErrorShare` of `DEFAULTS.processor.processingErrorWindowMs`).
   */
  processingErrors?: ThresholdSettings;
  /** Told of each processing error dead-lettered and each partition stopped. */
  report?: ProcessorErrorReporter;
  /** Told of each batch once stored: records, their latency, the sinks' write time. */
  observe?: BatchMetricsReporter;
}

/** Code of a partition stopped by the processing-error threshold. */
export const PROCESSING_ERRORS_STOP = "processing-errors";

/** Processes one stream as a member of a consumer group. */
export class StreamProcessor<E, A = unknown> {
  readonly #def: StreamDefinition<E, A>;
  readonly #deps: ProcessorDeps;
  readonly #counter: AggregateCounter;
  readonly #engine: WindowEngine<E, A> | undefined;
  readonly #locks = new Map<number, Promise<void>>();
  readonly #encoder = new TextEncoder();
  readonly #now: () => number;
  readonly #thresholds = new Map<number, ProcessingErrorThreshold>();
  readonly #stopped = new Map<number, PartitionStop>();
  /** Each held partition's newest documents (see `StreamDefinition.newest`). */
  readonly #newest = new Map<number, StoredDocument[]>();
  /** How many newest documents a partition keeps as entries; undefined when it keeps none. */
  readonly #keepsNewest: number | undefined;
  #expiredAt = -Infinity;
  #prunedAt = -Infinity;

  constructor(definition: StreamDefinition<E, A>, deps: ProcessorDeps) {
    if (definition.dedup && !deps.eventIds) {
      throw new Error(
        `stream ${definition.name} identifies events by id: it needs an event id store`,
      );
    }
    if (definition.newest !== undefined && !definition.windows) {
      throw new Error(
        `stream ${definition.name} keeps its newest documents in its read model: it needs windows`,
      );
    }
    this.#def = definition;
    this.#deps = deps;
    this.#keepsNewest = deps.raw.listsNewestFromIndex ? undefined : definition.newest;
    this.#now = deps.now ?? Date.now;
    this.#counter = new AggregateCounter(deps.aggregates, definition.name);
    if (definition.windows) {
      this.#engine = new WindowEngine(definition.windows.spec, definition.windows.aggregation);
    }
  }

  /**
   * Consumes as `groupId` until `signal` aborts, and then resolves, also when
   * the abort came while a write was retried through an outage.
   */
  async run(groupId: string, signal: AbortSignal, maxBatch: number): Promise<void> {
    const engine = this.#engine;
    const timer = engine || this.#def.retention || this.#def.dedup
      ? setInterval(
        () => this.tick(signal).catch((e) => this.#deps.log.error(`${this.#def.name}: ${e}`)),
        engine ? Math.max(50, Math.min(1000, engine.spec.idleTimeoutMs / 2)) : 1000,
      )
      : undefined;
    try {
      await this.#deps.broker.consume({
        groupId,
        topics: [this.#def.topic],
        signal,
        maxBatch,
        handle: (batch) => this.handle(batch, signal),
        onAssignment: (held) => this.#assigned(held[this.#def.topic] ?? []),
      });
    } catch (error) {
      // Stopped while a write waited out an outage: a clean stop. Nothing of the
      // batch was committed, so it is delivered again at the next start.
      if (signal.aborted && canRetry(error)) return;
      throw error;
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Closes the windows of idle partitions (see `WindowEngine.tick`) and writes
   * them; now and then deletes expired rows of short-lived dimensions and
   * forgets event ids older than the deduplication horizon.
   */
  async tick(signal: AbortSignal): Promise<void> {
    await this.#prune();
    await this.#expireEventIds();
    if (!this.#engine) return;
    for (const { partition, closed } of this.#engine.tick(this.#now())) {
      const next = (this.#engine.partition(partition)?.offset ?? -1) + 1;
      await this.#exclusive(partition, async () => {
        try {
          await this.#writeClosed(partition, closed, signal);
          await Promise.all([
            this.#saveCheckpoint(partition, signal),
            this.#announce({ live: [], windows: closed.map((w) => ({ ...w, partition })) }, signal),
          ]);
        } catch (error) {
          this.#engine?.forget(partition);
          if (canRetry(error)) throw error;
          throw this.#stopPartition(partition, next, error);
        }
      });
    }
  }

  /** Lets go of the window state of partitions this member no longer holds. */
  #assigned(partitions: number[]) {
    const engine = this.#engine;
    if (!engine) return;
    for (const partition of engine.held()) {
      if (!partitions.includes(partition)) engine.forget(partition);
    }
  }

  async #expireEventIds() {
    const dedup = this.#def.dedup;
    if (!dedup) return;
    const now = this.#now();
    const every = expireEveryMs(dedup.horizonMs);
    if (now - this.#expiredAt < every) return;
    this.#expiredAt = now;
    try {
      await this.#deps.eventIds!.expire(this.#def.name, now - dedup.horizonMs);
    } catch (error) {
      this.#deps.log.warn(
        `${this.#def.name}: could not forget expired event ids (${
          (error as Error).message
        }); trying again in ${Math.round(every / 1000)} s`,
      );
    }
  }

  async #prune() {
    const retention = this.#def.retention;
    const now = this.#now();
    if (!retention || now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    try {
      for (const dimension of retention.dimensions) {
        await this.#deps.aggregates.prune(this.#def.name, dimension, now - retention.keepMs);
      }
    } catch (error) {
      this.#deps.log.warn(
        `${this.#def.name}: could not delete expired aggregate rows (${
          (error as Error).message
        }); trying again in ${PRUNE_EVERY_MS / 1000} s`,
      );
    }
  }

  /** Partitions stopped since this processor started, and why. */
  stopped(): PartitionStop[] {
    return [...this.#stopped.values()];
  }

  /**
   * Processes one batch; resolves once every sink has acknowledged it.
   *
   * @throws {PartitionStoppedError} when the partition stops (or had stopped):
   * the batch is not committed and the broker delivers no more of it
   */
  handle(batch: RecordBatch, signal: AbortSignal): Promise<void> {
    return this.#exclusive(batch.partition, async () => {
      const stop = this.#stopped.get(batch.partition);
      if (stop) throw new PartitionStoppedError(stop);
      try {
        await this.#handle(batch, signal);
      } catch (error) {
        // Window state may be ahead of what was stored: take it from the checkpoint again.
        this.#engine?.forget(batch.partition);
        if (isPartitionStopped(error) || canRetry(error)) throw error;
        throw this.#stopPartition(batch.partition, batch.records[0].offset, error);
      }
    });
  }

  /** Stops a partition for an error a retry cannot help (a missing topic): loudly. */
  #stopPartition(partition: number, offset: number, error: unknown): PartitionStoppedError {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return this.#stop({
      stream: this.#def.name,
      topic: this.#def.topic,
      partition,
      offset,
      code: typeof code === "string" ? code : "error",
      reason: String(message ?? error),
      at: this.#now(),
    });
  }

  #stop(stop: PartitionStop): PartitionStoppedError {
    this.#stopped.set(stop.partition, stop);
    const error = new PartitionStoppedError(stop);
    this.#deps.log.error(
      `${error.message}. Nothing at or past that offset is committed; the other partitions go on. ` +
        `Readiness fails until the deployment is fixed and restarted.`,
    );
    this.#deps.report?.({ kind: "stopped", stop });
    return error;
  }

  #thresholdSettings(): ThresholdSettings {
    return this.#deps.processingErrors ?? {
      share: DEFAULTS.processor.processingErrorShare,
      windowMs: DEFAULTS.processor.processingErrorWindowMs,
    };
  }

  #threshold(partition: number): ProcessingErrorThreshold {
    let threshold = this.#thresholds.get(partition);
    if (!threshold) {
      threshold = new ProcessingErrorThreshold(this.#thresholdSettings());
      this.#thresholds.set(partition, threshold);
    }
    return threshold;
  }

  async #handle(batch: RecordBatch, signal: AbortSignal): Promise<void> {
    const def = this.#def;
    const engine = this.#engine;
    const partition = batch.partition;
    const documents: StoredDocument[] = [];
    const counts: Count[] = [];
    const dead: OutgoingRecord[] = [];
    const live: JsonObject[] = [];
    const accepted: Accepted<E>[] = [];
    const outcomes: StoredDocument[] = [];
    const running = new Map<number, WindowResult<A>>();
    // By start: a window fired again later in the batch (a re-fire) keeps only its last value.
    const fired = new Map<number, WindowResult<A>>();
    if (engine) await this.#holdPartition(engine, batch, signal);
    const context: RecordContext<E, A> = {
      definition: def,
      engine,
      maxRecordBytes: this.#deps.maxRecordBytes ?? DEFAULTS.processor.maxRecordBytes,
      now: this.#now(),
    };
    const decoded = batch.records.map((record) => decodeRecord(context, record));
    const { duplicates, owned, replayedBefore } = await this.#claim(batch, decoded, signal);
    const released: Array<SourcePosition & { id: string }> = [];
    const bugs: number[] = [];
    const threshold = this.#threshold(partition);
    for (const [i, record] of batch.records.entries()) {
      const duplicate = duplicates.get(record.offset);
      const outcome = processRecord(
        context,
        record,
        duplicate ? { kind: "duplicate", duplicate } : decoded[i],
      );
      // Already in the checkpoint: every sink had it before the checkpoint was saved.
      if (outcome.kind === "included") continue;
      const replayOf = parsePosition(record.headers[REPLAY_HEADER]);
      const bug = outcome.kind === "refused" && outcome.refusal.code === PROCESSING_ERROR;
      // A replay is a record already known: it says nothing of the deployment in hand.
      if (bug && !replayOf && threshold.failed(context.now)) {
        throw this.#stopForErrors(record, outcome.refusal);
      }
      if (bug) bugs.push(record.offset);
      else if (!replayOf) threshold.passed(context.now);
      if (outcome.kind === "refused") {
        const { refusal } = outcome;
        dead.push(deadLetter(record, refusal));
        // A replay refused again was counted when it was first dead-lettered.
        if (!replayOf) {
          counts.push({
            dimension: REJECTED_DIMENSION,
            key: refusal.code,
            amount: 1,
            offset: record.offset,
          });
        }
        // An earlier replay of the same dead letter was processed: that outcome stands.
        const counted = refusal.code === DUPLICATE && replayedBefore.has(record.offset);
        if (replayOf && !counted) {
          outcomes.push(replayOutcomeDocument(replayOf, record, {
            outcome: "dead-lettered",
            code: refusal.code,
            reason: refusal.reason,
            at: context.now,
          }));
        }
        if (refusal.code === PROCESSING_ERROR) this.#reportBug(record, refusal.exception);
        // A refused record gives its ids back, so a corrected resend (or replay) counts.
        for (const id of owned.get(record.offset) ?? []) {
          released.push({ id, partition, offset: record.offset });
        }
        continue;
      }
      if (replayOf) {
        outcomes.push(
          replayOutcomeDocument(replayOf, record, { outcome: "processed", at: context.now }),
        );
      }
      for (const r of outcome.running) running.set(r.start, r);
      for (const c of outcome.closed) {
        running.delete(c.start);
        fired.set(c.start, c);
      }
      if (outcome.document) documents.push(outcome.document);
      for (const c of outcome.contributions) counts.push({ ...c, offset: record.offset });
      live.push(outcome.live);
      accepted.push({ record, event: outcome.event });
    }
    if (batch.records.length === 0) return;
    let newest: NewestChange | undefined;
    if (this.#keepsNewest !== undefined && documents.length > 0) {
      // Ahead of the stores until the batch is written: a failed batch is
      // delivered again with the same documents, which merge to the same list.
      newest = newestChange(this.#newest.get(partition) ?? [], documents, this.#keepsNewest);
      this.#newest.set(partition, newest.newest);
    }
    const first = batch.records[0].offset;
    const last = batch.records[batch.records.length - 1].offset;
    // The sinks are independent and each idempotent, so they write side by side.
    const writeStart = this.#now();
    const writes: Promise<void>[] = [];
    if (dead.length > 0) {
      writes.push(
        this.#persist(
          `dead-letter ${dead.length} records to ${def.dlqTopic}`,
          signal,
          () => this.#deps.broker.produce(def.dlqTopic, dead),
        ).then(() =>
          this.#deps.log.warn(
            `${dead.length} record(s) of ${def.topic}[${batch.partition}] dead-lettered to ${def.dlqTopic}; first reason: ${
              dead[0].headers?.reason
            }`,
          )
        ),
      );
    }
    if (released.length > 0) {
      writes.push(this.#persist(
        `release ${released.length} event ids of refused records`,
        signal,
        () => this.#deps.eventIds!.release(def.name, released),
      ));
    }
    if (documents.length > 0) {
      writes.push(this.#persist(
        `upsert ${documents.length} documents`,
        signal,
        () => this.#deps.raw.upsert(def.collection, documents),
      ));
    }
    if (newest !== undefined) {
      const change = newest;
      writes.push(this.#persist(
        `keep ${change.entered.length} newest documents`,
        signal,
        () => saveNewestChange(this.#deps.raw, { stream: def.name, partition }, change),
      ));
    }
    if (outcomes.length > 0) {
      writes.push(this.#persist(
        `record the outcomes of ${outcomes.length} replayed dead letters`,
        signal,
        () => this.#deps.raw.upsert(REPLAY_OUTCOMES, outcomes),
      ));
    }
    if (counts.length > 0) {
      writes.push(this.#persist(
        "write aggregate counts",
        signal,
        () => this.#counter.apply(partition, { first, last }, counts),
      ));
    }
    for (const sink of accepted.length > 0 ? def.sinks ?? [] : []) {
      writes.push(this.#persist(
        `write ${accepted.length} records to ${sink.name}`,
        signal,
        () => sink.write(accepted),
      ));
    }
    await Promise.all(writes);
    const storeWriteMs = this.#now() - writeStart;
    for (const offset of bugs) {
      this.#deps.report?.({
        kind: "processing-error",
        stream: def.name,
        partition,
        offset,
        at: context.now,
      });
    }
    const closed = [...fired.values()];
    const announced = [
      ...[...running.values()].map((w) => ({ ...w, partition })),
      ...closed.map((w) => ({ ...w, partition })),
    ];
    const produced = accepted.map((a) => a.record.timestamp);
    if (engine) {
      await this.#writeClosed(partition, closed, signal);
      // Both must land before the commit; neither needs the other.
      await Promise.all([
        this.#saveCheckpoint(partition, signal),
        this.#announce({ live, windows: announced, produced }, signal),
      ]);
    } else {
      await this.#announce({ live, windows: announced, produced }, signal);
    }
    const storedAt = this.#now();
    this.#deps.observe?.({
      stream: def.name,
      partition,
      processed: accepted.length,
      latenciesMs: produced.map((timestamp) => Math.max(0, storedAt - timestamp)),
      storeWriteMs,
    });
  }

  /**
   * Claims the event ids and replay ids of a batch's valid records (those its
   * checkpoint does not already include); returns the duplicates among them,
   * the ids the batch's records own, and the replays whose dead letter an
   * earlier replay already owns, each by offset.
   *
   * @throws {Error} for a replay reaching a processor without an event id store (a wiring bug)
   */
  async #claim(batch: RecordBatch, decoded: Decoded<E>[], signal: AbortSignal): Promise<Claimed> {
    const included = this.#engine?.partition(batch.partition)?.offset ?? -1;
    const identified: IdentifiedRecord[] = [];
    const replays: IdentifiedRecord[] = [];
    for (const [i, record] of batch.records.entries()) {
      const result = decoded[i];
      if (record.offset <= included || result.kind !== "decoded") continue;
      if (this.#def.dedup && result.id !== undefined) {
        identified.push({ offset: record.offset, id: result.id });
      }
      if (result.replayId !== undefined) {
        replays.push({ offset: record.offset, id: result.replayId });
      }
    }
    // Event ids first, so a duplicate is reported by the id its stream gives it.
    const all = [...identified, ...replays];
    if (all.length === 0) {
      return { duplicates: new Map(), owned: new Map(), replayedBefore: new Set() };
    }
    const eventIds = this.#deps.eventIds;
    if (!eventIds) {
      throw new Error(
        `${this.#def.name}: a replayed dead letter reached a processor without an event id store, ` +
          `which it needs to count the replay once`,
      );
    }
    const claims = claimsOf(batch.partition, all, this.#now());
    let owners = new Map<string, SourcePosition>();
    await this.#persist(`claim ${claims.length} event ids`, signal, async () => {
      owners = await eventIds.claim(this.#def.name, claims);
    });
    return {
      duplicates: duplicatesOf(batch.partition, all, owners),
      owned: ownedIds(batch.partition, all, owners),
      replayedBefore: new Set(duplicatesOf(batch.partition, replays, owners).keys()),
    };
  }

  /** Makes sure the engine's state of a batch's partition is the one that batch continues. */
  async #holdPartition(engine: WindowEngine<E, A>, batch: RecordBatch, signal: AbortSignal) {
    const held = engine.partition(batch.partition);
    if (held && held.offset + 1 === batch.records[0].offset) return;
    const id = checkpointId(this.#def.name, batch.partition);
    let saved: StoredDocument | undefined;
    await this.#persist(`read the checkpoint of partition ${batch.partition}`, signal, async () => {
      saved = await this.#deps.raw.get(CHECKPOINTS, id);
    });
    if (this.#keepsNewest !== undefined) {
      // Another member may have held the partition meanwhile: what it kept is the truth.
      await this.#persist(
        `read the newest documents of partition ${batch.partition}`,
        signal,
        () => this.#restoreNewest(batch.partition),
      );
    } else if (this.#def.newest !== undefined) {
      await this.#persist(
        `remove the newest documents an earlier version kept for partition ${batch.partition}`,
        signal,
        () => this.#dropKeptNewest(batch.partition),
      );
    }
    const healed = engine.restore(
      batch.partition,
      this.#now(),
      saved?.doc.checkpoint as PartitionCheckpoint<A> | undefined,
    );
    if (healed) this.#reportHealed(batch.partition, healed);
  }

  /**
   * Reads the newest documents a partition keeps; a partition whose read
   * model an earlier version saved them in has them moved to their entries.
   */
  async #restoreNewest(partition: number): Promise<void> {
    const of = { stream: this.#def.name, partition };
    let kept = await partitionNewest(this.#deps.raw, of);
    if (kept.length === 0) {
      const model = await this.#deps.raw.get(READ_MODELS, readModelId(this.#def.name, partition));
      kept = legacyNewest(model) ?? [];
      if (kept.length > 0) await saveNewestChange(this.#deps.raw, of, { entered: kept, left: [] });
    }
    this.#newest.set(partition, kept);
  }

  /**
   * Removes the entries of a partition's newest documents that a version
   * keeping them wrote to a raw store that lists from an index: nothing
   * reads or updates them any more.
   */
  async #dropKeptNewest(partition: number): Promise<void> {
    const of = { stream: this.#def.name, partition };
    const kept = await partitionNewest(this.#deps.raw, of);
    await this.#deps.raw.remove(newestCollection(this.#def.name), kept.map((d) => d.id));
  }

  /** A record made our code throw: a bug, so it is said loudly (the record is dead-lettered). */
  #reportBug(
    record: BrokerRecord,
    exception: { stacktrace?: string; message: string } | undefined,
  ) {
    this.#deps.log.error(
      `${this.#def.name}: BUG: record ${record.topic}[${record.partition}] offset ${record.offset} ` +
        `made the processor throw; dead-lettered to ${this.#def.dlqTopic} as ${PROCESSING_ERROR}, ` +
        `the stream goes on: ${exception?.stacktrace || exception?.message}`,
    );
  }

  /** The partition's recent processing errors passed the threshold at `record`. */
  #stopForErrors(record: BrokerRecord, refusal: Refusal): PartitionStoppedError {
    const { share, windowMs } = this.#thresholdSettings();
    return this.#stop({
      stream: this.#def.name,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      code: PROCESSING_ERRORS_STOP,
      reason: `more than ${share * 100} % of its records in the last ${
        windowMs / 1000
      } s made the processor throw (a broken deployment, not bad input); the last: ${refusal.exception?.class}: ${refusal.exception?.message}`,
      at: this.#now(),
    });
  }

  #reportHealed(partition: number, healed: Healed) {
    const time = (ms: number | null) => ms === null ? "none" : formatZoneless(ms);
    this.#deps.log.warn(
      `${this.#def.name}: the checkpoint of partition ${partition} was ahead of the clock ` +
        `(highest event time ${time(healed.maxEventTime)}, watermark ${time(healed.watermark)}), ` +
        `saved before event times were bounded; brought back to ${
          time(healed.nowMaxEventTime)
        } and ${time(healed.nowWatermark)}, ${healed.dropped} window(s) past the bound dropped`,
    );
  }

  /** Writes the final values of fired windows (before the checkpoint that includes them). */
  async #writeClosed(partition: number, closed: WindowResult<A>[], signal: AbortSignal) {
    const onClose = this.#def.windows?.onClose;
    if (closed.length === 0 || !onClose) return;
    await this.#persist(
      `write ${closed.length} closed window(s)`,
      signal,
      () => onClose(partition, closed),
    );
  }

  /** Saves the partition's window state with the offsets it includes, and its read model. */
  async #saveCheckpoint(partition: number, signal: AbortSignal) {
    const state = this.#engine?.partition(partition);
    if (!state) return;
    const checkpoint = state.checkpoint();
    const ts = this.#now();
    const doc: StoredDocument = {
      id: checkpointId(this.#def.name, partition),
      ts,
      doc: {
        stream: this.#def.name,
        partition,
        checkpoint: checkpoint as unknown as JsonObject,
      },
    };
    const readModel = this.#def.windows?.readModel;
    await Promise.all([
      this.#persist(
        `save the checkpoint of partition ${partition}`,
        signal,
        () => this.#deps.raw.upsert(CHECKPOINTS, [doc]),
      ),
      this.#persist(
        `save the read model of partition ${partition}`,
        signal,
        () =>
          this.#deps.raw.upsert(READ_MODELS, [
            readModelDocument(this.#def.name, {
              partition,
              model: readModel?.(checkpoint) ?? {},
              engine: { watermark: checkpoint.watermark, openWindows: checkpoint.windows.length },
            }, ts),
          ]),
      ),
    ]);
  }

  async #announce(
    { live, windows, produced = [] }: {
      live: JsonObject[];
      windows: Array<WindowResult<A> & { partition: number }>;
      /** Record timestamps of the batch, for produce-to-browser latency. */
      produced?: number[];
    },
    signal: AbortSignal,
  ) {
    if (live.length === 0 && windows.length === 0) return;
    const announcement: LiveAnnouncement = {
      count: live.length,
      items: live.slice(-LIVE_ITEMS_PER_BATCH),
      ...(windows.length > 0 ? { windows } : {}),
      ...(produced.length > 0 ? { produced } : {}),
    };
    const value = this.#encoder.encode(JSON.stringify(announcement));
    await this.#persist(
      `announce on ${this.#def.liveTopic}`,
      signal,
      () => this.#deps.broker.produce(this.#def.liveTopic, [{ key: null, value }]),
    );
  }

  /** Runs `work` after any earlier work on the same partition (batches and idle closes). */
  #exclusive(partition: number, work: () => Promise<void>): Promise<void> {
    const previous = this.#locks.get(partition) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    this.#locks.set(partition, next);
    return next;
  }

  /**
   * Runs a write until it succeeds, so nothing is committed past a failed
   * sink; an error that says a retry cannot help is thrown at once (it stops
   * the partition).
   */
  #persist(what: string, signal: AbortSignal, work: () => Promise<void>): Promise<void> {
    return retry(work, {
      initialMs: this.#deps.retryInitialMs ?? 500,
      // Capped low so processing resumes within seconds of a store's return.
      maxMs: this.#deps.retryMaxMs ?? 2_000,
      signal,
      retriable: canRetry,
      onFailure: (error, attempt, wait) =>
        this.#deps.log.error(
          `${this.#def.name}: could not ${what} (attempt ${attempt}): ${
            (error as Error).message
          }; consumption paused, nothing committed, retrying in ${wait} ms`,
        ),
    });
  }
}
