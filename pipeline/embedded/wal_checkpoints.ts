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
 * Here one checkpointer per process (`startWalCheckpoints`) copies the pages
 * without holding up anyone (SQLite's `PASSIVE` checkpoint), at the pace
 * `nextWait` sets, and a writer that begins after a copy of the whole WAL starts the WAL again
 * from its beginning: at live rates, where writers are mostly idle, that
 * happens within a copy or two. The writers' own commits checkpoint only
 * past `FALLBACK_PAGES`, which under a backlog (writers never pause) or
 * without a checkpointer is what bounds the WAL; by then the checkpointer
 * has copied all but its last pages, so that commit copies few.
 */

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

/** A running checkpointer. */
export interface WalCheckpointer {
  /** Resolves once its connections are open and it checkpoints (or once it failed). */
  ready: Promise<void>;
  /** Stops it after the copy in hand; resolves once its connections are closed. */
  stop(): Promise<void>;
}

/** Messages to the checkpointer's worker. */
export type ToCheckpointer =
  | { type: "start"; paths: string[]; pace: CheckpointPace }
  | { type: "stop" };

/** Messages from the checkpointer's worker. */
export type FromCheckpointer =
  | { type: "started" }
  | { type: "stopped" }
  | { type: "failed"; message: string };

/**
 * Starts a thread that checkpoints the SQLite files at `paths` (in WAL mode;
 * created by their writers, so open them first) at `pace`. A failure
 * of the thread is reported to `onError`; the writers' fallback then keeps
 * the WAL bounded.
 */
export function startWalCheckpoints(
  paths: string[],
  options: { pace?: CheckpointPace; onError?: (message: string) => void } = {},
): WalCheckpointer {
  const worker = new Worker(new URL("./wal_checkpoint_worker.ts", import.meta.url), {
    type: "module",
  });
  let started: (() => void) | undefined;
  let stopped: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => started = resolve);
  const done = new Promise<void>((resolve) => stopped = resolve);
  const finish = () => {
    worker.terminate();
    started?.();
    stopped?.();
  };
  worker.onmessage = (event: MessageEvent<FromCheckpointer>) => {
    if (event.data.type === "started") return started?.();
    if (event.data.type === "failed") options.onError?.(event.data.message);
    finish();
  };
  worker.onerror = (event) => {
    event.preventDefault();
    options.onError?.(event.message);
    finish();
  };
  worker.postMessage(
    {
      type: "start",
      paths,
      pace: options.pace ?? CHECKPOINT_PACE,
    } satisfies ToCheckpointer,
  );
  return {
    ready,
    stop: () => {
      worker.postMessage({ type: "stop" } satisfies ToCheckpointer);
      return done;
    },
  };
}
