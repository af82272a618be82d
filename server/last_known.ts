/**
 * Pages that answer at once during a store outage: reads through a port get
 * a time limit (a store that does not answer in time is an outage naming its
 * server), and each page keeps the last snapshot it read, served while its
 * server is down with a `degraded` field saying which server and since when.
 */

import { canRetry, isStreamBoardError, UnavailableError } from "../pipeline/errors.ts";
import type { LivePage, Pages } from "./dashboards.ts";
import { HttpError } from "./http_error.ts";

/** Which server a degraded snapshot waits for, and since when (ms since the epoch). */
export interface Degraded {
  server: string;
  since: number;
  /** The last error's message. */
  error: string;
}

/** A snapshot, marked when it is the last one known rather than a fresh read. */
export type MaybeDegraded<S> = S & { degraded?: Degraded };

/** How `boundedReads` limits a port's calls. */
export interface ReadBounds {
  /** The server behind the port, named in the errors: `MongoDB`, `Cassandra`. */
  server: string;
  /** Longest wait for one call, ms. */
  timeoutMs: number;
}

/**
 * `port` with every call that returns a promise (but `close`) limited to
 * `timeoutMs` (and every step of one that returns an async iterable, such as
 * a store's `all`): a late answer, or a driver's error that a retry can help,
 * rejects with an `UnavailableError` naming `server`. Errors that say what
 * went wrong (a `StreamBoardError`, a bug) pass unchanged.
 */
export function boundedReads<T extends object>(port: T, bounds: ReadBounds): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || property === "close") return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) return bounded(result, bounds);
        // A store's `all` streams its documents: each step has the same limit.
        return isAsyncIterable(result) ? boundedSteps(result, bounds) : result;
      };
    },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === "function";
}

function boundedSteps<R>(iterable: AsyncIterable<R>, bounds: ReadBounds): AsyncIterable<R> {
  return {
    [Symbol.asyncIterator]() {
      const steps = iterable[Symbol.asyncIterator]();
      return {
        next: () => bounded(steps.next(), bounds),
        return: (value?: R) => steps.return?.(value) ?? Promise.resolve({ done: true, value }),
      };
    },
  };
}

async function bounded<R>(call: Promise<R>, { server, timeoutMs }: ReadBounds): Promise<R> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UnavailableError(server, `${server} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([call, late]);
  } catch (error) {
    if (isStreamBoardError(error) || !canRetry(error)) throw error;
    throw new UnavailableError(server, `${server}: ${(error as Error)?.message ?? error}`, error);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a caller waits for a fresh read when a snapshot is known, ms; later it gets that snapshot. */
export const ANSWER_BUDGET_MS = 500;

/** How a `LastKnown` keeps time. */
export interface LastKnownOptions {
  now: () => number;
  /** How long a caller waits for a fresh read when a snapshot is known, ms (default `ANSWER_BUDGET_MS`). */
  budgetMs?: number;
}

/**
 * The last snapshot `read` gave, served while reading fails for an outage.
 * One read runs at a time, shared by every caller. A caller waits for it at
 * most `budgetMs` when a snapshot is known (the read goes on and a later
 * caller gets its result), and not at all while degraded, so a page never
 * waits on a server that is down, not even in the seconds before a read's
 * time limit says so.
 */
export class LastKnown<S extends object> {
  readonly #read: () => Promise<S>;
  readonly #now: () => number;
  readonly #budgetMs: number;
  #last?: S;
  #degraded?: Degraded;
  #reading?: Promise<S>;

  constructor(read: () => Promise<S>, options: LastKnownOptions) {
    this.#read = read;
    this.#now = options.now;
    this.#budgetMs = options.budgetMs ?? ANSWER_BUDGET_MS;
  }

  /**
   * A fresh snapshot, or the last one (with `degraded` during an outage).
   *
   * @throws {HttpError} 503 naming the server when it is down and nothing was read before
   */
  async get(): Promise<MaybeDegraded<S>> {
    const reading = this.#reading ??= this.#fresh().finally(() => {
      this.#reading = undefined;
    });
    if (this.#last === undefined) {
      try {
        return await reading;
      } catch (error) {
        if (!(error instanceof UnavailableError) || !this.#degraded) throw error;
        throw new HttpError(
          503,
          `${this.#degraded.server} does not answer (${this.#degraded.error})`,
        );
      }
    }
    // Read on in the background; only an error that is not an outage (a bug) reaches the caller.
    const settled = reading.then(
      (snapshot): MaybeDegraded<S> => snapshot,
      (error) => {
        if (error instanceof UnavailableError) return this.#known();
        throw error;
      },
    );
    if (this.#degraded) {
      settled.catch(() => {});
      return this.#known();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const budget = new Promise<MaybeDegraded<S>>((resolve) => {
      timer = setTimeout(() => resolve(this.#known()), this.#budgetMs);
    });
    try {
      return await Promise.race([settled, budget]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #fresh(): Promise<S> {
    try {
      const snapshot = await this.#read();
      this.#last = snapshot;
      this.#degraded = undefined;
      return snapshot;
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      this.#degraded = {
        server: error.service,
        since: this.#degraded?.since ?? this.#now(),
        error: error.message,
      };
      throw error;
    }
  }

  /** The last snapshot, marked `degraded` during an outage. */
  #known(): MaybeDegraded<S> {
    return this.#degraded ? { ...this.#last!, degraded: { ...this.#degraded } } : this.#last!;
  }
}

/** `pages` with each page's reads served through a `LastKnown`. */
export function lastKnownPages<P extends Pages>(pages: P, options: LastKnownOptions): P {
  const wrapped: Record<string, LivePage> = {};
  for (const [name, page] of Object.entries(pages)) {
    const known = new LastKnown(() => page.read() as Promise<object>, options);
    wrapped[name] = { ...page, read: () => known.get() };
  }
  return wrapped as P;
}
