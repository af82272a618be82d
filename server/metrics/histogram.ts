/**
 * A histogram that counts observations into fixed buckets, the shape
 * Prometheus aggregates across scrapes and processes.
 */

import type { HistogramSample, Labels } from "./exposition.ts";

/** Bucket upper bounds for latencies, seconds: 1 ms to 1 min. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
];

/** Observations counted into buckets. */
export class Histogram {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #sum = 0;

  constructor(bounds: readonly number[] = LATENCY_BUCKETS_SECONDS) {
    if (bounds.some((b, i) => i > 0 && b <= bounds[i - 1])) {
      throw new Error(`histogram bounds must ascend, got ${bounds.join(", ")}`);
    }
    this.#bounds = bounds;
    this.#counts = new Array(bounds.length + 1).fill(0);
  }

  /** Counts one observation into the first bucket whose bound is at least `value`. */
  observe(value: number): void {
    let i = 0;
    while (i < this.#bounds.length && value > this.#bounds[i]) i++;
    this.#counts[i]++;
    this.#sum += value;
  }

  /** Observations so far. */
  get count(): number {
    return this.#counts.reduce((a, b) => a + b, 0);
  }

  /** The histogram as a sample of an exposition family. */
  sample(labels: Labels): HistogramSample {
    return { labels, bounds: this.#bounds, counts: [...this.#counts], sum: this.#sum };
  }
}
