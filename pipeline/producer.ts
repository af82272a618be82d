/**
 * Sends a source's records to a topic at a steady rate, in batches: a batch
 * goes out when it is full, when it has waited `lingerMs` (even while the
 * source is slow to yield the next record), or before the producer sleeps to
 * keep the rate, so records never wait longer than needed.
 */

import type { Broker, OutgoingRecord } from "./ports.ts";
import type { SourceRecord } from "./sources/source.ts";
import { delay } from "./async.ts";

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
}

const LINGERED = Symbol("lingered");

/** Produces every record of `source` to `topic`; resolves with how many were sent. */
export async function runProducer(
  broker: Broker,
  topic: string,
  source: AsyncIterable<SourceRecord>,
  options: ProducerOptions,
): Promise<number> {
  const { rate, batchSize, lingerMs, signal } = options;
  const iterator = source[Symbol.asyncIterator]();
  const started = performance.now();
  let batch: OutgoingRecord[] = [];
  let batchStarted = 0;
  let sent = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const out = batch;
    batch = [];
    await broker.produce(topic, out);
    sent += out.length;
    options.onProgress?.(sent);
  };
  let pending: Promise<IteratorResult<SourceRecord>> | undefined;
  try {
    while (!signal.aborted) {
      pending ??= iterator.next();
      let next: IteratorResult<SourceRecord> | typeof LINGERED;
      if (batch.length > 0) {
        const wait = Math.max(0, batchStarted + lingerMs - performance.now());
        let timer: ReturnType<typeof setTimeout> | undefined;
        next = await Promise.race([
          pending,
          new Promise<typeof LINGERED>((
            resolve,
          ) => (timer = setTimeout(() => resolve(LINGERED), wait))),
        ]);
        clearTimeout(timer);
      } else {
        next = await pending;
      }
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
      if (batch.length === 0) batchStarted = performance.now();
      batch.push({ key: next.value.key, value: next.value.value });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    if (pending === undefined) await iterator.return?.();
  }
  return sent;
}
