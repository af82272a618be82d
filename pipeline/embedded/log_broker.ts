/**
 * The embedded broker: a durable, partitioned log in SQLite with consumer
 * groups, for running StreamBoard with no service at all.
 *
 * Several processes may produce to the same file (`deno task produce` beside
 * `deno task start`). The members of a consumer group share its partitions as
 * Kafka's do (`group_leases.ts`): each partition is held by one member's
 * lease, renewed while it runs and checked on every commit, so processors on
 * the same data directory split the work instead of counting the same records
 * twice. Scaling past one machine is what services mode (Kafka/Redpanda) is
 * for.
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type {
  Broker,
  BrokerRecord,
  GroupConsumeOptions,
  GroupDescription,
  Headers,
  OutgoingRecord,
  TailOptions,
  TopicDescription,
  TopicSpec,
} from "../ports.ts";
import type { WalCheckpoints } from "./wal_checkpoints.ts";
import { addColumnIfMissing, openDatabase, transaction } from "./sqlite.ts";
import { MultiRowStatement, placeholders } from "./multi_row.ts";
import { GroupLeases, type TopicPartition } from "./group_leases.ts";
import { LogRetention } from "./log_retention.ts";
import { assertTopicSpecs } from "../topic_spec.ts";
import { partitionFor } from "../partitioner.ts";
import { delay } from "../async.ts";
import { LogWake } from "./log_wake.ts";
import { isPartitionStopped, MissingPartitionError, MissingTopicError } from "../errors.ts";

/** A record to append, with the partition and offset it takes. */
interface PlacedRecord {
  partition: number;
  offset: number;
  record: OutgoingRecord;
}

/** Settings of the embedded log. */
export interface EmbeddedLogOptions {
  /** SQLite file of the log. */
  path: string;
  /** How often an idle reader looks for records written by other processes, in ms. */
  pollMs: number;
  /**
   * How long a group member lets records gather before it handles them, in
   * ms (default 0: at once), unless a partition already holds a full batch:
   * fewer, larger batches for less CPU per record at live rates, at the cost
   * of up to this much latency (Flink's buffer timeout; Kafka's
   * `fetch.max.wait.ms` with `fetch.min.bytes`).
   */
  fetchWaitMs?: number;
  /**
   * Records a partition must hold for a group member to handle them at once,
   * without waiting out `fetchWaitMs` (default: a full batch). Kafka's
   * `fetch.min.bytes`, counted in records: with a few dozen, the wait only
   * gathers the trickles of a quiet stream, where each batch's transactions
   * cost more than its records, and never holds up a busy one.
   */
  fetchMinRecords?: number;
  /** How long a group member's lease lasts without renewal, in ms. */
  leaseMs?: number;
  /** Records older than this are deleted (as Kafka's `retention.ms`); unset keeps all. */
  retentionMs?: number;
  /** Told about group membership changes. */
  log?: (message: string) => void;
  /** Clock, in ms since the epoch. */
  now?: () => number;
  /** Who checkpoints the file's write-ahead log (default `inline`; see `wal_checkpoints.ts`). */
  checkpoints?: WalCheckpoints;
}

/** A place in the log: an offset in one partition of a topic. */
interface LogPosition {
  /** The topic's name. */
  topic: string;
  /** The partition of the topic. */
  partition: number;
  /** The offset: the first record read, or the next record to consume once committed. */
  offset: number;
}

/** Where a group member is in a partition it holds. */
interface ConsumerPosition extends LogPosition {
  /** The handler stopped the partition: it is not read any more. */
  stopped: boolean;
}

interface RecordRow {
  partition: number;
  offset: number;
  key: string | null;
  value: Uint8Array;
  headers: string | null;
  timestamp: number;
}

/** How often an appending log deletes what its retention let expire, ms. */
const RETENTION_CHECK_MS = 60_000;
/**
 * How soon it goes on when a run left expired records (see `RETENTION_BATCH`):
 * at most 50,000 deleted a second, more than the log takes in.
 */
const RETENTION_FOLLOW_UP_MS = 100;

/** A `Broker` on a SQLite file. */
export class EmbeddedLog implements Broker {
  readonly #db: DatabaseSync;
  readonly #options:
    & Required<Omit<EmbeddedLogOptions, "retentionMs" | "log" | "checkpoints" | "fetchMinRecords">>
    & EmbeddedLogOptions;
  /** Wakes the readers of a topic appended to, in every thread of the process. */
  readonly #wake: LogWake;
  readonly #statements: {
    partitions: StatementSync;
    nextOffset: StatementSync;
    setNextOffset: StatementSync;
    read: StatementSync;
    highs: StatementSync;
    committed: StatementSync;
    commit: StatementSync;
  };
  /** Appends records, many rows per statement run. */
  readonly #insert: MultiRowStatement;
  readonly #groups: GroupLeases;
  readonly #retention: LogRetention;
  #roundRobin = 0;
  /** When the next append runs the retention, ms since the epoch. */
  #nextRetention = 0;
  #closed = false;

  constructor(options: EmbeddedLogOptions) {
    this.#options = { leaseMs: 3_000, fetchWaitMs: 0, now: Date.now, ...options };
    this.#db = openDatabase(options.path, { checkpoints: options.checkpoints });
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS topics (
        name TEXT PRIMARY KEY,
        partitions INTEGER NOT NULL,
        retention_ms INTEGER
      );
      CREATE TABLE IF NOT EXISTS partitions (
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        next_offset INTEGER NOT NULL,
        PRIMARY KEY (topic, partition)
      );
      CREATE TABLE IF NOT EXISTS records (
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        key TEXT,
        value BLOB NOT NULL,
        headers TEXT,
        timestamp INTEGER NOT NULL,
        PRIMARY KEY (topic, partition, offset)
      );
      CREATE TABLE IF NOT EXISTS group_offsets (
        group_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        PRIMARY KEY (group_id, topic, partition)
      );
    `);
    this.#insert = new MultiRowStatement(
      this.#db,
      (rows) =>
        `INSERT INTO records (topic, partition, offset, key, value, headers, timestamp)
         VALUES ${placeholders(rows, 7)}`,
    );
    this.#statements = {
      partitions: this.#db.prepare("SELECT partitions FROM topics WHERE name = ?"),
      nextOffset: this.#db.prepare(
        "SELECT next_offset FROM partitions WHERE topic = ? AND partition = ?",
      ),
      setNextOffset: this.#db.prepare(
        "UPDATE partitions SET next_offset = ? WHERE topic = ? AND partition = ?",
      ),
      read: this.#db.prepare(
        `SELECT partition, offset, key, value, headers, timestamp FROM records
         WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?`,
      ),
      highs: this.#db.prepare(
        `SELECT topic, partition, next_offset FROM partitions
         WHERE topic IN (SELECT value FROM json_each(?))`,
      ),
      committed: this.#db.prepare(
        "SELECT offset FROM group_offsets WHERE group_id = ? AND topic = ? AND partition = ?",
      ),
      commit: this.#db.prepare(
        `INSERT INTO group_offsets (group_id, topic, partition, offset) VALUES (?, ?, ?, ?)
         ON CONFLICT (group_id, topic, partition) DO UPDATE SET offset = excluded.offset`,
      ),
    };
    addColumnIfMissing(this.#db, { table: "topics", column: "retention_ms", type: "INTEGER" });
    this.#retention = new LogRetention(this.#db);
    this.#groups = new GroupLeases(this.#db, {
      leaseMs: this.#options.leaseMs,
      now: this.#options.now,
    });
    // The file's own path names it, however the log was asked for.
    this.#wake = new LogWake(Deno.realPathSync(options.path));
  }

  createTopics(topics: TopicSpec[]): Promise<void> {
    return Promise.try(() => this.#createTopics(topics));
  }

  #createTopics(topics: TopicSpec[]): void {
    assertTopicSpecs(topics);
    transaction(this.#db, () => {
      const addTopic = this.#db.prepare(
        "INSERT OR IGNORE INTO topics (name, partitions, retention_ms) VALUES (?, ?, ?)",
      );
      // A topic made before topics had a retention of their own takes the one asked for.
      const setRetention = this.#db.prepare(
        "UPDATE topics SET retention_ms = ? WHERE name = ? AND retention_ms IS NULL",
      );
      const addPartition = this.#db.prepare(
        "INSERT OR IGNORE INTO partitions (topic, partition, next_offset) VALUES (?, ?, 0)",
      );
      for (const { name, partitions, retentionMs } of topics) {
        addTopic.run(name, partitions, retentionMs ?? null);
        if (retentionMs !== undefined) setRetention.run(retentionMs, name);
        for (let p = 0; p < partitions; p++) addPartition.run(name, p);
      }
    });
  }

  partitions(topic: string): Promise<number | undefined> {
    const row = this.#statements.partitions.get(topic) as { partitions: number } | undefined;
    return Promise.resolve(row?.partitions);
  }

  produce(topic: string, records: OutgoingRecord[]): Promise<void> {
    return Promise.try(() => this.#produce(topic, records));
  }

  #produce(topic: string, records: OutgoingRecord[]): void {
    if (records.length === 0) return;
    const partitions = this.#requirePartitions(topic);
    const now = this.#options.now();
    transaction(this.#db, () => {
      const next = new Map<number, number>();
      const placed: PlacedRecord[] = [];
      for (const record of records) {
        const partition = partitionFor(record.key, partitions, this.#roundRobin++);
        let offset = next.get(partition);
        if (offset === undefined) {
          const row = this.#statements.nextOffset.get(topic, partition) as { next_offset: number };
          offset = row.next_offset;
        }
        placed.push({ partition, offset, record });
        next.set(partition, offset + 1);
      }
      this.#insert.run(placed, ({ partition, offset, record }) => [
        topic,
        partition,
        offset,
        record.key,
        record.value,
        record.headers ? JSON.stringify(record.headers) : null,
        record.timestamp ?? now,
      ]);
      for (const [partition, offset] of next) {
        this.#statements.setNextOffset.run(offset, topic, partition);
      }
    });
    this.#wake.announce(topic);
    this.#applyRetention(now);
  }

  async consume(options: GroupConsumeOptions): Promise<void> {
    const { groupId, topics, signal, handle } = options;
    const watch = this.#wake.watch(topics);
    const topicList = JSON.stringify(topics);
    const maxBatch = options.maxBatch ?? 500;
    // The process id tells an operator which process holds the group.
    const member = `pid-${Deno.pid}-${crypto.randomUUID()}`;
    const partitions = topics.flatMap((topic) =>
      Array.from(
        { length: this.#requirePartitions(topic) },
        (_, partition): TopicPartition => ({ topic, partition }),
      )
    );
    // Settling often lets a joining member have its share within a second; the
    // leases themselves are renewed three times per lease, also mid-batch.
    const settleEveryMs = this.#options.leaseMs / 10;
    const renew = setInterval(() => {
      if (!this.#closed) this.#groups.renew(groupId, member);
    }, this.#options.leaseMs / 3);
    let positions: ConsumerPosition[] | undefined;
    let settledAt = -Infinity;
    /** When this member first saw records it has not handled yet (see `fetchWaitMs`). */
    let pendingSince: number | undefined;
    try {
      while (!signal.aborted) {
        if (performance.now() - settledAt >= settleEveryMs) {
          settledAt = performance.now();
          positions = this.#settle({ groupId, member, partitions, positions, options });
        }
        let delivered = false;
        watch.mark();
        const highs = this.#highWaterMarks(topicList);
        const gather = gatherFor({
          waitMs: this.#options.fetchWaitMs,
          pending: pendingRecords(positions ?? [], highs),
          minRecords: Math.min(maxBatch, this.#options.fetchMinRecords ?? maxBatch),
          since: pendingSince,
          now: performance.now(),
        });
        pendingSince = gather.since;
        if (gather.ms > 0) {
          // An append meanwhile may bring a partition to `fetchMinRecords`: it ends the wait.
          await watch.wait(Math.min(gather.ms, this.#options.pollMs), signal);
          continue;
        }
        pendingSince = undefined;
        for (const position of positions ?? []) {
          if (signal.aborted) break;
          if (position.stopped || !hasRecords(position, highs)) continue;
          const records = this.#read(position, maxBatch);
          if (records.length === 0) continue;
          delivered = true;
          try {
            await handle({ topic: position.topic, partition: position.partition, records });
          } catch (error) {
            // The handler stopped its partition: nothing of it is committed or read any more.
            if (!isPartitionStopped(error)) throw error;
            position.stopped = true;
            continue;
          }
          const next = records[records.length - 1].offset + 1;
          if (!this.#commit(groupId, member, { ...position, offset: next })) {
            // Another member took the partition meanwhile: it goes on from the last commit.
            this.#options.log?.(
              `consumer group "${groupId}": another member took ${position.topic}[${position.partition}]; ` +
                `it reads the batch this member just handled again, from the last commit`,
            );
            settledAt = -Infinity;
            break;
          }
          position.offset = next;
        }
        // A member holding nothing waits for the next settle, not for records.
        if (positions?.length === 0) await delay(settleEveryMs, signal);
        else if (!delivered) await watch.wait(this.#options.pollMs, signal);
      }
    } finally {
      clearInterval(renew);
      if (!this.#closed) this.#groups.leave(groupId, member);
    }
  }

  /**
   * Settles which partitions this member holds (see `GroupLeases.settle`),
   * keeping the positions of those it goes on holding and reading the
   * committed offsets of those it takes; tells the handler and the log when
   * the partitions held change.
   */
  #settle(
    { groupId, member, partitions, positions, options }: {
      groupId: string;
      member: string;
      partitions: TopicPartition[];
      positions: ConsumerPosition[] | undefined;
      options: GroupConsumeOptions;
    },
  ): ConsumerPosition[] {
    const held = this.#groups.settle(groupId, member, partitions);
    const kept = new Map((positions ?? []).map((p) => [positionKey(p.topic, p.partition), p]));
    const next = held.map(({ topic, partition }) => {
      const position = kept.get(positionKey(topic, partition));
      if (position) return position;
      const row = this.#statements.committed.get(groupId, topic, partition) as
        | { offset: number }
        | undefined;
      return { topic, partition, offset: row?.offset ?? 0, stopped: false };
    });
    const same = positions !== undefined && next.length === positions.length &&
      next.every((p) => kept.has(positionKey(p.topic, p.partition)));
    if (!same) {
      options.onAssignment?.(assignment(next));
      this.#options.log?.(
        next.length === 0
          ? `consumer group "${groupId}": the other members hold every partition; standing by`
          : `consumer group "${groupId}": this member holds ${next.length} of ${partitions.length} partitions (${
            next.map((p) => `${p.topic}[${p.partition}]`).join(", ")
          })`,
      );
    }
    return next;
  }

  async tail(options: TailOptions): Promise<void> {
    const { topics, signal, handle } = options;
    const watch = this.#wake.watch(topics);
    const positions = topics.flatMap((topic) =>
      Array.from({ length: this.#requirePartitions(topic) }, (_, partition) => {
        const row = this.#statements.nextOffset.get(topic, partition) as { next_offset: number };
        return { topic, partition, offset: row.next_offset };
      })
    );
    const topicList = JSON.stringify(topics);
    options.onReady?.();
    while (!signal.aborted) {
      let delivered = false;
      watch.mark();
      const highs = this.#highWaterMarks(topicList);
      for (const position of positions) {
        if (!hasRecords(position, highs)) continue;
        const records = this.#read(position, 500);
        if (records.length === 0) continue;
        delivered = true;
        position.offset = records[records.length - 1].offset + 1;
        await handle({ topic: position.topic, partition: position.partition, records });
      }
      if (!delivered) await watch.wait(this.#options.pollMs, signal);
    }
  }

  describeTopics(): Promise<TopicDescription[]> {
    return Promise.try(() => {
      const rows = this.#db.prepare(
        `SELECT p.topic, p.partition, p.next_offset AS high, t.retention_ms,
                (SELECT MIN(offset) FROM records r
                 WHERE r.topic = p.topic AND r.partition = p.partition) AS low
         FROM partitions p JOIN topics t ON t.name = p.topic ORDER BY p.topic, p.partition`,
      ).all() as Array<
        {
          topic: string;
          partition: number;
          high: number;
          low: number | null;
          retention_ms: number | null;
        }
      >;
      const byTopic = new Map<string, TopicDescription>();
      for (const { topic, partition, high, low, retention_ms } of rows) {
        const retentionMs = retention_ms ?? this.#options.retentionMs ?? null;
        const described = byTopic.get(topic) ?? { name: topic, partitions: [], retentionMs };
        described.partitions.push({ partition, low: low ?? high, high });
        byTopic.set(topic, described);
      }
      return [...byTopic.values()];
    });
  }

  read(
    options: { topic: string; partition: number; offset: number; limit: number },
  ): Promise<BrokerRecord[]> {
    return Promise.try(() => {
      this.#requirePartition(options.topic, options.partition);
      const { topic, partition, offset, limit } = options;
      return this.#read({ topic, partition, offset }, limit);
    });
  }

  offsetForTime(
    options: { topic: string; partition: number; timestamp: number },
  ): Promise<number> {
    return Promise.try(() => {
      const { topic, partition, timestamp } = options;
      this.#requirePartition(topic, partition);
      // Timestamps are event times, not in offset order: the first by offset, as Kafka answers.
      const row = this.#db.prepare(
        `SELECT offset FROM records WHERE topic = ? AND partition = ? AND timestamp >= ?
         ORDER BY offset LIMIT 1`,
      ).get(topic, partition, timestamp) as { offset: number } | undefined;
      if (row) return row.offset;
      const high = this.#statements.nextOffset.get(topic, partition) as { next_offset: number };
      return high.next_offset;
    });
  }

  describeGroups(): Promise<GroupDescription[]> {
    return Promise.try(() => {
      const offsets = this.#db.prepare(
        `SELECT group_id, topic, partition, offset FROM group_offsets
         ORDER BY group_id, topic, partition`,
      ).all() as Array<{ group_id: string; topic: string; partition: number; offset: number }>;
      const groups = new Map<string, GroupDescription>();
      const group = (id: string) => {
        let described = groups.get(id);
        if (!described) {
          described = { group: id, state: "empty", members: [], offsets: [] };
          groups.set(id, described);
        }
        return described;
      };
      for (const row of offsets) {
        group(row.group_id).offsets.push({
          topic: row.topic,
          partition: row.partition,
          committed: row.offset,
        });
      }
      // A member whose lease ran out died without leaving: it is not listed.
      for (const { group: id, member, partitions } of this.#groups.members()) {
        const described = group(id);
        described.state = "stable";
        described.members.push({ id: member, client: "embedded", partitions });
      }
      return [...groups.values()].sort((a, b) => a.group < b.group ? -1 : 1);
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#wake.close();
    this.#db.close();
    return Promise.resolve();
  }

  #requirePartitions(topic: string): number {
    const row = this.#statements.partitions.get(topic) as { partitions: number } | undefined;
    if (!row) {
      throw new MissingTopicError(
        topic,
        `topic "${topic}" does not exist in ${this.#options.path}; create it first (deno task topics)`,
      );
    }
    return row.partitions;
  }

  #requirePartition(topic: string, partition: number): void {
    const partitions = this.#requirePartitions(topic);
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      throw new MissingPartitionError(topic, partition, partitions);
    }
  }

  /** Up to `limit` records of `from`'s partition, from its offset on. */
  #read(from: LogPosition, limit: number): BrokerRecord[] {
    const { topic, partition, offset } = from;
    const rows = this.#statements.read.all(
      topic,
      partition,
      offset,
      limit,
    ) as unknown as RecordRow[];
    return rows.map((row) => ({
      topic,
      partition: row.partition,
      offset: row.offset,
      key: row.key,
      value: row.value,
      headers: row.headers ? JSON.parse(row.headers) as Headers : {},
      timestamp: row.timestamp,
    }));
  }

  /**
   * The next offset of every partition of `topics` (a JSON array), by
   * `topic/partition`: one read of the small partitions table tells a reader
   * which partitions have records for it. After another connection appends,
   * every read here goes to the disk cache again, and a dashboard following
   * seven live topics read 28 partitions' records at each announcement.
   */
  #highWaterMarks(topics: string): Map<string, number> {
    const rows = this.#statements.highs.all(topics) as Array<
      { topic: string; partition: number; next_offset: number }
    >;
    return new Map(rows.map((r) => [positionKey(r.topic, r.partition), r.next_offset]));
  }

  /**
   * Stores `next` as the group's position in its partition if `member` still
   * holds that partition; false when another member took it.
   */
  #commit(groupId: string, member: string, next: LogPosition): boolean {
    const { topic, partition, offset } = next;
    return transaction(this.#db, () => {
      if (!this.#groups.holds(groupId, member, next)) return false;
      this.#statements.commit.run(groupId, topic, partition, offset);
      return true;
    });
  }

  #applyRetention(now: number) {
    if (now < this.#nextRetention) return;
    const more = this.#retention.expire(now, this.#options.retentionMs);
    this.#nextRetention = now + (more ? RETENTION_FOLLOW_UP_MS : RETENTION_CHECK_MS);
  }
}

/** The key of a partition in `#highWaterMarks`. */
function positionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** Whether `position`'s partition holds records at or past its offset (an unknown partition is read). */
function hasRecords(position: LogPosition, highs: ReadonlyMap<string, number>): boolean {
  const high = highs.get(positionKey(position.topic, position.partition));
  return high === undefined || position.offset < high;
}

/**
 * The most records waiting in one of `positions`' partitions (those not
 * stopped); Infinity when a partition's high-water mark is unknown.
 */
function pendingRecords(
  positions: readonly ConsumerPosition[],
  highs: ReadonlyMap<string, number>,
): number {
  let most = 0;
  for (const position of positions) {
    if (position.stopped) continue;
    const high = highs.get(positionKey(position.topic, position.partition));
    most = Math.max(most, high === undefined ? Infinity : high - position.offset);
  }
  return most;
}

/** What `gatherFor` decides from. */
export interface GatherState {
  /** `fetchWaitMs`: how long records may gather. */
  waitMs: number;
  /** The most records waiting in one partition. */
  pending: number;
  /** Records in one partition that are handled at once (`fetchMinRecords`, at most a full batch). */
  minRecords: number;
  /** When records were first seen waiting, ms; undefined when none were. */
  since: number | undefined;
  /** The clock, ms. */
  now: number;
}

/**
 * How long a group member waits before it handles the records waiting
 * (0: handle them now), and since when they wait. Nothing waiting, no wait
 * set, or `minRecords` in a partition: now. Otherwise records wait until
 * `waitMs` after they were first seen.
 */
export function gatherFor(state: GatherState): { ms: number; since: number | undefined } {
  const { waitMs, pending, minRecords, now } = state;
  if (pending === 0) return { ms: 0, since: undefined };
  const since = state.since ?? now;
  if (waitMs <= 0 || pending >= minRecords) return { ms: 0, since };
  return { ms: Math.max(0, since + waitMs - now), since };
}

/** Partitions per topic. */
function assignment(held: Array<{ topic: string; partition: number }>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const { topic, partition } of held) (out[topic] ??= []).push(partition);
  return out;
}
