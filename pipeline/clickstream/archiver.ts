/**
 * A clickstream topic's Parquet archive as an output of its stream
 * processor: the processor stages the records it accepted (not invalid, not
 * late) into the archive's durable spool with each batch, before the broker
 * commits it, and a timer of its own writes the spool to Parquet files.
 *
 * So the archive holds exactly what the stream counted: a record ends either
 * in the stream's outputs (stores, aggregates, Parquet) or in its
 * dead-letter topic, never both. The timer does not depend on batches
 * arriving: a busy topic gets one file per interval, a quiet one none.
 */

import type { AcceptedSink } from "../processor.ts";
import type { Logger } from "../logger.ts";
import { silentLogger } from "../logger.ts";
import type { ClickstreamEvent, Timed } from "./events.ts";
import type { FlushResult, ParquetArchive } from "./parquet_archive.ts";

/** How often the archive is flushed unless told otherwise, in ms. */
export const DEFAULT_ARCHIVE_INTERVAL_MS = 10_000;

/**
 * The sink through which a clickstream processor stages its accepted records.
 * Staging is idempotent (a replayed position is ignored), as the processor
 * requires of its sinks.
 */
export function archiveSink(archive: ParquetArchive): AcceptedSink<Timed<ClickstreamEvent>> {
  return {
    name: `the ${archive.topic} Parquet archive`,
    write: (accepted) => {
      archive.stage(accepted.map(({ record, event }) => ({
        partition: record.partition,
        offset: record.offset,
        record: event,
      })));
      return Promise.resolve();
    },
  };
}

/** What `runArchiveFlusher` needs. */
export interface ArchiveFlusherOptions {
  archive: ParquetArchive;
  /** Stops the flusher after a last flush. */
  signal: AbortSignal;
  /** Flush interval in ms (default `DEFAULT_ARCHIVE_INTERVAL_MS`). */
  intervalMs?: number;
  log?: Logger;
  /** Told of every file written. */
  onFile?: (file: FlushResult) => void;
}

/** What a flusher run wrote. */
export interface FlushStats {
  files: number;
  rows: number;
}

/**
 * Writes the archive's spooled records to Parquet every `intervalMs` until
 * `signal` aborts, then flushes once more and resolves (the archive stays
 * open: its owner closes it). A failed flush is logged and retried at the
 * next tick; its rows stay in the spool, for the next run too.
 */
export async function runArchiveFlusher(options: ArchiveFlusherOptions): Promise<FlushStats> {
  const { archive, signal } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_ARCHIVE_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`intervalMs must be a positive number of ms, got ${intervalMs}`);
  }
  const log = options.log ?? silentLogger;
  const stats: FlushStats = { files: 0, rows: 0 };

  // One file per tick; more only while a backlog fills whole files, so records staged
  // during the drain wait for the next tick instead of making tiny files. Yielding
  // between files keeps a large backlog from starving the processor in the same thread.
  const drain = async () => {
    try {
      for (let file = archive.flush(); file; file = archive.flush()) {
        stats.files++;
        stats.rows += file.rows;
        log.info(`archived ${file.rows} ${archive.topic} record(s) to ${file.file}`);
        options.onFile?.(file);
        if (file.rows < archive.maxRowsPerFile) break;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } catch (error) {
      log.error(
        `archive flush of ${archive.topic} failed, retrying next tick: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  };
  let draining: Promise<void> | undefined;
  const tick = () => {
    draining ??= drain().finally(() => draining = undefined);
  };
  const timer = setInterval(tick, intervalMs);
  try {
    if (!signal.aborted) {
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true })
      );
    }
  } finally {
    clearInterval(timer);
    await draining;
    await drain();
  }
  return stats;
}
