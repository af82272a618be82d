/**
 * The main thread's tally of what the processors report of each stored
 * batch and of what the live feed pushes to browsers: counters and
 * histograms for `/metrics`, and each page's produce-to-stored latency over
 * the last minute for the figures beside its Live dot.
 */

import type { BatchMetrics } from "../../pipeline/batch_metrics.ts";
import { type LatencyFigures, LatencyWindow } from "../../client/latency_window.ts";
import type { MetricFamily } from "./exposition.ts";
import { Histogram } from "./histogram.ts";

/** What the live feed tells of latency and asks for its pages. */
export interface LiveLatency {
  /** A page update carrying events produced at `produced` (ms) was pushed to its viewers at `at`. */
  pushed(page: string, produced: readonly number[], at: number): void;
  /** The page's produce-to-stored latency over the last minute, or `null` when nothing was stored. */
  stored(page: string, now: number): LatencyFigures | null;
}

/** Which streams feed which page. */
export type PageStreams = Readonly<Record<string, readonly string[]>>;

/** Counters and histograms of the pipeline, fed by processor reports and the live feed. */
export class PipelineMetrics implements LiveLatency {
  readonly #processed = new Map<string, number>();
  readonly #processing = new Map<string, Histogram>();
  readonly #storeWrites = new Map<string, Histogram>();
  readonly #toBrowser = new Map<string, Histogram>();
  readonly #stored = new Map<string, LatencyWindow>();
  readonly #pagesOf = new Map<string, string[]>();

  /** Starts every stream of `pages` at zero, so their series exist before the first batch. */
  constructor(pages: PageStreams) {
    for (const [page, streams] of Object.entries(pages)) {
      this.#stored.set(page, new LatencyWindow());
      this.#toBrowser.set(page, new Histogram());
      for (const stream of streams) {
        this.#pagesOf.set(stream, [...this.#pagesOf.get(stream) ?? [], page]);
        this.#ensure(stream);
      }
    }
  }

  /** Takes a processor's report of one stored batch, seen at `at` (ms). */
  record(batch: BatchMetrics, at: number): void {
    this.#ensure(batch.stream);
    this.#processed.set(batch.stream, this.#processed.get(batch.stream)! + batch.processed);
    const processing = this.#processing.get(batch.stream)!;
    for (const ms of batch.latenciesMs) processing.observe(ms / 1000);
    this.#storeWrites.get(batch.stream)!.observe(batch.storeWriteMs / 1000);
    for (const page of this.#pagesOf.get(batch.stream) ?? []) {
      this.#stored.get(page)!.add(batch.latenciesMs, at);
    }
  }

  pushed(page: string, produced: readonly number[], at: number): void {
    let histogram = this.#toBrowser.get(page);
    if (!histogram) this.#toBrowser.set(page, histogram = new Histogram());
    for (const timestamp of produced) histogram.observe(Math.max(0, at - timestamp) / 1000);
  }

  stored(page: string, now: number): LatencyFigures | null {
    return this.#stored.get(page)?.figures(now) ?? null;
  }

  /** The tally as metric families. */
  families(): MetricFamily[] {
    const histograms = (map: Map<string, Histogram>, label: string) =>
      [...map].map(([name, h]) => h.sample({ [label]: name }));
    return [
      {
        name: "streamboard_records_processed_total",
        help: "Records accepted and stored by the processors of this process, by stream.",
        type: "counter",
        samples: [...this.#processed].map(([stream, value]) => ({ labels: { stream }, value })),
      },
      {
        name: "streamboard_processing_latency_seconds",
        help:
          "From a record's broker timestamp to the moment every store acknowledged it, by stream.",
        type: "histogram",
        samples: histograms(this.#processing, "stream"),
      },
      {
        name: "streamboard_store_write_seconds",
        help: "How long the store writes of one batch took together, by stream.",
        type: "histogram",
        samples: histograms(this.#storeWrites, "stream"),
      },
      {
        name: "streamboard_produce_to_browser_seconds",
        help:
          "From a record's broker timestamp to the push of the page update carrying it to the page's SSE viewers, by page.",
        type: "histogram",
        samples: histograms(this.#toBrowser, "page"),
      },
    ];
  }

  #ensure(stream: string) {
    if (this.#processed.has(stream)) return;
    this.#processed.set(stream, 0);
    this.#processing.set(stream, new Histogram());
    this.#storeWrites.set(stream, new Histogram());
  }
}
