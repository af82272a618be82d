/**
 * Sends a source's records to a topic at a steady rate, in batches: a batch
 * goes out when it is full, when it has waited `lingerMs` (even while the
 * source is slow to yield the next record), or before the producer sleeps to
 * keep the rate, so records never wait longer than needed.
 */

import type { Broker, OutgoingRecord } from "./ports.ts";
import type { SourceRecord } from "./sources/source.ts";
import { delay } from "./async.ts";
import { canRetry, UnavailableError } from "./errors.ts";

/** Backoff of a producer waiting out an outage, ms: short, so it resumes within seconds of the return. */
export const PRODUCER_BACKOFF = { initialMs: 250, maxMs: 2_000 } as const;

/** A broker outage a producer waits out, as it reports it. */
export interface ProducerOutage {
  /** What does not answer (`Kafka`, `the embedded log`); `broker` when the error does not say. */
  service: string;
  /** When the first failed send happened, ms since the epoch. */
  since: number;
  /** The last error's message. */
  error: string;
}

/** Pace and batching of a producer. */
export interface ProducerOptions {
  /** Records per second; 0 sends as fast as the broker takes them. */
  rate: number;
  /** Most records in one produce call. */
  batchSize: number;
  /** Longest wait for a batch to fill, in ms. */
  lingerMs: number;
  signal: AbortSignal;
  /** Told after each batch how many records have been sent so far. */
  onProgress?(sent: number): void;
  /**
   * Told of each failed send it will retry (the batch is kept and sent again
   * after a backoff of at most `PRODUCER_BACKOFF.maxMs`), so the outage shows.
   */
  onOutage?(outage: ProducerOutage): void;
  /** Told when a send succeeds again after an outage, with how long it lasted in ms. */
  onRecovered?(downMs: number): void;
  /** The clock for outage times (default `Date.now`). */
  now?(): number;
}

/** A producer run: what it reads, where it sends it, and at what pace. */
export interface ProducerRun extends ProducerOptions {
  /** The broker records go to. */
  broker: Broker;
  /** The topic records go to. */
  topic: string;
  /** The records, sent in the order it yields them. */
  source: AsyncIterable<SourceRecord>;
}

const LINGERED = Symbol("lingered");

/** Produces every record of `source` to `topic`; resolves with how many were sent. */
export async function runProducer(options: ProducerRun): Promise<number> {
  const { broker, topic, source, rate, batchSize, lingerMs, signal } = options;
  const iterator = source[Symbol.asyncIterator]();
  const started = performance.now();
  let batch: OutgoingRecord[] = [];
  // One timer per batch, armed by its first record (not one per record).
  let linger:
    | { lingered: Promise<typeof LINGERED>; timer: ReturnType<typeof setTimeout> }
    | undefined;
  let sent = 0;
  const flush = async () => {
    clearTimeout(linger?.timer);
    linger = undefined;
    if (batch.length === 0) return;
    const out = batch;
    batch = [];
    await sendThroughOutages(() => broker.produce(topic, out), options);
    sent += out.length;
    options.onProgress?.(sent);
  };
  let pending: Promise<IteratorResult<SourceRecord>> | undefined;
  try {
    while (!signal.aborted) {
      pending ??= iterator.next();
      const next = linger ? await Promise.race([pending, linger.lingered]) : await pending;
      if (next === LINGERED) {
        await flush();
        continue;
      }
      pending = undefined;
      if (next.done || signal.aborted) break;
      if (rate > 0) {
        const due = started + ((sent + batch.length) * 1000) / rate;
        const wait = due - performance.now();
        if (wait >= 1) {
          await flush();
          await delay(wait, signal);
          if (signal.aborted) break;
        }
      }
      if (batch.length === 0) {
        const { promise, resolve } = Promise.withResolvers<typeof LINGERED>();
        linger = { lingered: promise, timer: setTimeout(() => resolve(LINGERED), lingerMs) };
      }
      batch.push({ key: next.value.key, value: next.value.value });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    if (pending === undefined) await iterator.return?.();
  }
  return sent;
}

/**
 * Runs `send` until it succeeds: a retriable error (an outage) is reported and
 * retried with a capped backoff; one a retry cannot help is thrown. Stops
 * retrying (throwing the last error) only when the run is aborted.
 */
async function sendThroughOutages(send: () => Promise<void>, options: ProducerOptions) {
  const now = options.now ?? Date.now;
  let since: number | undefined;
  let wait: number = PRODUCER_BACKOFF.initialMs;
  for (;;) {
    try {
      await send();
      if (since !== undefined) options.onRecovered?.(now() - since);
      return;
    } catch (error) {
      if (!canRetry(error) || options.signal.aborted) throw error;
      since ??= now();
      options.onOutage?.({
        service: error instanceof UnavailableError ? error.service : "broker",
        since,
        error: String((error as Error)?.message ?? error),
      });
      await delay(wait, options.signal);
      if (options.signal.aborted) throw error;
      wait = Math.min(wait * 2, PRODUCER_BACKOFF.maxMs);
    }
  }
}
