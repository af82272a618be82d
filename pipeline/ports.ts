/**
 * The ports between StreamBoard's pipeline and its infrastructure.
 *
 * Everything above these interfaces (producers, processors, routes) is the
 * same code in embedded and services mode; only the adapters differ. Each
 * port has one contract suite in `pipeline/testing/` run against every adapter.
 */

/** String headers carried with a record (reason, source position of a DLQ record, ...). */
export type Headers = Record<string, string>;

/** A topic and how many partitions it has. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /**
   * Records older than this, in ms, are deleted (the topic's `retention.ms`);
   * unset: the broker's own (`STREAMBOARD_RETENTION_HOURS` in embedded mode).
   */
  retentionMs?: number;
}

/** A record to append to a topic. */
export interface OutgoingRecord {
  /** Partitioning key; records with the same key keep their order. */
  key: string | null;
  value: Uint8Array;
  headers?: Headers;
  /** Event time in ms since the epoch; the broker's clock when absent. */
  timestamp?: number;
}

/** A record read back from a topic, with its position. */
export interface BrokerRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Uint8Array;
  headers: Headers;
  timestamp: number;
}

/** Consecutive records of one partition, handed to a consumer in order. */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: BrokerRecord[];
}

/** How a consumer group member reads. */
export interface GroupConsumeOptions {
  groupId: string;
  topics: string[];
  /** Stops consuming; `consume` resolves once the batch in hand is finished. */
  signal: AbortSignal;
  /**
   * Handles one batch. Offsets are committed only after it resolves, so a
   * batch whose handler throws (or whose process dies) is delivered again.
   */
  handle(batch: RecordBatch): Promise<void>;
  /** Most records in one batch. */
  maxBatch?: number;
  /**
   * Told the partitions this member holds, per topic, each time the group
   * assigns them (an empty record when it lost them), so per-partition state
   * of partitions now held elsewhere can be let go.
   */
  onAssignment?(assignment: Record<string, number[]>): void;
}

/** How a group-less reader follows topics from their current end. */
export interface TailOptions {
  topics: string[];
  signal: AbortSignal;
  handle(batch: RecordBatch): Promise<void> | void;
  /** Called once the reader knows where the topics end; later records are all delivered. */
  onReady?(): void;
}

/** A partition's offsets: `low` the first kept, `high` the next to be written. */
export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

/** What the console shows of a topic. */
export interface TopicDescription {
  name: string;
  partitions: PartitionOffsets[];
  /** How long records are kept, in ms; `null` when they are kept for ever. */
  retentionMs: number | null;
}

/** A consumer group: state, members, committed offset per partition of each topic it reads. */
export interface GroupDescription {
  group: string;
  state: "stable" | "rebalancing" | "empty" | "dead" | "unknown";
  /** Live members, each with the partitions it holds now (none while a group rebalances). */
  members: Array<
    { id: string; client: string; partitions: Array<{ topic: string; partition: number }> }
  >;
  offsets: Array<{ topic: string; partition: number; committed: number }>;
}

/** A Kafka-API log: topics, partitions, offsets, consumer groups. */
export interface Broker {
  /** Creates the topics that do not exist yet (existing ones are left as they are). */
  createTopics(topics: TopicSpec[]): Promise<void>;
  /** Partitions of a topic, or `undefined` when it does not exist. */
  partitions(topic: string): Promise<number | undefined>;
  /** Appends records (partitioned by key) once all are durable. */
  produce(topic: string, records: OutgoingRecord[]): Promise<void>;
  /** Runs as a member of a consumer group until the signal aborts. */
  consume(options: GroupConsumeOptions): Promise<void>;
  /** Follows topics from their end without a group (the dashboard's live feed). */
  tail(options: TailOptions): Promise<void>;
  /** Every topic with its partitions' offsets and retention, sorted by name (internal topics left out). */
  describeTopics(): Promise<TopicDescription[]>;
  /**
   * Up to `limit` records of a partition from `offset` on (fewer at the end), oldest first.
   * An offset below the partition's low offset reads from the low offset;
   * a `MissingTopicError` when the topic does not exist.
   */
  read(
    options: { topic: string; partition: number; offset: number; limit: number },
  ): Promise<BrokerRecord[]>;
  /** The first offset whose record's timestamp is >= `timestamp`, or `high` when none is. */
  offsetForTime(options: { topic: string; partition: number; timestamp: number }): Promise<number>;
  /**
   * Every consumer group with its committed offsets, sorted by name; the
   * throwaway groups an adapter makes for its own group-less reads are left out.
   */
  describeGroups(): Promise<GroupDescription[]>;
  /** Releases connections; pending produces finish first. */
  close(): Promise<void>;
}

/** A JSON value as stored in documents. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** A raw document: one per event id, upserted idempotently. */
export interface StoredDocument {
  /** Event id (for users, `login.uuid`). */
  id: string;
  /** Event time in ms since the epoch; orders "newest first". */
  ts: number;
  doc: JsonObject;
}

/** A page of documents, newest first, and the cursor of the next page. */
export interface DocumentPage {
  items: StoredDocument[];
  /** Pass as `cursor` to read on; `null` on the last page. */
  next: string | null;
}

/**
 * A condition on one top-level field of stored documents: one of some values,
 * a number range (both ends included), or text containing a fragment
 * (ASCII letters compared without case).
 */
export type FieldCondition =
  | { field: string; oneOf: ReadonlyArray<string | number> }
  | { field: string; min?: number; max?: number }
  | { field: string; contains: string };

/** Which documents `RawStore.find` and `RawStore.count` match: a time range and field conditions, all of them. */
export interface DocumentQuery {
  /** Earliest event time included, ms since the epoch. */
  from?: number;
  /** Event times from here on are left out, ms since the epoch. */
  to?: number;
  /** Conditions every matched document meets. */
  where?: readonly FieldCondition[];
}

/** Raw documents per stream (MongoDB collections, SQLite tables). */
export interface RawStore {
  /**
   * Whether `list` reads newest first from an index, at the same cost however
   * many documents a collection holds (SQLite). When it does not, a stream
   * that lists its newest keeps them as entries of their own (see
   * `newest_documents.ts`); when it does, those entries would only cost writes.
   */
  readonly listsNewestFromIndex: boolean;
  /** Inserts or replaces documents by id; replaying the same documents changes nothing. */
  upsert(collection: string, docs: StoredDocument[]): Promise<void>;
  /** Deletes the documents with these ids; an id the collection does not hold is passed over. */
  remove(collection: string, ids: readonly string[]): Promise<void>;
  /** Newest first, `limit` at a time, continuing after `cursor` (an `UnknownCursorError` when it is not one this store gave out). */
  list(collection: string, options: { limit: number; cursor?: string }): Promise<DocumentPage>;
  /** The newest document, if any. */
  latest(collection: string): Promise<StoredDocument | undefined>;
  /** The document with `id`, if any. */
  get(collection: string, id: string): Promise<StoredDocument | undefined>;
  /** Documents with `from <= ts < to`, oldest first (ties by id): one window's worth. */
  between(collection: string, from: number, to: number): Promise<StoredDocument[]>;
  /** How many documents the collection holds (those matching `query`, when given). */
  count(collection: string, query?: DocumentQuery): Promise<number>;
  /**
   * The documents matching `query`, newest first (ties by id, highest first),
   * read in pages so memory stays flat; stopping early releases the read.
   */
  find(collection: string, query: DocumentQuery): AsyncIterable<StoredDocument>;
  /**
   * Every document, read in pages so memory stays flat, starting at once
   * however many there are: newest first where an index gives that order
   * (SQLite), else in the server's storage order (MongoDB-wire).
   */
  all(collection: string): AsyncIterable<StoredDocument>;
  close(): Promise<void>;
}

/** Identifies one aggregate cell: a key of a dimension in a window, from one source partition. */
export interface AggregateKey {
  stream: string;
  dimension: string;
  /** Window start, ms since the epoch. */
  windowStart: number;
  key: string;
  /** Source partition the value was computed from (one writer per partition). */
  partition: number;
}

/**
 * An absolute aggregate value and the highest source offset it includes.
 * Values are exact integers of any size (a sum of money in cents can pass
 * 2^53, where a JS number stops being exact): readers turn them into numbers
 * only where a lossy figure is fine, and never hand a `bigint` to JSON.
 */
export interface AggregateRow extends AggregateKey {
  value: bigint;
  /** Highest offset of `partition` counted in `value`; replayed records at or below it are skipped. */
  offset: number;
}

/** Sum of one key of a dimension, over partitions (and windows, for totals). */
export interface AggregateTotal {
  key: string;
  /** Exact sum. */
  value: bigint;
}

/** Sum of one key of a dimension in one window, over partitions. */
export interface AggregatePoint extends AggregateTotal {
  windowStart: number;
}

/** Which rows `AggregateStore.read` returns: one stream, dimension and partition, some windows. */
export interface AggregateRowsQuery {
  /** Name of the stream the rows belong to. */
  stream: string;
  /** The dimension counted, e.g. `gender`. */
  dimension: string;
  /** The input partition whose records the rows count. */
  partition: number;
  /** Start of each window wanted, ms since the epoch; windows without rows are left out. */
  windowStarts: number[];
}

/** Which windows `AggregateStore.series` sums: one stream and dimension, a range of window starts. */
export interface AggregateSeriesQuery {
  /** Name of the stream the windows belong to. */
  stream: string;
  /** The dimension counted, e.g. `events`. */
  dimension: string;
  /** First window start included, ms since the epoch. */
  from: number;
  /** Window starts from here on are left out, ms since the epoch. */
  to: number;
}

/** Window aggregates, written as absolute values (never increments, which double count on replay). */
export interface AggregateStore {
  /** Writes rows as given (insert or replace). */
  write(rows: AggregateRow[]): Promise<void>;
  /** Rows of one stream, dimension and partition for the given windows (those that exist). */
  read(query: AggregateRowsQuery): Promise<AggregateRow[]>;
  /** Totals per key over all windows and partitions. */
  totals(stream: string, dimension: string): Promise<AggregateTotal[]>;
  /** Per-window sums from `from` (inclusive) to `to` (exclusive). */
  series(query: AggregateSeriesQuery): Promise<AggregatePoint[]>;
  /** Deletes the rows of windows that start before `before` (short-lived dimensions). */
  prune(stream: string, dimension: string, before: number): Promise<void>;
  close(): Promise<void>;
}

/** Where a record sits in its stream's input topic. */
export interface SourcePosition {
  partition: number;
  offset: number;
}

/** A request to own an event id for the record at a source position. */
export interface EventClaim extends SourcePosition {
  /** The event id, normalised by the stream. */
  id: string;
  /** Processing time of the claim, ms since the epoch; the horizon counts from it. */
  at: number;
}

/**
 * Which record first carried each event id, shared by every processor of a
 * stream (every member of a consumer group), so a resent event is recognised
 * whichever partition it lands in.
 */
export interface EventIdStore {
  /**
   * Claims each id for its position unless another position holds it; one
   * atomic decision per id, however many processors claim it at once.
   * `claims` holds each id at most once.
   *
   * @returns the position owning each claimed id: the claim's own position
   * when it was free (or already this position's), another one when taken.
   */
  claim(stream: string, claims: EventClaim[]): Promise<Map<string, SourcePosition>>;
  /**
   * Gives ids back: each is forgotten if, and only if, `claims` names the
   * position that owns it (a record that claimed its id and was then refused,
   * so a corrected resend of it is not taken for a duplicate).
   */
  release(stream: string, claims: Array<SourcePosition & { id: string }>): Promise<void>;
  /** Forgets the ids of `stream` claimed before `before`, ms since the epoch. */
  expire(stream: string, before: number): Promise<void>;
  close(): Promise<void>;
}
