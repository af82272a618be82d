/** Waiting that stops on abort, and retry with exponential backoff. */

/** Resolves after `ms`, or at once (without throwing) when `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** How `retry` waits between attempts. */
export interface BackoffOptions {
  /** First wait, in ms. */
  initialMs: number;
  /** Longest wait, in ms. */
  maxMs: number;
  /** Stops retrying; the last error is thrown. */
  signal?: AbortSignal;
  /** Gives up after this many attempts (default: never while the signal is not aborted). */
  attempts?: number;
  /** False for an error a retry cannot help: it is thrown at once (default: every error is retried). */
  retriable?(error: unknown): boolean;
  /** Told of each failure before the wait, with the wait that follows. */
  onFailure?(error: unknown, attempt: number, waitMs: number): void;
}

/**
 * Runs `work` until it succeeds, waiting `initialMs`, then twice as long each
 * time up to `maxMs`, between failures.
 */
export async function retry<T>(work: () => Promise<T>, options: BackoffOptions): Promise<T> {
  let wait = options.initialMs;
  for (let attempt = 1;; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (options.signal?.aborted || attempt >= (options.attempts ?? Infinity)) throw error;
      if (options.retriable?.(error) === false) throw error;
      options.onFailure?.(error, attempt, wait);
      await delay(wait, options.signal);
      if (options.signal?.aborted) throw error;
      wait = Math.min(wait * 2, options.maxMs);
    }
  }
}
