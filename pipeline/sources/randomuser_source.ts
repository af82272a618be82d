/**
 * The real RandomUser API as a source: fetches pages of users, with a timeout
 * per request and retry with exponential backoff while the API is unreachable.
 */

import type { SourceRecord } from "./source.ts";
import { itemsOf, type JsonItem, parseLossy } from "./json_spans.ts";
import { retry } from "../async.ts";
import type { Logger } from "../logger.ts";
import { isObject } from "../validation.ts";

/** Settings of the RandomUser HTTP source. */
export interface RandomUserSourceOptions {
  /** API endpoint, for example `https://randomuser.me/api/`. */
  url: string;
  /** Users asked for per request (`results=`). */
  pageSize: number;
  /** Per-request timeout, in ms. */
  timeoutMs: number;
  /** First and longest wait between failed requests, in ms. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Stop after this many users; unset runs until the consumer stops. */
  count?: number;
  signal?: AbortSignal;
  log: Logger;
  /** The HTTP client (tests pass their own). */
  fetch?: typeof fetch;
}

/** The defaults of `--source randomuser`. */
export const RANDOMUSER_DEFAULTS = {
  url: "https://randomuser.me/api/",
  pageSize: 50,
  timeoutMs: 10_000,
  retryInitialMs: 1_000,
  retryMaxMs: 60_000,
};

/** One request of `fetchUsersPage`. */
export interface UsersPageRequest {
  /** API endpoint; its own query parameters are kept. */
  url: string;
  /** Users asked for (`results=`). */
  results: number;
  /** Longest wait for the whole answer, in ms. */
  timeoutMs: number;
  /** The HTTP client (tests pass their own); the global `fetch` by default. */
  client?: typeof fetch;
}

/**
 * Fetches one page of users: each with its exact bytes in the answer, so the
 * record sent on (and any dead letter) is what the API said, byte for byte.
 *
 * @throws {Error} when the request fails, times out, or the answer is not a RandomUser response.
 */
export async function fetchUsersPage(
  { url, results, timeoutMs, client = fetch }: UsersPageRequest,
): Promise<JsonItem[]> {
  const target = new URL(url);
  target.searchParams.set("results", String(results));
  let response: Response;
  try {
    response = await client(target, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if ((error as Error).name === "TimeoutError") {
      throw new Error(`${target.origin} did not answer within ${timeoutMs} ms`, { cause: error });
    }
    throw new Error(`request to ${target.origin} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${target.origin} answered ${response.status} ${response.statusText}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new Error(`reading the answer of ${target.origin} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const body = parseLossy(bytes)?.value;
  if (!isObject(body) || !Array.isArray(body.results)) {
    throw new Error(
      `${target.origin} did not answer with a RandomUser response ({"results": [...]})`,
    );
  }
  if (body.results.length === 0) throw new Error(`${target.origin} answered with no users`);
  return itemsOf(bytes, body.results);
}

/** Yields users from the RandomUser API, retrying (and saying so) while it is unreachable. */
export async function* randomUserRecords(
  keyOf: (value: unknown) => string | null,
  options: RandomUserSourceOptions,
): AsyncGenerator<SourceRecord> {
  let sent = 0;
  while (options.count === undefined || sent < options.count) {
    if (options.signal?.aborted) return;
    const want = Math.min(options.pageSize, (options.count ?? Infinity) - sent);
    let page: JsonItem[];
    try {
      page = await retry(
        () =>
          fetchUsersPage({
            url: options.url,
            results: want,
            timeoutMs: options.timeoutMs,
            client: options.fetch,
          }),
        {
          initialMs: options.retryInitialMs,
          maxMs: options.retryMaxMs,
          signal: options.signal,
          onFailure: (error, attempt, wait) =>
            options.log.warn(
              `RandomUser API at ${options.url} is unreachable (attempt ${attempt}): ${
                (error as Error).message
              }; retrying in ${wait < 1000 ? `${wait} ms` : `${Math.round(wait / 1000)} s`}`,
            ),
        },
      );
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    }
    for (const user of page.slice(0, want)) {
      yield { key: keyOf(user.value), value: user.bytes };
      sent++;
    }
  }
}
