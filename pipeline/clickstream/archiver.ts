/**
 * The archiver: consumes one clickstream topic in its own consumer group,
 * stages valid records in the topic's Parquet archive before the broker
 * commits, and flushes the archive on a timer of its own.
 *
 * The timer does not depend on batches arriving: a busy topic gets one file
 * per interval, a quiet one none. Invalid records are skipped, not archived
 * (the stream processor dead-letters them).
 */

import type { Broker, RecordBatch } from "../ports.ts";
import type { Logger } from "../logger.ts";
import { silentLogger } from "../logger.ts";
import { decodeJson } from "../validation.ts";
import { isRecordError } from "../record_error.ts";
import { type ClickstreamTopic, VALIDATE } from "./events.ts";
import {
  DEFAULT_MAX_ROWS_PER_FILE,
  type FlushResult,
  ParquetArchive,
  type StagedRecord,
} from "./parquet_archive.ts";

/** How often the archive is flushed unless told otherwise, in ms. */
export const DEFAULT_ARCHIVE_INTERVAL_MS = 10_000;

/** The consumer group of a topic's archiver. */
export function archiveGroupId(topic: ClickstreamTopic): string {
  return `streamboard-archive-${topic}`;
}

/** What `runArchiver` needs. */
export interface ArchiverOptions {
  broker: Broker;
  topic: ClickstreamTopic;
  /** Data directory; files go to `<dataDir>/parquet/<topic>/`. */
  dataDir: string;
  /** Stops the archiver after a last flush. */
  signal: AbortSignal;
  /** Flush interval in ms (default `DEFAULT_ARCHIVE_INTERVAL_MS`). */
  intervalMs?: number;
  log?: Logger;
  /** Most records per consumed batch. */
  maxBatch?: number;
  /** Most rows per file; a larger backlog is written as several files. */
  maxRowsPerFile?: number;
  /** Consumer group (default `archiveGroupId(topic)`). */
  groupId?: string;
  /** Clock for file names, ms since the epoch. */
  now?: () => number;
  /** Told of every file written. */
  onFile?: (file: FlushResult) => void;
}

/** What an archiver run did. */
export interface ArchiverStats {
  /** Records staged for the first time (replays not counted). */
  staged: number;
  /** Records skipped as invalid. */
  skipped: number;
  files: number;
  rows: number;
}

/**
 * Runs the archiver of one topic until `signal` aborts, then flushes once more
 * and resolves. Records are staged durably before `handle` resolves, so the
 * broker's commit never gets ahead of the archive.
 *
 * A failed flush is logged and retried at the next tick (its rows stay in the
 * spool, for the next run too); a failed stage rejects the batch, so the
 * broker does not commit it and delivers it again.
 */
export async function runArchiver(options: ArchiverOptions): Promise<ArchiverStats> {
  const { broker, topic, signal } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_ARCHIVE_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`intervalMs must be a positive number of ms, got ${intervalMs}`);
  }
  const log = options.log ?? silentLogger;
  const validate = VALIDATE[topic];
  const stats: ArchiverStats = { staged: 0, skipped: 0, files: 0, rows: 0 };
  let skippedSinceFlush = 0;
  let lastSkipReason = "";
  const archive = new ParquetArchive({
    dataDir: options.dataDir,
    topic,
    maxRowsPerFile: options.maxRowsPerFile,
    now: options.now,
  });

  // One file at a time, yielding between files, so a large backlog does not
  // starve the consumer (and its group lease) for the whole drain.
  const drain = async () => {
    try {
      if (skippedSinceFlush > 0) {
        log.warn(
          `skipped ${skippedSinceFlush} invalid ${topic} record(s), not archived ` +
            `(last: ${lastSkipReason})`,
        );
        skippedSinceFlush = 0;
      }
      // One file per tick; more only while a backlog fills whole files, so records
      // staged during the drain wait for the next tick instead of making tiny files.
      const full = options.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE;
      for (let file = archive.flush(); file; file = archive.flush()) {
        stats.files++;
        stats.rows += file.rows;
        log.info(`archived ${file.rows} ${topic} record(s) to ${file.file}`);
        options.onFile?.(file);
        if (file.rows < full) break;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } catch (error) {
      log.error(`archive flush of ${topic} failed, retrying next tick: ${describeError(error)}`);
    }
  };
  let draining: Promise<void> | undefined;
  const tick = () => {
    draining ??= drain().finally(() => draining = undefined);
  };

  const handle = (batch: RecordBatch): Promise<void> => {
    const valid: StagedRecord[] = [];
    for (const record of batch.records) {
      try {
        valid.push({
          partition: record.partition,
          offset: record.offset,
          record: validate(decodeJson(record.value)),
        });
      } catch (error) {
        if (!isRecordError(error)) return Promise.reject(error);
        stats.skipped++;
        skippedSinceFlush++;
        lastSkipReason = `partition ${record.partition} offset ${record.offset}: ${error.message}`;
      }
    }
    try {
      stats.staged += archive.stage(valid);
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve();
  };

  const timer = setInterval(tick, intervalMs);
  try {
    await broker.consume({
      groupId: options.groupId ?? archiveGroupId(topic),
      topics: [topic],
      signal,
      maxBatch: options.maxBatch,
      handle,
    });
  } finally {
    clearInterval(timer);
    await draining;
    await drain();
    archive.close();
  }
  return stats;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
