/**
 * Records in per second of each topic over the last minute, from sampled
 * high offsets: the pure rate arithmetic (`TopicRates`) and the loop that
 * feeds it from the broker (`runTopicSampler`).
 */

import type { Broker, TopicDescription } from "../pipeline/ports.ts";
import type { Logger } from "../pipeline/logger.ts";
import { delay } from "../pipeline/async.ts";

/** How far back the rate looks, ms. */
export const RATE_WINDOW_MS = 60_000;

/** How often the sampler reads the high offsets, ms. */
export const SAMPLE_EVERY_MS = 5_000;

interface Sample {
  at: number;
  /** Sum of the high offsets of the topic's partitions: every record ever written. */
  written: number;
}

/** Sampled `(time, records written)` points per topic and the rates they give. */
export class TopicRates {
  readonly #windowMs: number;
  readonly #samples = new Map<string, Sample[]>();

  constructor(windowMs = RATE_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /** Adds a sample of every described topic taken at `at`; forgets samples older than the window. */
  record(at: number, topics: readonly TopicDescription[]): void {
    const seen = new Set<string>();
    for (const topic of topics) {
      seen.add(topic.name);
      const written = topic.partitions.reduce((sum, p) => sum + p.high, 0);
      // One sample older than the window stays: it spans the whole minute.
      const kept = (this.#samples.get(topic.name) ?? []).filter((s, i, all) =>
        s.at < at && (all[i + 1]?.at ?? at) > at - this.#windowMs
      );
      kept.push({ at, written });
      this.#samples.set(topic.name, kept);
    }
    for (const name of [...this.#samples.keys()]) if (!seen.has(name)) this.#samples.delete(name);
  }

  /**
   * Records in per second from the sample that starts the window to the newest, or
   * `null` with fewer than two samples (nothing to tell a rate from yet). A
   * topic deleted and created again (fewer records than before) counts from
   * its new start.
   */
  inPerSecond(topic: string): number | null {
    const samples = this.#samples.get(topic) ?? [];
    if (samples.length < 2) return null;
    const newest = samples[samples.length - 1];
    let added = 0;
    for (let i = 1; i < samples.length; i++) {
      added += Math.max(0, samples[i].written - samples[i - 1].written);
    }
    const seconds = (newest.at - samples[0].at) / 1000;
    return seconds > 0 ? added / seconds : null;
  }
}

/** Settings of the sampler loop. */
export interface TopicSamplerOptions {
  broker: Broker;
  rates: TopicRates;
  log: Logger;
  signal: AbortSignal;
  /** Clock, ms since the epoch. */
  now: () => number;
  /** Between two samples, ms. */
  everyMs?: number;
}

/** Samples every topic's high offsets into `rates` until the signal aborts; a failed sample is logged and skipped. */
export async function runTopicSampler(options: TopicSamplerOptions): Promise<void> {
  const { broker, rates, log, signal, now } = options;
  let failing = false;
  while (!signal.aborted) {
    try {
      const topics = await broker.describeTopics();
      rates.record(now(), topics);
      failing = false;
    } catch (error) {
      if (signal.aborted) return;
      // Said once per outage, not every few seconds.
      if (!failing) log.warn(`topic sampler: ${(error as Error).message}; trying again`);
      failing = true;
    }
    await delay(options.everyMs ?? SAMPLE_EVERY_MS, signal);
  }
}
