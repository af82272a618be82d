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
 * `timeoutMs`: a late answer, or a driver's error that a retry can help,
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
        return result instanceof Promise ? bounded(result, bounds) : result;
      };
    },
  });
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

/**
 * The last snapshot `read` gave, served while reading fails for an outage.
 * While degraded, a call answers at once from the last snapshot and reads
 * again in the background, so a page never waits on a server that is down.
 */
export class LastKnown<S extends object> {
  readonly #read: () => Promise<S>;
  readonly #now: () => number;
  #last?: S;
  #degraded?: Degraded;
  #refreshing?: Promise<unknown>;

  constructor(read: () => Promise<S>, now: () => number) {
    this.#read = read;
    this.#now = now;
  }

  /**
   * A fresh snapshot, or the last one with `degraded` during an outage.
   *
   * @throws {HttpError} 503 naming the server when it is down and nothing was read before
   */
  async get(): Promise<MaybeDegraded<S>> {
    if (this.#degraded && this.#last) {
      this.#refreshing ??= this.#fresh().catch(() => {}).finally(() => {
        this.#refreshing = undefined;
      });
      return this.#stale();
    }
    try {
      return await this.#fresh();
    } catch (error) {
      if (!this.#degraded) throw error;
      if (!this.#last) {
        throw new HttpError(
          503,
          `${this.#degraded.server} does not answer (${this.#degraded.error})`,
        );
      }
      return this.#stale();
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

  #stale(): MaybeDegraded<S> {
    return { ...this.#last!, degraded: { ...this.#degraded! } };
  }
}

/** `pages` with each page's reads served through a `LastKnown`. */
export function lastKnownPages<P extends Pages>(pages: P, now: () => number): P {
  const wrapped: Record<string, LivePage> = {};
  for (const [name, page] of Object.entries(pages)) {
    const known = new LastKnown(() => page.read() as Promise<object>, now);
    wrapped[name] = { ...page, read: () => known.get() };
  }
  return wrapped as P;
}
