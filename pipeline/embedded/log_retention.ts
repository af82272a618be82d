/**
 * Time retention of the embedded log (Kafka's `retention.ms`): deletes the
 * records older than the retention from the start of each partition, reading
 * only those it deletes, a bounded number at a time.
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * Most records one run deletes, across partitions, so the write locks it
 * takes stay short (a few tens of ms for records of a kilobyte) however much
 * expired at once; the rest goes at the next run.
 */
export const RETENTION_BATCH = 5_000;

/** Deletes expired records from the `records` table of an embedded log. */
export class LogRetention {
  readonly #partitions: StatementSync;
  readonly #low: StatementSync;
  readonly #firstKept: StatementSync;
  readonly #delete: StatementSync;

  /** @param db the log's connection */
  constructor(db: DatabaseSync) {
    this.#partitions = db.prepare(
      `SELECT p.topic, p.partition, p.next_offset, t.retention_ms
       FROM partitions p JOIN topics t ON t.name = p.topic`,
    );
    this.#low = db.prepare(
      "SELECT MIN(offset) AS low FROM records WHERE topic = ? AND partition = ?",
    );
    // Walks the primary key from `low` in offset order and stops at the first record kept.
    this.#firstKept = db.prepare(
      `SELECT offset FROM records
       WHERE topic = ? AND partition = ? AND offset >= ? AND offset < ? AND timestamp >= ?
       ORDER BY offset LIMIT 1`,
    );
    this.#delete = db.prepare(
      "DELETE FROM records WHERE topic = ? AND partition = ? AND offset >= ? AND offset < ?",
    );
  }

  /**
   * Deletes, from the start of each partition, the records older than their
   * topic's retention (else `retentionMs`; none when neither is set) at
   * `now` (ms since the epoch), up to the first that is not: a record stays
   * while one before it in its partition does, as a Kafka segment stays
   * while its newest record is within the retention. At most
   * `RETENTION_BATCH` records in all, each partition's in one statement (the
   * write lock is taken only where records go; two logs deleting the same
   * range at once delete it once).
   *
   * @returns whether records may be left to delete (the run hit its bound)
   */
  expire(now: number, retentionMs: number | undefined): boolean {
    let budget = RETENTION_BATCH;
    const partitions = this.#partitions.all() as Array<
      { topic: string; partition: number; next_offset: number; retention_ms: number | null }
    >;
    for (const { topic, partition, next_offset: high, retention_ms } of partitions) {
      if (budget === 0) return true;
      const retention = retention_ms ?? retentionMs;
      if (retention === undefined) continue;
      const { low } = this.#low.get(topic, partition) as { low: number | null };
      if (low === null) continue;
      const bound = Math.min(high, low + budget);
      const kept = this.#firstKept.get(topic, partition, low, bound, now - retention) as
        | { offset: number }
        | undefined;
      const until = kept?.offset ?? bound;
      if (until > low) this.#delete.run(topic, partition, low, until);
      // Stopped at the bound, not at a record kept: what is past it waits for the next run.
      budget = kept === undefined && bound < high ? 0 : budget - (until - low);
    }
    return budget === 0;
  }
}
