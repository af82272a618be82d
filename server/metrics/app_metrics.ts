/**
 * The metrics of a running StreamBoard, wired once for the composition root
 * and the test fixture: the tally the processors and the live feed feed, and
 * the `/metrics` port over it and every other source.
 */

import process from "node:process";
import type { AggregateStore, RawStore } from "../../pipeline/ports.ts";
import type { StreamModule } from "../../pipeline/stream_module.ts";
import type { Logger } from "../../pipeline/logger.ts";
import type { PageHubs } from "../live_feed.ts";
import { type PageStreams, PipelineMetrics } from "./pipeline_metrics.ts";
import { type MetricsPort, metricsPort, type MetricsProvider } from "./metrics_port.ts";
import {
  deadLetteredProvider,
  processProvider,
  viewersProvider,
  windowsProvider,
} from "./providers.ts";

/** Longest wait for one source of metrics in a scrape, ms (a store that hangs is left out). */
export const METRICS_SOURCE_TIMEOUT_MS = 2_000;

/** What `appMetrics` reads. */
export interface AppMetricsOptions {
  /** The streams this process runs. */
  streams: readonly StreamModule[];
  raw: RawStore;
  aggregates: AggregateStore;
  hubs: PageHubs;
  log: Logger;
  now: () => number;
  /**
   * Sources wired by other parts (consumer lag from the groups view, records
   * in from the broker's topic offsets), shown after the built-in ones.
   */
  more?: readonly MetricsProvider[];
}

/** The tally and the port of a running app. */
export interface AppMetrics {
  /** Takes the processors' batch reports; the live feed's `latency`. */
  pipeline: PipelineMetrics;
  /** What `/metrics` serves. */
  port: MetricsPort;
}

/** Wires the metrics of an app. */
export function appMetrics(options: AppMetricsOptions): AppMetrics {
  const { streams, raw, aggregates, hubs, log, now } = options;
  const pages: Record<string, string[]> = {};
  for (const module of streams) {
    if (module.page) pages[module.page.page] = [...pages[module.page.page] ?? [], module.name];
  }
  const pipeline = new PipelineMetrics(pages satisfies PageStreams);
  const names = streams.map((m) => m.name);
  const port = metricsPort({
    providers: [
      { name: "processors", collect: () => pipeline.families() },
      deadLetteredProvider(aggregates, names),
      windowsProvider(raw, names, now),
      viewersProvider(hubs),
      processProvider({ memory: () => Deno.memoryUsage(), cpu: () => process.cpuUsage() }),
      ...options.more ?? [],
    ],
    timeoutMs: METRICS_SOURCE_TIMEOUT_MS,
    log,
  });
  return { pipeline, port };
}
