/**
 * Write-ahead log checkpoints of the embedded SQLite files, run on a thread
 * of their own so the processor and the producer seldom wait for one.
 *
 * A checkpoint copies the WAL's pages into the database file and syncs both
 * (`fsync`). Left to SQLite, the commit that takes the WAL past 8 MB runs it
 * and waits for the disk: a processor draining users ran at 18,700 users/s,
 * and at 22,900/s with no syncs at all (unsafe, measured only to see what
 * they cost).
 *
 * Here one thread per process (`startCheckpoints` in `wiring.ts`, running
 * `runWalCheckpoints`) copies the pages without holding up anyone (SQLite's
 * `PASSIVE` checkpoint), at the pace `nextWait` sets, and a writer that
 * begins after a copy of the whole WAL starts the WAL again from its
 * beginning: at live rates, where writers are mostly idle, that happens
 * within a copy or two. The writers' own commits checkpoint only past
 * `FALLBACK_PAGES`, which under a backlog (writers never pause) or without
 * the thread is what bounds the WAL; by then the thread has copied all but
 * its last pages, so that commit copies few.
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { delay } from "../async.ts";

/** How a process checkpoints its embedded files' write-ahead logs. */
export type WalCheckpoints =
  /** SQLite's own: the commit that takes the WAL past `INLINE_PAGES` copies it back. */
  | "inline"
  /** A thread of the process copies them; writers do it only past `FALLBACK_PAGES`. */
  | "background";

/** Pages (of 4 KB) past which a commit checkpoints inline: 8 MB. */
export const INLINE_PAGES = 2048;

/**
 * Pages (of 4 KB) past which a writer of a file checkpointed in the
 * background checkpoints itself all the same: 16 MB.
 */
export const FALLBACK_PAGES = 4096;

/** How often the checkpointer copies: between `minMs` and `maxMs`, see `nextWait`. */
export interface CheckpointPace {
  minMs: number;
  maxMs: number;
}

/** Every 100 ms under load, every 5 s at most when idle. */
export const CHECKPOINT_PACE: CheckpointPace = { minMs: 100, maxMs: 5000 };

/** Pages (of 4 KB) a log must grow by between two copies for the next to come at `minMs`: 1 MB. */
export const BUSY_PAGES = 256;

/**
 * The wait before the next copy: `minMs` after a copy that found a log grown
 * by `BUSY_PAGES` or more since the one before, else twice the last wait,
 * up to `maxMs`. Each copy of new pages syncs the disk: with a copy every
 * 100 ms, `deno task start` at its default rates called `fsync` 600 times in
 * 10 s, against 197 with inline checkpoints and 260 at this pace.
 */
export function nextWait(lastMs: number, grownPages: number, pace: CheckpointPace): number {
  if (grownPages >= BUSY_PAGES) return pace.minMs;
  return Math.min(pace.maxMs, Math.max(pace.minMs, lastMs * 2));
}

/**
 * How many pages a log grew by between two copies that found it `before`
 * and `after` pages long; a shorter log was started again meanwhile.
 */
export function grownPages(before: number, after: number): number {
  return after >= before ? after - before : Math.max(0, after);
}

/** What the checkpointer's thread is given: the files, and its pace. */
export interface CheckpointJob {
  /** SQLite files in WAL mode, created by their writers (open the pipeline first). */
  paths: string[];
  pace: CheckpointPace;
}

interface CheckpointedFile {
  db: DatabaseSync;
  checkpoint: StatementSync;
  /** Pages in its log at the last copy. */
  pages: number;
}

function openFile(path: string): CheckpointedFile {
  const db = new DatabaseSync(path);
  // Waits for the lock a writer opening the file holds for a moment (its first
  // read of the file, or its recovery); syncs as the writers do. A passive
  // checkpoint never waits for a lock.
  db.exec("PRAGMA busy_timeout = 15000; PRAGMA synchronous = NORMAL;");
  return { db, checkpoint: db.prepare("PRAGMA wal_checkpoint(PASSIVE)"), pages: 0 };
}

/** Copies every file's log; returns the most pages any grew by since the last copy. */
function copy(files: CheckpointedFile[]): number {
  let grown = 0;
  for (const file of files) {
    const { log } = file.checkpoint.get() as { log: number };
    grown = Math.max(grown, grownPages(file.pages, log));
    file.pages = log;
  }
  return grown;
}

/**
 * Checkpoints the job's files with `PASSIVE` checkpoints at the pace
 * `nextWait` sets, until `signal` aborts; run by the checkpointer's thread
 * (`pipeline/workers/checkpoint_worker.ts`).
 *
 * @throws when a file cannot be opened or checkpointed
 */
export async function runWalCheckpoints(job: CheckpointJob, signal: AbortSignal): Promise<void> {
  const files: CheckpointedFile[] = [];
  try {
    for (const path of job.paths) files.push(openFile(path));
    let waitMs = job.pace.minMs;
    for (;;) {
      await delay(waitMs, signal);
      if (signal.aborted) return;
      waitMs = nextWait(waitMs, copy(files), job.pace);
    }
  } finally {
    for (const file of files) file.db.close();
  }
}
