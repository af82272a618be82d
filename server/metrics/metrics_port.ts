/**
 * What `/metrics` serves: the families of every provider, rendered in
 * Prometheus' text format. A provider that fails or does not answer in time
 * (a store is down) is left out and said so by
 * `streamboard_metrics_source_up{source}` = 0, so a scrape never hangs on
 * an outage and never hides one.
 */

import { exposition, type MetricFamily } from "./exposition.ts";
import type { Logger } from "../../pipeline/logger.ts";

/** One source of metric families. */
export interface MetricsProvider {
  /** Names the source in `streamboard_metrics_source_up`. */
  name: string;
  collect(): MetricFamily[] | Promise<MetricFamily[]>;
}

/** The port `/metrics` reads. */
export interface MetricsPort {
  /** The exposition text of every provider. */
  render(): Promise<string>;
}

/** Options of `metricsPort`. */
export interface MetricsPortOptions {
  /**
   * The providers, in the order they are shown. Adding a source of metrics
   * (consumer lag, the console's topic rates) is adding one here.
   */
  providers: readonly MetricsProvider[];
  /** Longest wait for one provider, ms. */
  timeoutMs: number;
  /** Told why a provider was left out. */
  log: Logger;
}

/** The metrics port over a list of providers. */
export function metricsPort({ providers, timeoutMs, log }: MetricsPortOptions): MetricsPort {
  return {
    render: async () => {
      const results = await Promise.all(providers.map((p) => collect(p, timeoutMs, log)));
      const families = results.flatMap((r) => r ?? []);
      families.push({
        name: "streamboard_metrics_source_up",
        help:
          "1 when the source of these metrics answered this scrape, 0 when it failed or was slow.",
        type: "gauge",
        samples: providers.map((p, i) => ({
          labels: { source: p.name },
          value: results[i] ? 1 : 0,
        })),
      });
      return exposition(families);
    },
  };
}

async function collect(
  provider: MetricsProvider,
  timeoutMs: number,
  log: Logger,
): Promise<MetricFamily[] | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) =>
    timer = setTimeout(() => {
      log.warn(`metrics: ${provider.name} did not answer within ${timeoutMs} ms; left out`);
      resolve(undefined);
    }, timeoutMs)
  );
  try {
    return await Promise.race([Promise.resolve().then(() => provider.collect()), late]);
  } catch (error) {
    log.warn(`metrics: ${provider.name} failed (${(error as Error)?.stack ?? error}); left out`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
